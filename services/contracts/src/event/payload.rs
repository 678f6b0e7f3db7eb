//! The payload of each event type: what a consumer may rely on, and never personal data
//! (no BSN, no name, no complaint text, no IBAN). Where a payload names an agency, it is
//! by its KvK number; a building, by its BAG id.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ban::{OfficerLink, OfficerRole};
use crate::certificate::{AccidentKind, Ground, Offence, RequirementCode, SanctionKind, WorkComplaintCategory};
use crate::deposit::{ClaimStatus, ClaimType, Presumption};
use crate::housing::{RehousingClosed, RehousingReason};
use crate::kvk::Signalled;
use crate::{CertificateStatus, ComplaintCategory, GAccountStatus, MarkStatus};

/// A new certificate (provisional, or full without probation): the bans and housing
/// registers let its body read about the agency from now on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issued {
    pub certificate_id: Uuid,
    pub kvk_number: String,
    pub certification_body_id: String,
    pub status: CertificateStatus,
    pub probation_ends_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChanged {
    pub certificate_id: Uuid,
    pub kvk_number: String,
    pub certification_body_id: String,
    pub previous_status: CertificateStatus,
    pub status: CertificateStatus,
    pub reason: Option<String>,
    /// Present when the certificate no longer allows work: the bans register follows the
    /// persons who ran the agency until then.
    #[serde(flatten)]
    pub ended: Option<Ended>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ended {
    pub issued_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    /// The ground it ended on (for a withdrawal: the sanction it escaped).
    pub ground: Option<Ground>,
    /// The last day of the waiting period it starts, when it starts one.
    pub waits_until: Option<NaiveDate>,
}

/// A final sanction against an agency, as its certification body may revoke on it and the
/// admission authority claims it from the deposit. Public facts of a company; no person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinalSanction {
    pub sanction_id: Uuid,
    pub kvk_number: String,
    pub kind: SanctionKind,
    pub authority: String,
    pub reference: String,
    pub decided_on: NaiveDate,
    pub irrevocable_on: NaiveDate,
    pub amount_cents: Option<i64>,
    pub recorded_at: DateTime<Utc>,
}

/// A certificate refused because an officer ran an agency still in its waiting period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryRefused {
    pub kvk_number: String,
    pub certification_body_id: String,
    pub links: Vec<OfficerLink>,
}

/// The Labour Authority asks a certificate's body to suspend it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuspensionRequested {
    pub certificate_id: Uuid,
    pub kvk_number: String,
    pub reason: String,
}

/// A suspension not remedied by its deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuspensionOverdue {
    pub certificate_id: Uuid,
    pub kvk_number: String,
    pub certification_body_id: String,
    pub reason: Option<String>,
    pub remedy_by: Option<NaiveDate>,
}

/// A serious deficiency not remedied by its deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeficiencyOverdue {
    pub certificate_id: Uuid,
    pub kvk_number: String,
    pub deficiency_id: Uuid,
    pub description: String,
    pub remedy_by: NaiveDate,
}

/// Evidence for a requirement expired: fresh evidence is due by `remedy_by`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceExpired {
    pub certificate_id: Uuid,
    pub kvk_number: String,
    pub deficiency_id: Uuid,
    pub requirement: Option<RequirementCode>,
    pub remedy_by: NaiveDate,
}

/// A fine on an agency with a certificate in force became irrevocable (advice 2.1 A, C).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FineIrrevocable {
    pub certificate_id: Uuid,
    pub kvk_number: String,
    pub fine_id: Uuid,
    pub offence: Offence,
    pub amount_cents: i64,
    pub irrevocable_on: Option<NaiveDate>,
}

/// A building the agency houses workers in lost its mark, passed to its body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HousingMarkEnded {
    pub certificate_id: Uuid,
    pub kvk_number: String,
    pub certification_body_id: String,
    pub bag_id: String,
    pub mark_status: MarkStatus,
    pub reason: Option<String>,
    pub housing_event_id: Uuid,
}

/// A notifiable accident. What happened (free text) stays in the register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accident {
    pub accident_id: Uuid,
    pub kvk_number: String,
    pub hirer_kvk: String,
    pub kind: AccidentKind,
    pub occurred_on: NaiveDate,
    pub report_due_at: DateTime<Utc>,
}

