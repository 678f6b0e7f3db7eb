//! An agency's dossier (advice 6.1 A, B: the supervisors' joint picture): each register's
//! part is every event it told the others about the agency, dated; the workbench lays the
//! parts side by side as one timeline for the Labour Authority.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event::Body;
use crate::register::Service;

/// One dated line: what happened, as the event that told it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub body: Body,
}

/// One register's part of an agency's dossier, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub kvk_number: String,
    pub register: Service,
    pub entries: Vec<Entry>,
    /// False when only the newest entries are here (see the register's limit).
    pub complete: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::payload::Adequate;

    #[test]
    fn an_entry_travels_as_its_date_its_type_and_its_payload() {
        let at = DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z").expect("a date").with_timezone(&Utc);
        let entry = Entry { at, body: Body::DepositAdequate(Adequate { kvk_number: "12345678".into() }) };
        let wire = serde_json::to_value(&entry).expect("serializes");
        assert_eq!(
            wire,
            serde_json::json!({
                "at": "2026-12-07T10:00:00Z",
                "event_type": "deposit.adequate",
                "payload": { "kvk_number": "12345678" }
            })
        );
        assert_eq!(serde_json::from_value::<Entry>(wire).expect("reads back"), entry);
    }
}
