//! Events as another register would publish them, for a test to put on the stream: typed,
//! so that a test sends what a producer can send ([`raw`] only for what no producer sends —
//! a forged, unknown or broken event).

use chrono::{NaiveDate, Utc};
use platform::event::payload::{Ended, GAccountChanged, Issued, OfficerBanned, Shortfall, StatusChanged};
use platform::event::{Body, EventType};
use platform::outbox::Event;
use serde_json::Value;
use uuid::Uuid;
use zegel_contracts::ban::OfficerRole;
use zegel_contracts::{CertificateStatus, GAccountStatus};

/// An event as it may travel, whatever it says: what a test of the wire itself needs.
pub fn raw(event_type: &str, subject: &str, addressed_to: &[&str], payload: Value) -> Event {
    Event {
        event_id: Uuid::now_v7(),
        event_type: event_type.into(),
        subject: subject.into(),
        addressed_to: addressed_to.iter().map(|s| s.to_string()).collect(),
        payload,
        occurred_at: Utc::now(),
    }
}

/// Certification body `body` issued provisional certificate `certificate_id` to `kvk`.
pub fn issued(certificate_id: Uuid, kvk: &str, body: &str) -> Event {
    let what = Issued {
        certificate_id,
        kvk_number: kvk.into(),
        certification_body_id: body.into(),
        status: CertificateStatus::Provisional,
        probation_ends_on: Utc::now().date_naive() + chrono::Days::new(90),
    };
    Event::new(Body::CertificateProvisionalIssued(what), kvk, &["bans", "housing"], Utc::now())
}

/// Certificate `certificate_id` of `kvk` (held by `body`) ended as `kind` says (revoked,
/// lapsed, withdrawn), on `ground` with a waiting period until `waits_until`, if any.
pub fn ended(
    kind: EventType,
    certificate_id: Uuid,
    kvk: &str,
    body: &str,
    ground: Option<zegel_contracts::certificate::Ground>,
    waits_until: Option<NaiveDate>,
) -> Event {
    let (make, status): (fn(StatusChanged) -> Body, _) = match kind {
        EventType::CertificateRevoked => (Body::CertificateRevoked, CertificateStatus::Revoked),
        EventType::CertificateLapsed => (Body::CertificateLapsed, CertificateStatus::Lapsed),
        EventType::CertificateWithdrawn => (Body::CertificateWithdrawn, CertificateStatus::Withdrawn),
        other => panic!("{other} is not an ending"),
    };
    let today = Utc::now().date_naive();
    let what = StatusChanged {
        certificate_id,
        kvk_number: kvk.into(),
        certification_body_id: body.into(),
        previous_status: CertificateStatus::Certified,
        status,
        reason: None,
        ended: Some(Ended {
            issued_on: NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date"),
            ended_on: Some(today),
            ground,
            waits_until,
        }),
    };
    Event::new(make(what), kvk, &["kvk", "inspectorate", "tax", "bans", "housing"], Utc::now())
}

/// A ban in force covers the director of `kvk`.
pub fn officer_banned(kvk: &str) -> Event {
    let what = OfficerBanned {
        ban_id: Uuid::now_v7(),
        kvk_number: kvk.into(),
        role: OfficerRole::Director,
        starts_on: Utc::now().date_naive(),
    };
    Event::new(Body::BanOfficerBanned(what), kvk, &["certificates", "inspectorate", "kvk"], Utc::now())
}

/// The G-account of `kvk` moved from active to `status` (blocked or closed).
pub fn g_account(kvk: &str, status: GAccountStatus) -> Event {
    let what = GAccountChanged {
        g_account_id: Uuid::now_v7(),
        kvk_number: kvk.into(),
        status,
        previous_status: Some(GAccountStatus::Active),
        reason: None,
    };
    let body = match status {
        GAccountStatus::Requested => Body::GaccountRequested(what),
        GAccountStatus::Active => Body::GaccountActivated(what),
        GAccountStatus::Blocked => Body::GaccountBlocked(what),
        GAccountStatus::Closed => Body::GaccountClosed(what),
    };
    Event::new(body, kvk, &["certificates"], Utc::now())
}

/// The deposit of `kvk` was not topped up by `top_up_by`.
pub fn shortfall_overdue(kvk: &str, top_up_by: NaiveDate) -> Event {
    let what = Shortfall { kvk_number: kvk.into(), top_up_by };
    Event::new(Body::DepositShortfallOverdue(what), kvk, &["certificates", "inspectorate"], Utc::now())
}
