//! What the G-account register publishes. A blocked or closed account is addressed to
//! the certification bodies (through the certificates register, which suspends the
//! agency's certificate: advice 2.1 B makes a G-account in use a requirement).

use chrono::{DateTime, Utc};
use platform::event::{Body, payload};
use platform::outbox::Event;

use crate::domain::Status;
use crate::store::GAccount;

/// The event for a change of `account` from `from`.
pub fn status_changed(account: &GAccount, from: Option<Status>, reason: Option<&str>, now: DateTime<Utc>) -> Event {
    // No IBAN on the bus: consumers need the fact, not the number.
    let what = payload::GAccountChanged {
        g_account_id: account.g_account_id,
        kvk_number: account.kvk_number.clone(),
        status: account.status,
        previous_status: from,
        reason: reason.map(String::from),
    };
    let (body, to): (Body, &[&str]) = match account.status {
        Status::Requested => (Body::GaccountRequested(what), &[]),
        Status::Active => (Body::GaccountActivated(what), &[]),
        Status::Blocked => (Body::GaccountBlocked(what), &["certificates"]),
        Status::Closed => (Body::GaccountClosed(what), &["certificates"]),
    };
    Event::new(body, &account.kvk_number, to, now)
}
