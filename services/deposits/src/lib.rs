//! The register of guarantee deposits (advice *Geen tweederangsburgers*, 2.1 C).
//!
//! Every agency keeps a deposit with the admission authority (under the Wtta law: the
//! NAU). It pays out unpaid wages, inspectorate fines and damages to workers. A wage claim
//! without usable administration is presumed to be two months of full-time statutory
//! minimum wage. After a payout the agency must top up within a term, or its certificate
//! lapses. Money is integer euro cents; the ledger is append-only.

pub mod config;
pub mod domain;
pub mod error;
pub mod events;
pub mod ledger;
pub mod presumption;
pub mod routes;
pub mod state;
pub mod store;
pub mod sweep;

platform::service! {
    Deposits: state::AppState, openapi: "deposits", tasks: sweep::tasks
}
