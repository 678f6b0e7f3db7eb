//! The register of housing marks per building (advice *Geen tweederangsburgers*, chapter 4).
//!
//! The building is certified, not the landlord. So far (issue 5, in progress): buildings
//! with their BAG id and address, their rooms, and the capacity the norm in force allows —
//! the integrated norm of the advice, or the SNF norm during the transition for buildings
//! that existed before. Inspections, marks, permits, occupancy, complaints, seals and the
//! page at the door follow.

pub mod config;
pub mod domain;
pub mod routes;
pub mod startup;
pub mod store;

pub use platform::error::{Error, Result};
