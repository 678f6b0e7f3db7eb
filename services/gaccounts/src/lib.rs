//! The register of G-accounts (advice *Geen tweederangsburgers*, 2.1 B).
//!
//! Every agency must use a blocked account for wage taxes; hirers pay the tax share of an
//! invoice into it and need to know it is real and active. The agency (or the tax
//! authority) registers the account, the tax authority verifies, blocks or closes it, and
//! anyone can check an agency's account — or whether the IBAN on an invoice is it.

pub mod config;
pub mod domain;
pub mod error;
pub mod events;
pub mod routes;
pub mod state;
pub mod store;

platform::service! {
    Gaccounts: state::AppState, openapi: "gaccounts"
}
