//! What the certificates register publishes.
//!
//! Events name the parties that must act (`addressed_to`): KvK must deregister the
//! staffing activity of an agency whose certificate is revoked, lapsed or withdrawn
//! (advice 2.1 A/D, 6.1 E); the inspectorate must hear of unremedied serious deficiencies
//! and of agencies that withdraw while suspended; a certification body hears of the
//! inspectorate's suspension requests. Every status change is published, addressed or
//! not, so that lookups and subscribed hirers see it.

use chrono::{DateTime, Utc};
use platform::event::EventType;
use platform::outbox::Event;
use serde_json::json;

use crate::domain::lifecycle::Action;
use crate::domain::reentry::Ground;
use crate::store::{Certificate, Deficiency};

/// Party names used in `addressed_to`.
pub mod party {
    /// The Chamber of Commerce.
    pub const KVK: &str = "kvk";
    /// The Labour Authority.
    pub const INSPECTORATE: &str = "inspectorate";
    /// The bans register, which lets a certification body read the officers of the
    /// agencies it holds an application or a certificate of, and no others.
    pub const BANS: &str = "bans";
    /// The admission authority, which claims irrevocable fines from a guarantee deposit.
    pub const ADMISSION_AUTHORITY: &str = "admission_authority";
    /// The tax authority, which follows the agencies that leave certification (G-accounts,
    /// wage taxes).
    pub const TAX: &str = "tax";
    /// The housing register, which shows a certification body where the agencies it holds
    /// an application or a certificate of house their workers, and no others.
    pub const HOUSING: &str = "housing";
}

fn payload(before: &Certificate, after: &Certificate, reason: Option<&str>) -> serde_json::Value {
    json!({
        "certificate_id": after.certificate_id,
        "kvk_number": after.kvk_number,
        "certification_body_id": after.certification_body_id,
        "previous_status": before.status.as_str(),
        "status": after.status.as_str(),
        "reason": reason,
    })
}

/// How a certificate ended, for the events that say so.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ending {
    /// The ground the change is recorded with (for a withdrawal: the sanction it escapes).
    pub ground: Option<Ground>,
    /// The end of the waiting period it starts (`Ended::waits_until`), if any.
    pub waits_until: Option<chrono::NaiveDate>,
}

/// The events a transition publishes.
pub fn for_transition(
    action: Action,
    before: &Certificate,
    after: &Certificate,
    reason: Option<&str>,
    ending: Ending,
    now: DateTime<Utc>,
) -> Vec<Event> {
    let ground = ending.ground;
    let event = |kind: EventType, to: &[&str]| {
        let mut payload = payload(before, after, reason);
        if !after.status.is_active() {
            // The end and its waiting period: the bans register follows the persons who
            // ran the agency until then.
            payload["issued_on"] = json!(after.issued_on);
            payload["ended_on"] = json!(after.ended_on);
            payload["ground"] = json!(ground);
            payload["waits_until"] = json!(ending.waits_until);
        }
        Event::new(kind, &after.kvk_number, to, payload, now)
    };
    let body = format!("certification_body:{}", after.certification_body_id);
    // An ending goes to KvK (deregistration), to the Labour Authority and the tax authority
    // (advice 2.1 A, D: they follow who leaves the market), and to the registers that
    // grant a body reading rights by its certificates.
    let to_all = [party::KVK, party::INSPECTORATE, party::TAX, party::BANS, party::HOUSING];
    match action {
        Action::Extend => vec![event(EventType::CertificateExtended, &[])],
        Action::Certify => vec![event(EventType::CertificateCertified, &[])],
        // The body must act on a suspension it did not impose itself (a ban, a blocked
        // G-account), and the inspectorate follows every suspension.
        Action::Suspend => vec![event(EventType::CertificateSuspended, &[body.as_str(), party::INSPECTORATE])],
        Action::Reinstate => vec![event(EventType::CertificateReinstated, &[])],
        Action::Revoke => vec![event(EventType::CertificateRevoked, &to_all)],
        Action::Lapse => vec![event(EventType::CertificateLapsed, &to_all)],
        Action::Withdraw => match ground.filter(|g| g.is_escape()) {
            // Withdrawing to escape a sanction is never a clean exit (advice 2.1): it is
            // recorded with the sanction, counts as a revocation for the waiting period,
            // and the Labour Authority and the admission authority hear of it.
            Some(_) => vec![
                event(EventType::CertificateWithdrawn, &to_all),
                event(WITHDRAWN_TO_ESCAPE, &[party::INSPECTORATE, party::ADMISSION_AUTHORITY]),
            ],
            None => vec![event(EventType::CertificateWithdrawn, &to_all)],
        },
        Action::Audit => vec![event(EventType::CertificateAuditRecorded, &[])],
        Action::RecordRequirement => vec![],
    }
}

