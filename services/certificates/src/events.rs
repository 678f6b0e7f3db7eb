//! What the certificates register publishes.
//!
//! Events name the parties that must act (`addressed_to`): KvK must deregister the
//! staffing activity of an agency whose certificate is revoked, lapsed or withdrawn
//! (advice 2.1 A/D, 6.1 E); the inspectorate must hear of unremedied serious deficiencies
//! and of agencies that withdraw while suspended; a certification body hears of the
//! inspectorate's suspension requests. Every status change is published, addressed or
//! not, so that lookups and subscribed hirers see it.

use chrono::{DateTime, Utc};
use platform::event::Body;
use platform::event::payload::{self, Ended};
use platform::outbox::Event;

use crate::domain::lifecycle::Action;
use crate::domain::reentry::Ground;
use crate::store::{Certificate, Deficiency};

/// Party names used in `addressed_to`.
pub mod party {
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

fn changed(before: &Certificate, after: &Certificate, reason: Option<&str>, ending: Ending) -> payload::StatusChanged {
    payload::StatusChanged {
        certificate_id: after.certificate_id,
        kvk_number: after.kvk_number.clone(),
        certification_body_id: after.certification_body_id.clone(),
        previous_status: before.status,
        status: after.status,
        reason: reason.map(String::from),
        // The end and its waiting period: the bans register follows the persons who ran the
        // agency until then.
        ended: (!after.status.is_active()).then_some(Ended {
            issued_on: after.issued_on,
            ended_on: after.ended_on,
            ground: ending.ground,
            waits_until: ending.waits_until,
        }),
    }
}

/// How a certificate ended, for the events that say so.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ending {
    /// The ground the change is recorded with (for a withdrawal: the sanction it escapes).
    pub ground: Option<Ground>,
    /// The end of the waiting period it starts (`Ended::waits_until`), if any.
    pub waits_until: Option<chrono::NaiveDate>,
}

pub fn for_transition(
    action: Action,
    before: &Certificate,
    after: &Certificate,
    reason: Option<&str>,
    ending: Ending,
    now: DateTime<Utc>,
) -> Vec<Event> {
    let ground = ending.ground;
    let event = |make: fn(payload::StatusChanged) -> Body, to: &[&str]| {
        Event::new(make(changed(before, after, reason, ending)), &after.kvk_number, to, now)
    };
    let body = certification_body(&after.certification_body_id);
    // An ending goes to KvK (deregistration), to the Labour Authority and the tax authority
    // (advice 2.1 A, D: they follow who leaves the market), and to the registers that
    // grant a body reading rights by its certificates.
    let to_all = [party::KVK, party::INSPECTORATE, party::TAX, party::BANS, party::HOUSING];
    match action {
        Action::Extend => vec![event(Body::CertificateExtended, &[])],
        Action::Certify => vec![event(Body::CertificateCertified, &[])],
        // The body must act on a suspension it did not impose itself (a ban, a blocked
        // G-account), and the inspectorate follows every suspension.
        Action::Suspend => vec![event(Body::CertificateSuspended, &[body.as_str(), party::INSPECTORATE])],
        Action::Reinstate => vec![event(Body::CertificateReinstated, &[])],
        Action::Revoke => vec![event(Body::CertificateRevoked, &to_all)],
        Action::Lapse => vec![event(Body::CertificateLapsed, &to_all)],
        Action::Withdraw => match ground.filter(|g| g.is_escape()) {
            // Withdrawing to escape a sanction is never a clean exit (advice 2.1): it is
            // recorded with the sanction, counts as a revocation for the waiting period,
            // and the Labour Authority and the admission authority hear of it.
            Some(_) => vec![
                event(Body::CertificateWithdrawn, &to_all),
                event(Body::CertificateWithdrawnToEscape, &[party::INSPECTORATE, party::ADMISSION_AUTHORITY]),
            ],
            None => vec![event(Body::CertificateWithdrawn, &to_all)],
        },
        Action::Audit => vec![event(Body::CertificateAuditRecorded, &[])],
        Action::RecordRequirement => vec![],
    }
}

/// A final sanction against the agency was recorded: its certification body (if it holds
/// a live certificate) may revoke on it; the admission authority claims a fine from the
/// deposit. Public facts of a company's sanction; no person.
pub fn final_sanction_recorded(s: &crate::store::FinalSanction, body: Option<&str>, now: DateTime<Utc>) -> Event {
    let body = body.map(certification_body);
    let mut to = vec![party::ADMISSION_AUTHORITY];
    to.extend(body.as_deref());
    Event::new(Body::CertificateFinalSanctionRecorded(s.clone()), &s.kvk_number, &to, now)
}

