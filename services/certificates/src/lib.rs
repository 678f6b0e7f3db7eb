//! The register of agency certificates (advice *Geen tweederangsburgers*, 2.1 A, D, F, H
//! and 6.1 E).
//!
//! Certification bodies issue provisional certificates to starting agencies, certify them
//! once every requirement of the advice is recorded as met, audit them yearly, and
//! suspend, reinstate or revoke them; agencies may withdraw; a sweep applies the rules of
//! time. Anyone can look up an agency's certificate; KvK and the inspectorate receive the
//! events they must act on.

pub mod config;
pub mod consumer;
pub mod domain;
pub mod error;
pub mod events;
pub mod register;
pub mod registers;
pub mod routes;
pub mod startup;
pub mod state;
pub mod store;
pub mod sweep;

platform::service! {
    Certificates: state::AppState, openapi: "certificates", tasks: startup::tasks
}
