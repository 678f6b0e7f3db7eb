//! What the G-account register publishes. A blocked or closed account is addressed to
//! the certification bodies (through the certificates register, which suspends the
//! agency's certificate: advice 2.1 B makes a G-account in use a requirement).

use chrono::{DateTime, Utc};
use platform::event::EventType;
use platform::outbox::Event;
use serde_json::json;

use crate::domain::Status;
use crate::store::GAccount;

/// The event for a change of `account` from `from`.
pub fn status_changed(account: &GAccount, from: Option<Status>, reason: Option<&str>, now: DateTime<Utc>) -> Event {
    let (kind, to): (EventType, &[&str]) = match account.status {
        Status::Requested => (EventType::GaccountRequested, &[]),
        Status::Active => (EventType::GaccountActivated, &[]),
        Status::Blocked => (EventType::GaccountBlocked, &["certificates"]),
        Status::Closed => (EventType::GaccountClosed, &["certificates"]),
    };
    Event::new(
        kind,
        &account.kvk_number,
        to,
        // No IBAN on the bus: consumers need the fact, not the number.
        json!({
            "g_account_id": account.g_account_id,
            "kvk_number": account.kvk_number,
            "status": account.status.as_str(),
            "previous_status": from.map(Status::as_str),
            "reason": reason,
        }),
        now,
    )
}
