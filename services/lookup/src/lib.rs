//! The public lookup: verifies any seal — offline from its signature against the trust
//! list, and online against the live status in the register that issued it — for
//! machines (JSON) and for people scanning a QR code (a page in their language).

pub mod agency;
pub mod config;
pub mod error;
pub mod facts;
pub mod i18n;
pub mod kvk;
pub mod published;
pub mod reads;
pub mod replica;
pub mod routes;
pub mod startup;
pub mod state;
pub mod statistics;
pub mod status_lists;
pub mod store;
pub mod verdicts;
pub mod verify;

platform::service! {
    Lookup: state::AppState, openapi: "lookup", tasks: startup::tasks
}
