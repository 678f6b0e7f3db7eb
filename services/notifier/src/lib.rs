//! The notifier: turns the suite's events into signed webhooks (issue 6). KvK hears that a
//! certificate ended, a municipality that a building's mark ended or is over capacity, the
//! inspectorate of unresolved deficiencies and suspicious deregistrations, and a hirer of
//! every change at the agencies it uses. Deliveries are recorded before an event is
//! acknowledged, retried with backoff, dead-lettered, logged, and can be sent again.

pub mod config;
pub mod dispatch;
pub mod routes;
pub mod routing;
pub mod startup;
pub mod state;
pub mod store;
pub mod webhook;

pub use platform::error::{Error, Result};

platform::service! {
    Notifier: state::AppState, openapi: "notifier", tasks: startup::tasks
}