/// The party name of certification body `id` in `addressed_to`.
fn certification_body(id: &str) -> String {
    format!("certification_body:{id}")
}

/// A body tried to issue a certificate to an agency whose officer ran another agency
/// still in its waiting period (the phoenix radar): the Labour Authority follows up.
pub fn entry_refused_linked(
    kvk: &str,
    body: &str,
    links: &[crate::domain::reentry::Link],
    now: DateTime<Utc>,
) -> Event {
    let what =
        payload::EntryRefused { kvk_number: kvk.into(), certification_body_id: body.into(), links: links.to_vec() };
    Event::new(Body::CertificateEntryRefusedLinkedOfficer(what), kvk, &[party::INSPECTORATE], now)
}

/// Whether a certification body is accredited now: the registers that let a body read
/// about its agencies end (or restore) that with it.
pub fn accreditation(body: &crate::store::Body, now: DateTime<Utc>) -> Event {
    let what = payload::Accreditation {
        certification_body_id: body.certification_body_id.clone(),
        accredited: body.accredited,
    };
    Event::new(
        Body::CertificateBodyAccreditation(what),
        &body.certification_body_id,
        &[party::BANS, party::HOUSING],
        now,
    )
}

/// A new certificate: a provisional one, or a full one issued without probation.
pub fn issued(cert: &Certificate, now: DateTime<Utc>) -> Event {
    let what = payload::Issued {
        certificate_id: cert.certificate_id,
        kvk_number: cert.kvk_number.clone(),
        certification_body_id: cert.certification_body_id.clone(),
        status: cert.status,
        probation_ends_on: cert.probation_ends_on,
    };
    let body = if cert.status == crate::domain::Status::Provisional {
        Body::CertificateProvisionalIssued(what)
    } else {
        Body::CertificateIssuedFull(what)
    };
    Event::new(body, &cert.kvk_number, &[party::BANS, party::HOUSING], now)
}

/// The inspectorate asks the certificate's body to suspend it.
pub fn suspension_requested(cert: &Certificate, reason: &str, now: DateTime<Utc>) -> Event {
    let what = payload::SuspensionRequested {
        certificate_id: cert.certificate_id,
        kvk_number: cert.kvk_number.clone(),
        reason: reason.into(),
    };
    let body = certification_body(&cert.certification_body_id);
    Event::new(Body::CertificateSuspensionRequested(what), &cert.kvk_number, &[body.as_str()], now)
}

/// A suspension was not remedied by its deadline.
pub fn suspension_overdue(cert: &Certificate, now: DateTime<Utc>) -> Event {
    let what = payload::SuspensionOverdue {
        certificate_id: cert.certificate_id,
        kvk_number: cert.kvk_number.clone(),
        certification_body_id: cert.certification_body_id.clone(),
        reason: cert.suspension_reason.clone(),
        remedy_by: cert.suspension_remedy_by,
    };
    Event::new(Body::CertificateSuspensionOverdue(what), &cert.kvk_number, &[party::INSPECTORATE], now)
}

/// A serious deficiency was not remedied by its deadline.
pub fn deficiency_overdue(kvk: &str, certificate_id: uuid::Uuid, d: &Deficiency, now: DateTime<Utc>) -> Event {
    let what = payload::DeficiencyOverdue {
        certificate_id,
        kvk_number: kvk.into(),
        deficiency_id: d.deficiency_id,
        description: d.description.clone(),
        remedy_by: d.remedy_by,
    };
    Event::new(Body::CertificateDeficiencyOverdue(what), kvk, &[party::INSPECTORATE], now)
}

/// Evidence for a requirement no longer holds: the certification body must have fresh
/// evidence by the deficiency's deadline, or the certificate is suspended.
pub fn evidence_expired(cert: &Certificate, d: &Deficiency, now: DateTime<Utc>) -> Event {
    let what = payload::EvidenceExpired {
        certificate_id: cert.certificate_id,
        kvk_number: cert.kvk_number.clone(),
        deficiency_id: d.deficiency_id,
        requirement: d.requirement,
        remedy_by: d.remedy_by,
    };
    let body = certification_body(&cert.certification_body_id);
    Event::new(Body::CertificateEvidenceExpired(what), &cert.kvk_number, &[body.as_str()], now)
}

