//! Every event one register tells the others: the one list of what can happen on the
//! stream, each type with its payload. A register writes an event only as a [`Body`], and
//! a consumer matches on it, so that a new event is one line here (and a payload type in
//! [`payload`]) and the compiler points at every producer and consumer that must decide
//! about it. What travels and is signed is derived from the body: its spelling
//! (`certificate.revoked`) and its payload as JSON.

use serde::{Deserialize, Serialize};

pub mod payload;

use payload::*;

/// Declares [`EventType`] and [`Body`] from one list, so that the two cannot drift.
macro_rules! events {
    ($($(#[$meta:meta])* $variant:ident = $text:literal => $payload:ty),+ $(,)?) => {
        crate::text_enum! {
            /// What happened, by the register it happened in (`<family>.<what>`).
            pub enum EventType {
                $($(#[$meta])* $variant = $text),+
            }
        }

        /// What an event says: its type and the payload of that type. Serialized as the two
        /// fields the stream carries and the producer signs, `event_type` and `payload`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "event_type", content = "payload")]
        pub enum Body {
            $($(#[$meta])* #[serde(rename = $text)] $variant($payload)),+
        }

        impl Body {
            pub fn kind(&self) -> EventType {
                match self {
                    $(Body::$variant(_) => EventType::$variant),+
                }
            }
        }
    };
}

events! {
    /// A provisional certificate was issued (advice 2.1: three months' probation).
    CertificateProvisionalIssued = "certificate.provisional_issued" => Issued,
    /// A full certificate was issued without probation.
    CertificateIssuedFull = "certificate.issued_full" => Issued,
    /// A certificate was certified (the audit found the requirements met).
    CertificateCertified = "certificate.certified" => StatusChanged,
    CertificateExtended = "certificate.extended" => StatusChanged,
    CertificateSuspended = "certificate.suspended" => StatusChanged,
    CertificateReinstated = "certificate.reinstated" => StatusChanged,
    CertificateRevoked = "certificate.revoked" => StatusChanged,
    /// A certificate lapsed (its term, or a rule of time).
    CertificateLapsed = "certificate.lapsed" => StatusChanged,
    CertificateWithdrawn = "certificate.withdrawn" => StatusChanged,
    /// The withdrawal escaped a sanction (a signal to the Labour Authority).
    CertificateWithdrawnToEscape = "certificate.withdrawn_to_escape" => StatusChanged,
    CertificateAuditRecorded = "certificate.audit_recorded" => StatusChanged,
    /// A final sanction against the agency was recorded.
    CertificateFinalSanctionRecorded = "certificate.final_sanction_recorded" => FinalSanction,
    /// A certificate was refused: an officer ran an agency still in its waiting period.
    CertificateEntryRefusedLinkedOfficer = "certificate.entry_refused_linked_officer" => EntryRefused,
    /// The Labour Authority asked the body to suspend.
    CertificateSuspensionRequested = "certificate.suspension_requested" => SuspensionRequested,
    /// A suspension was not remedied by its deadline.
    CertificateSuspensionOverdue = "certificate.suspension_overdue" => SuspensionOverdue,
    /// A serious deficiency stayed open past its deadline.
    CertificateDeficiencyOverdue = "certificate.deficiency_overdue" => DeficiencyOverdue,
    CertificateEvidenceExpired = "certificate.evidence_expired" => EvidenceExpired,
    CertificateFineIrrevocable = "certificate.fine_irrevocable" => FineIrrevocable,
    /// A building the agency houses workers in lost its mark.
    CertificateHousingMarkEnded = "certificate.housing_mark_ended" => HousingMarkEnded,
    /// A hirer reported an accident with the agency's worker.
    CertificateAccidentReported = "certificate.accident_reported" => Accident,
    /// The agency did not report an accident in time.
    CertificateAccidentReportLate = "certificate.accident_report_late" => Accident,
    /// The agency recorded its safety check after an accident.
    CertificateSafetyChecked = "certificate.safety_checked" => Accident,
    /// A worker complained about work (anonymous).
    CertificateWorkComplaintReceived = "certificate.work_complaint_received" => WorkComplaintReceived,
    CertificateBodyAccreditation = "certificate.body_accreditation" => Accreditation,
    BanInForce = "ban.in_force" => BanInForce,
    BanOfficerBanned = "ban.officer_banned" => OfficerBanned,
    /// A banned person was appointed officer of an agency.
    BanBannedOfficerAppointed = "ban.banned_officer_appointed" => BannedOfficerAppointed,
    /// An officer runs or ran another agency (the phoenix radar).
    BanLinkedOfficer = "ban.linked_officer" => LinkedOfficer,
    BanLifted = "ban.lifted" => BanLifted,
    DepositPayout = "deposit.payout" => Payout,
    /// A deposit fell short of what it must hold.
    DepositShortfall = "deposit.shortfall" => Shortfall,
    /// A deposit holds what it must again.
    DepositAdequate = "deposit.adequate" => Adequate,
    /// A shortfall was not topped up in time.
    DepositShortfallOverdue = "deposit.shortfall_overdue" => Shortfall,
    DepositWorkerClaimFiled = "deposit.worker_claim_filed" => ClaimFiled,
    DepositClaimAssessed = "deposit.claim_assessed" => ClaimAssessed,
    GaccountRequested = "gaccount.requested" => GAccountChanged,
    GaccountActivated = "gaccount.activated" => GAccountChanged,
    GaccountBlocked = "gaccount.blocked" => GAccountChanged,
    GaccountClosed = "gaccount.closed" => GAccountChanged,
    HousingMarkCertified = "housing.mark_certified" => MarkChanged,
    HousingMarkSuspended = "housing.mark_suspended" => MarkChanged,
    HousingMarkRevoked = "housing.mark_revoked" => MarkChanged,
    HousingMarkExpired = "housing.mark_expired" => MarkChanged,
    HousingPlacementMarkLost = "housing.placement_mark_lost" => PlacementMarkLost,
    /// More people live in a building than its mark allows.
    HousingOverCapacity = "housing.over_capacity" => OverCapacity,
    HousingRehousingOpened = "housing.rehousing_opened" => Rehousing,
    HousingRehousingOverdue = "housing.rehousing_overdue" => Rehousing,
    HousingRehousingClosed = "housing.rehousing_closed" => Rehousing,
    HousingComplaintReceived = "housing.complaint_received" => ComplaintReceived,
    HousingComplaintAccepted = "housing.complaint_accepted" => ComplaintAccepted,
    /// KvK deregistered an agency's staffing activity without a ground.
    KvkUnjustifiedDeregistration = "kvk.unjustified_deregistration" => UnjustifiedDeregistration,
}

/// The service whose key alone may sign events whose type starts with this family
/// (`deposit.*` by deposits, …), known or not yet known to this version.
pub fn producer_of_family(event_type: &str) -> Option<&'static str> {
    Some(match event_type.split('.').next()? {
        "certificate" => "certificates",
        "ban" => "bans",
        "deposit" => "deposits",
        "gaccount" => "gaccounts",
        "housing" => "housing",
        "kvk" => "lookup",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_has_one_spelling_and_a_producer() {
        crate::vocab::assert_round_trips::<EventType>();
        for kind in EventType::ALL {
            assert!(producer_of_family(kind.as_str()).is_some(), "{kind}");
        }
        assert_eq!(producer_of_family(EventType::KvkUnjustifiedDeregistration.as_str()), Some("lookup"));
        assert_eq!(producer_of_family("deposit.something_new"), Some("deposits"), "a newer type's family");
        assert_eq!(producer_of_family("nobody.anything"), None);
    }

    #[test]
    fn a_body_travels_as_its_type_s_spelling_and_its_payload() {
        let body = Body::DepositAdequate(Adequate { kvk_number: "12345678".into() });
        let wire = serde_json::to_value(&body).expect("serializes");
        assert_eq!(
            wire,
            serde_json::json!({ "event_type": "deposit.adequate", "payload": { "kvk_number": "12345678" } })
        );
        assert_eq!(body.kind(), EventType::DepositAdequate);
        assert_eq!(serde_json::from_value::<Body>(wire).expect("reads back"), body);
        // The type decides how the payload reads: the same payload under another type is
        // read as that type's, or refused.
        let wrong = serde_json::json!({ "event_type": "ban.lifted", "payload": { "kvk_number": "12345678" } });
        assert!(serde_json::from_value::<Body>(wrong).is_err());
    }
}
