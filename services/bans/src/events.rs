//! What the bans register publishes: never a name, a BSN or a date of birth.

use chrono::{DateTime, NaiveDate, Utc};
use platform::outbox::Event;
use serde_json::json;
use uuid::Uuid;

/// Parties that act on a banned officer: the certificates register suspends the agency's
/// certificate (and tells its body), the inspectorate follows up.
const ACT: &[&str] = &["certificates", "inspectorate"];

/// A ban in force covers a current officer of `kvk`.
pub fn officer_banned(ban_id: Uuid, kvk: &str, role: &str, starts_on: NaiveDate, now: DateTime<Utc>) -> Event {
    Event::new(
        "ban.officer_banned",
        kvk,
        ACT,
        json!({ "ban_id": ban_id, "kvk_number": kvk, "role": role, "starts_on": starts_on }),
        now,
    )
}

/// The phoenix check: a banned person is registered as an officer of `kvk`.
pub fn banned_officer_appointed(ban_id: Uuid, kvk: &str, role: &str, now: DateTime<Utc>) -> Event {
    Event::new(
        "ban.banned_officer_appointed",
        kvk,
        ACT,
        json!({ "ban_id": ban_id, "kvk_number": kvk, "role": role }),
        now,
    )
}

/// A ban was lifted.
pub fn lifted(ban_id: Uuid, now: DateTime<Utc>) -> Event {
    Event::new("ban.lifted", &ban_id.to_string(), &[], json!({ "ban_id": ban_id }), now)
}
