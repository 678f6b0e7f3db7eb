//! What the bans register publishes: never a name, a BSN or a date of birth. Who it is
//! stays with those who may read the officers (KvK, the inspectorate, the agency's
//! certification body), each read logged.

use chrono::{DateTime, NaiveDate, Utc};
use platform::event::{Body, payload};
use platform::outbox::Event;
use uuid::Uuid;
use zegel_contracts::ban::{OfficerLink, OfficerRole};

use crate::store::Ban;

/// Party names used in `addressed_to`.
pub mod party {
    /// The certificates register, which suspends the certificate of an agency whose officer
    /// is banned.
    pub const CERTIFICATES: &str = "certificates";
    /// The Labour Authority.
    pub const INSPECTORATE: &str = "inspectorate";
    /// The Chamber of Commerce: it refuses a banned person as officer and marks the agency
    /// for deregistration (advice 2.1 F).
    pub const KVK: &str = "kvk";
}

/// The parties told about an officer of `kvk`: the certificates register (when it acts),
/// the inspectorate, KvK and the agency's certification body, when it has one.
fn about_agency(certificates: bool, body: Option<&str>) -> Vec<String> {
    let mut to: Vec<String> = Vec::new();
    if certificates {
        to.push(party::CERTIFICATES.into());
    }
    to.extend([party::INSPECTORATE.to_string(), party::KVK.to_string()]);
    to.extend(body.map(|b| format!("certification_body:{b}")));
    to
}

fn event(what: Body, subject: &str, to: &[String], now: DateTime<Utc>) -> Event {
    let to: Vec<&str> = to.iter().map(String::as_str).collect();
    Event::new(what, subject, &to, now)
}

/// A ban came into force (KvK hears of every one, whether or not the person is an officer
/// now: it checks every officer it registers).
pub fn in_force(ban: &Ban, now: DateTime<Utc>) -> Event {
    let what = payload::BanInForce {
        ban_id: ban.ban_id,
        roles_covered: ban.roles_covered.clone(),
        starts_on: ban.starts_on,
        ends_on: ban.ends_on,
    };
    Event::new(Body::BanInForce(what), &ban.ban_id.to_string(), &[party::KVK, party::INSPECTORATE], now)
}

/// A ban in force covers a current officer of `kvk`.
pub fn officer_banned(
    ban_id: Uuid,
    kvk: &str,
    role: OfficerRole,
    starts_on: NaiveDate,
    body: Option<&str>,
    now: DateTime<Utc>,
) -> Event {
    let what = payload::OfficerBanned { ban_id, kvk_number: kvk.into(), role, starts_on };
    event(Body::BanOfficerBanned(what), kvk, &about_agency(true, body), now)
}

/// The phoenix check: a banned person is registered as an officer of `kvk`.
pub fn banned_officer_appointed(
    ban_id: Uuid,
    kvk: &str,
    role: OfficerRole,
    body: Option<&str>,
    now: DateTime<Utc>,
) -> Event {
    let what = payload::BannedOfficerAppointed { ban_id, kvk_number: kvk.into(), role };
    event(Body::BanBannedOfficerAppointed(what), kvk, &about_agency(true, body), now)
}

/// The phoenix radar: a current officer of `kvk` ran another agency whose certificate
/// ended with a waiting period still running. The certificate stays as it is (nothing in
/// the advice suspends it for that); the parties who may act hear of it.
pub fn linked_officer(kvk: &str, link: &OfficerLink, body: Option<&str>, now: DateTime<Utc>) -> Event {
    let what = payload::LinkedOfficer { kvk_number: kvk.into(), link: link.clone() };
    event(Body::BanLinkedOfficer(what), kvk, &about_agency(false, body), now)
}

/// A ban was lifted: KvK and the inspectorate, who heard of it when it came into force.
pub fn lifted(ban_id: Uuid, on: NaiveDate, now: DateTime<Utc>) -> Event {
    let what = payload::BanLifted { ban_id, lifted_on: on, kvk_number: None, role: None };
    Event::new(Body::BanLifted(what), &ban_id.to_string(), &[party::KVK, party::INSPECTORATE], now)
}

/// A lifted ban no longer covers a current officer of `kvk`: whoever heard that it did.
pub fn lifted_at(
    ban_id: Uuid,
    kvk: &str,
    role: OfficerRole,
    on: NaiveDate,
    body: Option<&str>,
    now: DateTime<Utc>,
) -> Event {
    let what = payload::BanLifted { ban_id, lifted_on: on, kvk_number: Some(kvk.into()), role: Some(role) };
    // The certificates register does not reinstate by itself: the body decides.
    event(Body::BanLifted(what), kvk, &about_agency(false, body), now)
}
