//! An event: what one register tells the others happened, as written to its outbox and
//! published on the stream.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;
pub use zegel_contracts::EventType;
pub use zegel_contracts::event::{Body, payload};

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
    pub occurred_at: DateTime<Utc>,
}

impl Event {
    /// A new event with a fresh id: its type and payload are what `body` serializes to.
    pub fn new(body: Body, subject: &str, addressed_to: &[&str], occurred_at: DateTime<Utc>) -> Self {
        let (event_type, payload) = match serde_json::to_value(&body) {
            Ok(Value::Object(mut wire)) => (wire.remove("event_type"), wire.remove("payload")),
            _ => (None, None),
        };
        Self {
            event_id: Uuid::now_v7(),
            // A body always serializes to its type's spelling and an object: these fallbacks
            // are never taken.
            event_type: event_type
                .and_then(|t| t.as_str().map(String::from))
                .unwrap_or_else(|| body.kind().to_string()),
            subject: subject.into(),
            addressed_to: addressed_to.iter().map(|s| s.to_string()).collect(),
            payload: payload.unwrap_or(Value::Null),
            occurred_at,
        }
    }

    /// Its type, when this version knows it (an older consumer can still read the event of
    /// a newer producer, and leave it).
    pub fn kind(&self) -> Option<EventType> {
        EventType::parse(&self.event_type)
    }

    /// What it says, read by its type: `None` for a type this version does not know; an
    /// error for a payload that does not read as its type's (a consumer leaves such an
    /// event on the dead letter stream rather than guess).
    pub fn body(&self) -> Result<Option<Body>, serde_json::Error> {
        if self.kind().is_none() {
            return Ok(None);
        }
        let wire = serde_json::json!({ "event_type": self.event_type, "payload": self.payload });
        serde_json::from_value(wire).map(Some)
    }
}
