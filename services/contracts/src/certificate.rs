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
        /// Withdrawn while suspended.
        EscapedSuspension = "escaped_suspension",
        /// Withdrawn while the Labour Authority's request to suspend was pending.
        EscapedSuspensionRequest = "escaped_suspension_request",
        /// Withdrawn with a serious deficiency open.
        EscapedSeriousDeficiency = "escaped_serious_deficiency",
        /// Withdrawn with a fine on the agency not yet settled (decided, objection or appeal
        /// pending, or irrevocable while the certificate was in force).
        EscapedFine = "escaped_fine",
        /// Withdrawn with a claim on its guarantee deposit not yet settled (filed, accepted
        /// or partly paid; the deposits register, asked at the withdrawal).
        EscapedClaim = "escaped_claim",
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
    /// What kind of final sanction.
    pub enum SanctionKind {
        /// A fine (a Labour Authority fine decision, or another authority's).
        Fine = "fine",
        /// A decision under the Placement of Personnel by Intermediaries Act (Waadi).
        WaadiDecision = "waadi_decision",
        /// A decision under the Minimum Wage and Minimum Holiday Allowance Act (WML).
        WmlDecision = "wml_decision",
        /// A criminal conviction of the agency.
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