/// The type of the signal that a withdrawal escaped a sanction.
pub const WITHDRAWN_TO_ESCAPE: EventType = EventType::CertificateWithdrawnToEscape;

/// A final sanction against the agency was recorded: its certification body (if it holds
/// a live certificate) may revoke on it; the admission authority claims a fine from the
/// deposit. Public facts of a company's sanction; no person.
pub fn final_sanction_recorded(s: &crate::store::FinalSanction, body: Option<&str>, now: DateTime<Utc>) -> Event {
    let body = body.map(|b| format!("certification_body:{b}"));
    let mut to = vec![party::ADMISSION_AUTHORITY];
    to.extend(body.as_deref());
    Event::new(EventType::CertificateFinalSanctionRecorded, &s.kvk_number, &to, json!(s), now)
}

/// The type of [`entry_refused_linked`] (and its audit action).
pub const ENTRY_REFUSED_LINKED: EventType = EventType::CertificateEntryRefusedLinkedOfficer;

/// A body tried to issue a certificate to an agency whose officer ran another agency
/// still in its waiting period (the phoenix radar): the Labour Authority follows up.
pub fn entry_refused_linked(
    kvk: &str,
    body: &str,
    links: &[crate::domain::reentry::Link],
    now: DateTime<Utc>,
) -> Event {
    let links: Vec<_> = links
        .iter()
        .map(|l| {
            json!({ "role": l.role, "linked_kvk": l.linked_kvk, "certificate_id": l.certificate_id,
                    "ground": l.ground, "ended_on": l.ended_on, "waits_until": l.waits_until })
        })
        .collect();
    Event::new(
        ENTRY_REFUSED_LINKED,
        kvk,
        &[party::INSPECTORATE],
        json!({ "kvk_number": kvk, "certification_body_id": body, "links": links }),
        now,
    )
}

/// The type of a new certificate issued without probation (a full entry).
pub const ISSUED_FULL: EventType = EventType::CertificateIssuedFull;

/// Whether a certification body is accredited now: the registers that let a body read
/// about its agencies end (or restore) that with it.
pub fn accreditation(body: &crate::store::Body, now: DateTime<Utc>) -> Event {
    let facts = platform::certifier::Accreditation {
        certification_body_id: body.certification_body_id.clone(),
        accredited: body.accredited,
    };
    Event::new(
        platform::certifier::ACCREDITATION,
        &body.certification_body_id,
        &[party::BANS, party::HOUSING],
        serde_json::to_value(facts).unwrap_or_default(),
        now,
    )
}

/// A new certificate: a provisional one, or a full one issued without probation.
pub fn issued(cert: &Certificate, now: DateTime<Utc>) -> Event {
    let kind = if cert.status == crate::domain::Status::Provisional {
        EventType::CertificateProvisionalIssued
    } else {
        ISSUED_FULL
    };
    Event::new(
        kind,
        &cert.kvk_number,
        &[party::BANS, party::HOUSING],
        json!({
            "certificate_id": cert.certificate_id,
            "kvk_number": cert.kvk_number,
            "certification_body_id": cert.certification_body_id,
            "status": cert.status.as_str(),
            "probation_ends_on": cert.probation_ends_on,
        }),
        now,
    )
}

/// The type of [`suspension_requested`] (and its audit action).
pub const SUSPENSION_REQUESTED: EventType = EventType::CertificateSuspensionRequested;

/// The inspectorate asks the certificate's body to suspend it.
pub fn suspension_requested(cert: &Certificate, reason: &str, now: DateTime<Utc>) -> Event {
    let body = format!("certification_body:{}", cert.certification_body_id);
    Event::new(
        SUSPENSION_REQUESTED,
        &cert.kvk_number,
        &[body.as_str()],
        json!({ "certificate_id": cert.certificate_id, "kvk_number": cert.kvk_number, "reason": reason }),
        now,
    )
}

/// A suspension was not remedied by its deadline.
pub fn suspension_overdue(cert: &Certificate, now: DateTime<Utc>) -> Event {
    Event::new(
        EventType::CertificateSuspensionOverdue,
        &cert.kvk_number,
        &[party::INSPECTORATE],
        json!({
            "certificate_id": cert.certificate_id,
            "kvk_number": cert.kvk_number,
            "certification_body_id": cert.certification_body_id,
            "reason": cert.suspension_reason,
            "remedy_by": cert.suspension_remedy_by,
        }),
        now,
    )
}

/// A serious deficiency was not remedied by its deadline.
pub fn deficiency_overdue(kvk: &str, certificate_id: uuid::Uuid, d: &Deficiency, now: DateTime<Utc>) -> Event {
    Event::new(
        EventType::CertificateDeficiencyOverdue,
        kvk,
        &[party::INSPECTORATE],
        json!({
            "certificate_id": certificate_id,
            "kvk_number": kvk,
            "deficiency_id": d.deficiency_id,
            "description": d.description,
            "remedy_by": d.remedy_by,
        }),
        now,
    )
}

