//! An event: what one register tells the others happened, as written to its outbox and
//! published on the stream.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// An event as written to the outbox and published on the stream.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Event {
    /// Stable id; consumers dedupe on it.
    pub event_id: Uuid,
    /// Kind, e.g. `certificate.revoked`.
    pub event_type: String,
    /// What it is about, e.g. a KvK number.
    pub subject: String,
    /// Parties that must act on it.
    pub addressed_to: Vec<String>,
    /// Details of the event (never personal data).
    pub payload: Value,
    /// When the change happened.
    pub occurred_at: DateTime<Utc>,
}

impl Event {
    /// A new event with a fresh id.
    pub fn new(
        event_type: &str,
        subject: &str,
        addressed_to: &[&str],
        payload: Value,
        occurred_at: DateTime<Utc>,
    ) -> Self {
        Self {
            event_id: Uuid::now_v7(),
            event_type: event_type.into(),
            subject: subject.into(),
            addressed_to: addressed_to.iter().map(|s| s.to_string()).collect(),
            payload,
            occurred_at,
        }
    }
}
