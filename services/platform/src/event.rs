//! An event: what one register tells the others happened, as written to its outbox and
//! published on the stream.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;
pub use zegel_contracts::EventType;

/// An event as written to the outbox and published on the stream.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Event {
    /// Stable id; consumers dedupe on it.
    pub event_id: Uuid,
    /// Its type as written (`certificate.revoked`); read it through [`Event::kind`].
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
        kind: EventType,
        subject: &str,
        addressed_to: &[&str],
        payload: Value,
        occurred_at: DateTime<Utc>,
    ) -> Self {
        Self {
            event_id: Uuid::now_v7(),
            event_type: kind.as_str().into(),
            subject: subject.into(),
            addressed_to: addressed_to.iter().map(|s| s.to_string()).collect(),
            payload,
            occurred_at,
        }
    }

    /// Its type, when this version knows it: consumers decide on this, never on the text
    /// (which is what travels and is signed, so that an older consumer can still read the
    /// event of a newer producer, and leave it).
    pub fn kind(&self) -> Option<EventType> {
        EventType::parse(&self.event_type)
    }
}
