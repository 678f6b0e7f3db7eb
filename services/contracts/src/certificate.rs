//! A staffing agency's certificate as the other registers and the public learn of it: why
//! one ended (its ground, kept in its public history and on its events) and the final
//! sanctions a body may cite for a revocation (issue 31; advice 2.1 A, D). One sanction
//! kind maps to one revocation ground.

crate::text_enum! {
    /// Why a certificate ended, as kept in its public history (a code, never the reason's
    /// text): the grounds a certification body revokes on, and the sanctions a withdrawal
    /// was made to escape.
    pub enum Ground {
        /// Revoked: an irrevocable fine (advice 2.1 A).
        IrrevocableFine = "irrevocable_fine",
        /// Revoked: a criminal sanction.
        CriminalSanction = "criminal_sanction",
        /// Revoked: the requirements are no longer met.
        RequirementsNotMet = "requirements_not_met",
        /// Revoked: a suspension was not remedied in time.
        SuspensionNotRemedied = "suspension_not_remedied",
        /// Revoked on another ground (named in the reason).
        Other = "other",
        EscapedSuspension = "escaped_suspension",
        /// Withdrawn while the Labour Authority's request to suspend was pending.
        EscapedSuspensionRequest = "escaped_suspension_request",
        EscapedSeriousDeficiency = "escaped_serious_deficiency",
        /// Withdrawn with a fine on the agency not yet settled (decided, objection or appeal
        /// pending, or irrevocable while the certificate was in force).
        EscapedFine = "escaped_fine",
        /// Withdrawn with a claim on its guarantee deposit not yet settled (filed, accepted
        /// or partly paid; the deposits register, asked at the withdrawal).
        EscapedClaim = "escaped_claim",
    }
}

crate::text_enum! {
    /// Why a certificate was suspended or lapsed when no body gave a ground: the cause kept
    /// in its public history (for the yearly statistics), next to the grounds of [`Ground`].
    pub enum Cause {
        CertificationBody = "certification_body",
        /// Suspended: an owner, director or de facto manager is under a ban (advice 2.1 F).
        OfficerBanned = "officer_banned",
        /// Suspended: the G-account is blocked (advice 2.1 B).
        GAccountBlocked = "g_account_blocked",
        /// Suspended: the G-account is closed.
        GAccountClosed = "g_account_closed",
        /// Suspended: a deficiency was not remedied by its deadline.
        DeficiencyNotRemedied = "deficiency_not_remedied",
        /// Lapsed: the deposit was not topped up in time (advice 2.1 C).
        DepositNotToppedUp = "deposit_not_topped_up",
        /// Lapsed: probation ended without full certification.
        ProbationEnded = "probation_ended",
        /// Lapsed: the yearly audit is overdue.
        AuditOverdue = "audit_overdue",
    }
}

/// Why a certificate's status changed, as kept in its public history: a ground (a
/// revocation's, or the sanction a withdrawal escaped) or a cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// A ground: it counts for the waiting period and travels on the ending's events.
    Ground(Ground),
    Cause(Cause),
}

impl Why {
    pub fn as_str(self) -> &'static str {
        match self {
            Why::Ground(g) => g.as_str(),
            Why::Cause(c) => c.as_str(),
        }
    }

    pub fn ground(self) -> Option<Ground> {
        match self {
            Why::Ground(g) => Some(g),
            Why::Cause(_) => None,
        }
    }
}

impl Ground {
    /// The grounds a certification body may give for a revocation.
    pub const REVOCATION: [Ground; 5] = [
        Ground::IrrevocableFine,
        Ground::CriminalSanction,
        Ground::RequirementsNotMet,
        Ground::SuspensionNotRemedied,
        Ground::Other,
    ];

    /// Whether this ground marks a withdrawal made to escape a sanction.
    pub fn is_escape(self) -> bool {
        matches!(
            self,
            Ground::EscapedSuspension
                | Ground::EscapedSuspensionRequest
                | Ground::EscapedSeriousDeficiency
                | Ground::EscapedFine
                | Ground::EscapedClaim
        )
    }
}

crate::text_enum! {
    pub enum SanctionKind {
        /// A fine (a Labour Authority fine decision, or another authority's).
        Fine = "fine",
        /// A decision under the Placement of Personnel by Intermediaries Act (Waadi).
        WaadiDecision = "waadi_decision",
        /// A decision under the Minimum Wage and Minimum Holiday Allowance Act (WML).
        WmlDecision = "wml_decision",
        CriminalConviction = "criminal_conviction",
    }
}