/// Evidence for a requirement no longer holds: the certification body must have fresh
/// evidence by the deficiency's deadline, or the certificate is suspended.
pub fn evidence_expired(cert: &Certificate, d: &Deficiency, now: DateTime<Utc>) -> Event {
    Event::new(
        EventType::CertificateEvidenceExpired,
        &cert.kvk_number,
        &[format!("certification_body:{}", cert.certification_body_id).as_str()],
        json!({
            "certificate_id": cert.certificate_id,
            "kvk_number": cert.kvk_number,
            "deficiency_id": d.deficiency_id,
            "requirement": d.requirement,
            "remedy_by": d.remedy_by,
        }),
        now,
    )
}

/// A fine on a company that is itself an agency with a certificate in force became
/// irrevocable: a ground to revoke its certificate (advice 2.1 A), for its certification
/// body; an amount to claim from its guarantee deposit (2.1 C), for the admission authority.
pub fn fine_irrevocable(cert: &Certificate, fine: &crate::store::Fine, now: DateTime<Utc>) -> Event {
    Event::new(
        EventType::CertificateFineIrrevocable,
        &cert.kvk_number,
        &[format!("certification_body:{}", cert.certification_body_id).as_str(), party::ADMISSION_AUTHORITY],
        json!({
            "certificate_id": cert.certificate_id,
            "kvk_number": cert.kvk_number,
            "fine_id": fine.fine_id,
            "offence": fine.offence,
            "amount_cents": fine.amount_cents,
            "irrevocable_on": fine.irrevocable_on,
        }),
        now,
    )
}

/// One of the buildings the agency houses workers in lost its quality mark: its
/// certification body must look at the housing requirement (advice 4 and 2.1).
pub fn housing_mark_ended(cert: &Certificate, housing: &Event, now: DateTime<Utc>) -> Event {
    Event::new(
        EventType::CertificateHousingMarkEnded,
        &cert.kvk_number,
        &[format!("certification_body:{}", cert.certification_body_id).as_str()],
        json!({
            "certificate_id": cert.certificate_id,
            "kvk_number": cert.kvk_number,
            "certification_body_id": cert.certification_body_id,
            "bag_id": housing.payload["bag_id"],
            "mark_status": housing.payload["status"],
            "reason": housing.payload["reason"],
            "housing_event_id": housing.event_id,
        }),
        now,
    )
}

/// A hirer reported a notifiable accident of a temporary worker: the agency must report it
/// to the Labour Authority and record a safety check; the inspectorate follows. What
/// happened (free text) stays in the register.
pub fn accident_reported(a: &crate::store::Accident, now: DateTime<Utc>) -> Event {
    let agency = format!("agency:{}", a.agency_kvk);
    Event::new(
        EventType::CertificateAccidentReported,
        &a.agency_kvk,
        &[agency.as_str(), party::INSPECTORATE],
        accident_facts(a),
        now,
    )
}

/// The agency did not report an accident to the Labour Authority in time.
pub fn accident_report_late(a: &crate::store::Accident, now: DateTime<Utc>) -> Event {
    Event::new(EventType::CertificateAccidentReportLate, &a.agency_kvk, &[party::INSPECTORATE], accident_facts(a), now)
}

/// The agency recorded its safety check: its workers may work at that hirer again.
pub fn safety_checked(a: &crate::store::Accident, now: DateTime<Utc>) -> Event {
    let hirer = format!("hirer:{}", a.hirer_kvk);
    Event::new(
        EventType::CertificateSafetyChecked,
        &a.agency_kvk,
        &[hirer.as_str(), party::INSPECTORATE],
        accident_facts(a),
        now,
    )
}

fn accident_facts(a: &crate::store::Accident) -> serde_json::Value {
    json!({
        "accident_id": a.accident_id,
        "kvk_number": a.agency_kvk,
        "hirer_kvk": a.hirer_kvk,
        "kind": a.kind,
        "occurred_on": a.occurred_on,
        "report_due_at": a.report_due_at,
    })
}

/// A worker complained about the agency's work practices: the Labour Authority and the
/// agency's certification body hear of it (the category only), never the agency.
pub fn work_complaint_received(w: &crate::store::WorkComplaint, body: Option<&str>, now: DateTime<Utc>) -> Event {
    let body = body.map(|b| format!("certification_body:{b}"));
    let mut to = vec![party::INSPECTORATE];
    if let Some(b) = &body {
        to.push(b.as_str());
    }
    Event::new(
        EventType::CertificateWorkComplaintReceived,
        &w.agency_kvk,
        &to,
        json!({ "complaint_id": w.complaint_id, "kvk_number": w.agency_kvk, "category": w.category }),
        now,
    )
}
