//! Every event one register tells the others, by type: the one list of what can happen on
//! the stream. A register writes an event only through its type here, and a consumer
//! matches on it, so that a new event is added in this one place and the compiler points at
//! every consumer that must decide about it. The spelling (`certificate.revoked`) is what
//! travels and what the producer signs.

crate::text_enum! {
    /// What happened, by the register it happened in (`<family>.<what>`).
    pub enum EventType {
        /// A provisional certificate was issued (advice 2.1: three months' probation).
        CertificateProvisionalIssued = "certificate.provisional_issued",
        /// A full certificate was issued after the probation.
        CertificateIssuedFull = "certificate.issued_full",
        /// A certificate was certified (the audit found the requirements met).
        CertificateCertified = "certificate.certified",
        /// A certificate was extended for another period.
        CertificateExtended = "certificate.extended",
        /// A certificate was suspended.
        CertificateSuspended = "certificate.suspended",
        /// A suspended certificate was reinstated.
        CertificateReinstated = "certificate.reinstated",
        /// A certificate was revoked.
        CertificateRevoked = "certificate.revoked",
        /// A certificate lapsed (its term, or a rule of time).
        CertificateLapsed = "certificate.lapsed",
        /// The agency withdrew its certificate.
        CertificateWithdrawn = "certificate.withdrawn",
        /// The withdrawal escaped a sanction (a signal to the Labour Authority).
        CertificateWithdrawnToEscape = "certificate.withdrawn_to_escape",
        /// An audit was recorded.
        CertificateAuditRecorded = "certificate.audit_recorded",
        /// A final sanction against the agency was recorded.
        CertificateFinalSanctionRecorded = "certificate.final_sanction_recorded",
        /// A certificate was refused: an officer ran an agency still in its waiting period.
        CertificateEntryRefusedLinkedOfficer = "certificate.entry_refused_linked_officer",
        /// The Labour Authority asked the body to suspend.
        CertificateSuspensionRequested = "certificate.suspension_requested",
        /// A requested suspension was not decided in time.
        CertificateSuspensionOverdue = "certificate.suspension_overdue",
        /// A serious deficiency stayed open past its deadline.
        CertificateDeficiencyOverdue = "certificate.deficiency_overdue",
        /// Evidence for a requirement expired.
        CertificateEvidenceExpired = "certificate.evidence_expired",
        /// A fine on the agency became irrevocable.
        CertificateFineIrrevocable = "certificate.fine_irrevocable",
        /// A building the agency houses workers in lost its mark.
        CertificateHousingMarkEnded = "certificate.housing_mark_ended",
        /// A hirer reported an accident with the agency's worker.
        CertificateAccidentReported = "certificate.accident_reported",
        /// The agency did not report an accident in time.
        CertificateAccidentReportLate = "certificate.accident_report_late",
        /// The agency recorded its safety check after an accident.
        CertificateSafetyChecked = "certificate.safety_checked",
        /// A worker complained about work (anonymous).
        CertificateWorkComplaintReceived = "certificate.work_complaint_received",
        /// Whether a certification body is accredited now.
        CertificateBodyAccreditation = "certificate.body_accreditation",
        /// A ban came into force.
        BanInForce = "ban.in_force",
        /// An officer of an agency is under a ban.
        BanOfficerBanned = "ban.officer_banned",
        /// A banned person was appointed officer of an agency.
        BanBannedOfficerAppointed = "ban.banned_officer_appointed",
        /// An officer runs or ran another agency (the phoenix radar).
        BanLinkedOfficer = "ban.linked_officer",
        /// A ban was lifted or ended.
        BanLifted = "ban.lifted",
        /// A payout was made from a guarantee deposit.
        DepositPayout = "deposit.payout",
        /// A deposit fell short of what it must hold.
        DepositShortfall = "deposit.shortfall",
        /// A deposit holds what it must again.
        DepositAdequate = "deposit.adequate",
        /// A shortfall was not topped up in time.
        DepositShortfallOverdue = "deposit.shortfall_overdue",
        /// A worker filed a wage claim.
        DepositWorkerClaimFiled = "deposit.worker_claim_filed",
        /// A wage claim was assessed.
        DepositClaimAssessed = "deposit.claim_assessed",
        /// A G-account was requested.
        GaccountRequested = "gaccount.requested",
        /// A G-account is active.
        GaccountActivated = "gaccount.activated",
        /// A G-account was blocked.
        GaccountBlocked = "gaccount.blocked",
        /// A G-account was closed.
        GaccountClosed = "gaccount.closed",
        /// A building's mark was certified.
        HousingMarkCertified = "housing.mark_certified",
        /// A building's mark was suspended.
        HousingMarkSuspended = "housing.mark_suspended",
        /// A building's mark was revoked.
        HousingMarkRevoked = "housing.mark_revoked",
        /// A building's mark expired.
        HousingMarkExpired = "housing.mark_expired",
        /// A placement's building lost its mark.
        HousingPlacementMarkLost = "housing.placement_mark_lost",
        /// More people live in a building than its mark allows.
        HousingOverCapacity = "housing.over_capacity",
        /// A rehousing case was opened.
        HousingRehousingOpened = "housing.rehousing_opened",
        /// A rehousing case passed its deadline.
        HousingRehousingOverdue = "housing.rehousing_overdue",
        /// A rehousing case was closed.
        HousingRehousingClosed = "housing.rehousing_closed",
        /// A resident's complaint was received.
        HousingComplaintReceived = "housing.complaint_received",
        /// A complaint was accepted for follow-up.
        HousingComplaintAccepted = "housing.complaint_accepted",
        /// KvK deregistered an agency's staffing activity without a ground.
        KvkUnjustifiedDeregistration = "kvk.unjustified_deregistration",
    }
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
}