impl SanctionKind {
    /// The revocation ground a body gives when it cites a sanction of this kind.
    pub fn ground(self) -> Ground {
        match self {
            SanctionKind::Fine | SanctionKind::WaadiDecision | SanctionKind::WmlDecision => Ground::IrrevocableFine,
            SanctionKind::CriminalConviction => Ground::CriminalSanction,
        }
    }
}

crate::text_enum! {
    /// How serious a notifiable accident was (Arbowet art. 9: the hirer reports, the agency
    /// must report too).
    pub enum AccidentKind {
        Death = "death",
        PermanentInjury = "permanent_injury",
        HospitalAdmission = "hospital_admission",
    }
}

crate::text_enum! {
    /// What a worker can complain about their work, in the order of the form (advice 7.2 D).
    pub enum WorkComplaintCategory {
        WagesBelowMinimum = "wages_below_minimum",
        /// Deductions the law does not allow.
        UnlawfulDeductions = "unlawful_deductions",
        DebtToEmployer = "debt_to_employer",
        DocumentsWithheld = "documents_withheld",
        Intimidation = "intimidation",
        HousingTiedToJob = "housing_tied_to_job",
        Other = "other",
    }
}

crate::text_enum! {
    /// Where a complaint about work is, as the worker's private link shows it.
    pub enum WorkComplaintStatus {
        /// Kept; nobody has looked at it yet.
        Received = "received",
        /// The Labour Authority is looking into it.
        UnderInvestigation = "under_investigation",
        Closed = "closed",
    }
}

crate::text_enum! {
    /// What a fine is for. Offences of one group are "the same or similar" for repeats.
    pub enum Offence {
        /// A hirer used an agency that was not certified (advice 2.1 E).
        UncertifiedAgency = "uncertified_agency",
    }
}

crate::text_enum! {
    /// One requirement of the advice (2.1) a full certificate needs, in the order of the advice.
    pub enum RequirementCode {
        /// At least two payrolls run during probation.
        TwoPayrolls = "two_payrolls",
        /// The applicable CAO is applied and wages are paid in line with it.
        CaoWageCompliance = "cao_wage_compliance",
        /// An approving auditor's statement (from the agency's second year).
        AuditorStatement = "auditor_statement",
        /// The hirer's RI&E shared and workers told where occupational health care is.
        RieAndOccupationalHealth = "rie_and_occupational_health",
        /// Care duty for BRP/RNI registration with address and contact details.
        RegistrationCare = "registration_care",
        /// Health-insurance card or policy delivered to workers.
        HealthInsuranceDelivered = "health_insurance_delivered",
        /// No owner, director or de-facto manager under a ban.
        NoBannedDirector = "no_banned_director",
        /// Housing certified when housing is offered or rent withheld.
        HousingCertified = "housing_certified",
        DepositPaid = "deposit_paid",
        GAccountInUse = "g_account_in_use",
    }
}

crate::text_enum! {
    /// What a certification body found of one requirement.
    pub enum Outcome {
        Met = "met",
        /// Checked and not met.
        NotMet = "not_met",
        /// Does not apply to this agency.
        NotApplicable = "not_applicable",
    }
}

crate::text_enum! {
    /// What a yearly audit found.
    pub enum AuditOutcome {
        Pass = "pass",
        Deficiencies = "deficiencies",
    }
}

impl Outcome {
    /// Whether this outcome lets certification go ahead.
    pub fn satisfies(self) -> bool {
        matches!(self, Outcome::Met | Outcome::NotApplicable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_and_names_a_revocation_ground() {
        crate::vocab::assert_round_trips::<SanctionKind>();
        for kind in SanctionKind::ALL {
            assert!(Ground::REVOCATION.contains(&kind.ground()), "{kind:?}");
        }
    }
}

crate::text_enum! {
    /// Where a hirer's fine is (advice 2.1 E).
    pub enum FineStatus {
        /// Decided by the inspectorate; objection and appeal may follow.
        Decided = "decided",
        /// Final: it counts as an earlier offence, and on an agency it is a ground to revoke.
        Irrevocable = "irrevocable",
    }
}
