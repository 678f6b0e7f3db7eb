//! The register of housing marks per building (advice *Geen tweederangsburgers*, chapter 4).
//!
//! In progress (issue 5): the rules of the advice as validated types and pure functions —
//! BAG ids, postcodes, floor areas, the capacity a norm allows, which norm applies on a
//! date, and the season of mobile units. The service around them (buildings, inspections,
//! permits, occupancy, complaints, seals, the page at the door) follows.

pub mod domain;