/// A fine on a company that is itself an agency with a certificate in force became
/// irrevocable: a ground to revoke its certificate (advice 2.1 A), for its certification
/// body; an amount to claim from its guarantee deposit (2.1 C), for the admission authority.
pub fn fine_irrevocable(cert: &Certificate, fine: &crate::store::Fine, now: DateTime<Utc>) -> Event {
    let what = payload::FineIrrevocable {
        certificate_id: cert.certificate_id,
        kvk_number: cert.kvk_number.clone(),
        fine_id: fine.fine_id,
        offence: fine.offence,
        amount_cents: fine.amount_cents,
        irrevocable_on: fine.irrevocable_on,
    };
    let body = certification_body(&cert.certification_body_id);
    Event::new(
        Body::CertificateFineIrrevocable(what),
        &cert.kvk_number,
        &[body.as_str(), party::ADMISSION_AUTHORITY],
        now,
    )
}

/// What a housing event passed on to a certification body says of the building.
#[derive(Debug, Clone)]
pub struct MarkEnded {
    pub bag_id: String,
    pub status: zegel_contracts::MarkStatus,
    /// Why, when the housing register said.
    pub reason: Option<String>,
    pub event_id: uuid::Uuid,
}

/// One of the buildings the agency houses workers in lost its quality mark: its
/// certification body must look at the housing requirement (advice 4 and 2.1).
pub fn housing_mark_ended(cert: &Certificate, mark: &MarkEnded, now: DateTime<Utc>) -> Event {
    let what = payload::HousingMarkEnded {
        certificate_id: cert.certificate_id,
        kvk_number: cert.kvk_number.clone(),
        certification_body_id: cert.certification_body_id.clone(),
        bag_id: mark.bag_id.clone(),
        mark_status: mark.status,
        reason: mark.reason.clone(),
        housing_event_id: mark.event_id,
    };
    let body = certification_body(&cert.certification_body_id);
    Event::new(Body::CertificateHousingMarkEnded(what), &cert.kvk_number, &[body.as_str()], now)
}

/// A hirer reported a notifiable accident of a temporary worker: the agency must report it
/// to the Labour Authority and record a safety check; the inspectorate follows. What
/// happened (free text) stays in the register.
pub fn accident_reported(a: &crate::store::Accident, now: DateTime<Utc>) -> Event {
    let agency = format!("agency:{}", a.agency_kvk);
    let to = [agency.as_str(), party::INSPECTORATE];
    Event::new(Body::CertificateAccidentReported(accident_facts(a)), &a.agency_kvk, &to, now)
}

/// The agency did not report an accident to the Labour Authority in time.
pub fn accident_report_late(a: &crate::store::Accident, now: DateTime<Utc>) -> Event {
    Event::new(Body::CertificateAccidentReportLate(accident_facts(a)), &a.agency_kvk, &[party::INSPECTORATE], now)
}

/// The agency recorded its safety check: its workers may work at that hirer again.
pub fn safety_checked(a: &crate::store::Accident, now: DateTime<Utc>) -> Event {
    let hirer = format!("hirer:{}", a.hirer_kvk);
    let to = [hirer.as_str(), party::INSPECTORATE];
    Event::new(Body::CertificateSafetyChecked(accident_facts(a)), &a.agency_kvk, &to, now)
}

fn accident_facts(a: &crate::store::Accident) -> payload::Accident {
    payload::Accident {
        accident_id: a.accident_id,
        kvk_number: a.agency_kvk.clone(),
        hirer_kvk: a.hirer_kvk.clone(),
        kind: a.kind,
        occurred_on: a.occurred_on,
        report_due_at: a.report_due_at,
    }
}

/// A worker complained about the agency's work practices: the Labour Authority and the
/// agency's certification body hear of it (the category only), never the agency.
pub fn work_complaint_received(w: &crate::store::WorkComplaint, body: Option<&str>, now: DateTime<Utc>) -> Event {
    let body = body.map(certification_body);
    let mut to = vec![party::INSPECTORATE];
    to.extend(body.as_deref());
    let what = payload::WorkComplaintReceived {
        complaint_id: w.complaint_id,
        kvk_number: w.agency_kvk.clone(),
        category: w.category,
    };
    Event::new(Body::CertificateWorkComplaintReceived(what), &w.agency_kvk, &to, now)
}
