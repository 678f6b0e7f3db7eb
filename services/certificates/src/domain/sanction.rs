//! Final sanctions against agencies (issue 31; advice 2.1 A, D): what an authority or a
//! court decided and can no longer be contested. One kind maps to one revocation ground.

use super::reentry::Ground;

platform::text_enum! {
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
        platform::vocab::assert_round_trips::<SanctionKind>();
        for kind in SanctionKind::ALL {
            assert!(Ground::REVOCATION.contains(&kind.ground()), "{kind:?}");
        }
    }
}
