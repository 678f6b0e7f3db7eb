//! The cross-service tests, one module per journey or property, in one test binary: each
//! test binary links every service, so one binary instead of one per file saves a first
//! build most of its linking. The traces keep a binary of their own (their exporter is
//! process-wide). The ignored modules run by name: `cargo test --workspace --test e2e --
//! --ignored image::` (likewise `outside::`, `login::`, `k8s_manifests::`).

mod accident_duty;
mod admission_desk;
mod agency_desk;
mod authorization;
mod backends_over_tls;
mod body_desk;
mod coalesced_reads;
mod cross_site;
mod database_outage;
mod database_roles;
mod dutch_days;
mod existence;
mod floors;
mod foreign_agency;
mod g_account_seal;
mod hirer_check;
mod hirer_fines;
mod housing_journey;
mod housing_truth;
mod image;
mod inspector_desk;
mod k8s_manifests;
mod kvk_api;
mod kvk_journey;
mod labour_desk;
mod login;
mod municipality_desk;
mod one_verdict;
mod operator_signals;
mod outside;
mod phoenix;
mod public_code;
mod redis_replication;
mod register_chain;
mod replica_reads;
mod seal_journey;
mod small_desks;
mod state_table;
mod statistics;
mod status_lists;
mod work_complaints;
mod worker_claim;