/// A worker's complaint about work: its category only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkComplaintReceived {
    pub complaint_id: Uuid,
    pub kvk_number: String,
    pub category: WorkComplaintCategory,
}

/// Whether a certification body is accredited from the event's time on: the registers
/// that let a body read about its agencies end (or restore) that with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accreditation {
    pub certification_body_id: String,
    pub accredited: bool,
}

/// A ban came into force (KvK checks every officer it registers against it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BanInForce {
    pub ban_id: Uuid,
    pub roles_covered: Vec<OfficerRole>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

/// A ban in force covers a current officer of the agency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfficerBanned {
    pub ban_id: Uuid,
    pub kvk_number: String,
    pub role: OfficerRole,
    pub starts_on: NaiveDate,
}

/// A banned person was registered as an officer of the agency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BannedOfficerAppointed {
    pub ban_id: Uuid,
    pub kvk_number: String,
    pub role: OfficerRole,
}

/// A current officer of the agency ran another whose waiting period still runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkedOfficer {
    pub kvk_number: String,
    #[serde(flatten)]
    pub link: OfficerLink,
}

/// A ban was lifted: told once about the ban, and once per agency where it covered an
/// officer (then with the agency and the role).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BanLifted {
    pub ban_id: Uuid,
    pub lifted_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kvk_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<OfficerRole>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payout {
    pub kvk_number: String,
    pub claim_id: Uuid,
    pub amount_cents: i64,
}

/// A deposit below what it must hold, to be topped up by a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shortfall {
    pub kvk_number: String,
    pub top_up_by: NaiveDate,
}

/// A deposit back at what it must hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adequate {
    pub kvk_number: String,
}

/// A worker's claim was filed: no name, no BSN, no story, never the worker's private link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimFiled {
    pub kvk_number: String,
    pub claim_id: Uuid,
    pub claim_type: ClaimType,
    /// The agency holds no deposit: the Labour Authority acts.
    pub no_deposit: bool,
}

/// A claim was assessed: accepted for an amount, or rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimAssessed {
    pub kvk_number: String,
    pub claim_id: Uuid,
    pub status: ClaimStatus,
    pub accepted_cents: Option<i64>,
    pub presumption: Option<Presumption>,
}

/// A G-account changed status. No IBAN: consumers need the fact, not the number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GAccountChanged {
    pub g_account_id: Uuid,
    pub kvk_number: String,
    pub status: GAccountStatus,
    pub previous_status: Option<GAccountStatus>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkChanged {
    pub bag_id: String,
    pub municipality: String,
    pub provider_kvk: String,
    pub mark_id: Uuid,
    pub previous_status: MarkStatus,
    pub status: MarkStatus,
    pub reason: String,
}

/// A building the agency houses workers in lost its valid mark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacementMarkLost {
    pub kvk_number: String,
    pub bag_id: String,
    pub status: MarkStatus,
}

/// More people reported than the building may house.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverCapacity {
    pub bag_id: String,
    pub municipality: String,
    pub provider_kvk: String,
    pub occupancy: i32,
    pub capacity: Option<i32>,
    /// Its capacity, or fewer where the permit allows fewer.
    pub allowed: i32,
}

/// A rehousing case the provider owes the people living in a building whose mark ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rehousing {
    pub case_id: Uuid,
    pub bag_id: String,
    pub municipality: String,
    pub provider_kvk: String,
    pub people: i32,
    pub reason: RehousingReason,
    pub deadline: NaiveDate,
    pub closed_because: Option<RehousingClosed>,
}

/// A resident's complaint: its category only, never its text or who complained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplaintReceived {
    pub bag_id: String,
    pub municipality: String,
    pub category: ComplaintCategory,
    /// Whether the register holds the building (a complaint about one it does not is kept
    /// and followed up all the same).
    pub registered: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplaintAccepted {
    pub bag_id: String,
    pub municipality: String,
    pub category: ComplaintCategory,
    pub inspection_id: Uuid,
}

/// KvK deregistered a staffing activity while signals stood against it (advice 2.1 A, D).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnjustifiedDeregistration {
    pub kvk_check_id: Uuid,
    pub kvk_number: String,
    pub date: NaiveDate,
    pub signals: Vec<Signalled>,
}
