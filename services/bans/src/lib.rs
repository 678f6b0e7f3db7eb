//! The register of director bans (advice *Geen tweederangsburgers*, 2.1 F).
//!
//! KvK registers who owns, directs and de facto manages an agency; the inspectorate and
//! the tax authority impose administrative bans, an admin records civil bans ordered by a
//! court. Certification bodies and KvK check persons; the public only ever learns whether
//! an agency is clear. A ban on an officer of an agency — or a banned person turning up at
//! another agency (the "phoenix" check) — is published for the certificates register and
//! the inspectorate.

pub mod config;
pub mod consumer;
pub mod domain;
pub mod error;
pub mod events;
pub mod routes;
pub mod state;
pub mod store;
pub mod sweep;

platform::service! {
    Bans: state::AppState, openapi: "bans", tasks: sweep::tasks
}
