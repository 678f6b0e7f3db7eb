//! The register of housing marks per building (advice *Geen tweederangsburgers*, chapter 4).
//!
//! The building is certified, not the landlord. A provider registers a building and its
//! rooms; the capacity follows from the norm in force (the integrated norm of the advice,
//! or the SNF norm during the transition for buildings that existed before). A housing
//! inspector inspects; without open deficiencies the mark is certified for a year, with
//! them a certified mark is suspended, and a deficiency open past its deadline revokes it.
//! Municipalities decide landlord permits for their own buildings and see their list;
//! residents complain anonymously; seals put the building's live status behind the QR code
//! on the poster at the door.

pub mod config;
pub mod consumer;
pub mod domain;
pub mod events;
pub mod poster;
pub mod register;
pub mod rehousing;
pub mod routes;
pub mod state;
pub mod store;
pub mod sweep;

pub use platform::error::{Error, Result};

platform::service! {
    Housing: state::AppState, openapi: "housing", tasks: sweep::tasks
}
