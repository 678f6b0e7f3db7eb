//! What the registers tell each other and the world, as types: the closed vocabularies
//! ([`text_enum!`]) and the registers' public statuses. Each register owns the life of its
//! own status (its `domain`), but what it publishes about an agency or a building is read
//! by the other registers and by the lookup; those words are declared here, once, and
//! travel through Postgres and JSON as these enums — never as free text compared by hand.
//! The bottom floor: it depends on no other Zegel crate.

pub mod agency;
pub mod ban;
pub mod certificate;
pub mod certifier;
pub mod deposit;
pub mod dossier;
pub mod event;
pub mod housing;
pub mod kvk;
pub mod language;
pub mod problem;
pub mod register;
pub mod vocab;

pub use agency::{Facts, Housed, Housing, Standing};
pub use event::EventType;
pub use register::Register;

crate::text_enum! {
    /// Where a staffing agency's certificate is (advice 2.1).
    pub enum CertificateStatus {
        Provisional = "provisional",
        Certified = "certified",
        /// Temporarily not valid; must remedy by a deadline.
        Suspended = "suspended",
        /// Taken away; final.
        Revoked = "revoked",
        /// Ended by time: probation not converted, or audit overdue.
        Lapsed = "lapsed",
        Withdrawn = "withdrawn",
    }
}

impl CertificateStatus {
    /// Whether the certificate is still in force in some form.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Provisional | Self::Certified | Self::Suspended)
    }

    /// Whether a hirer may hire through an agency with this certificate (a starter on
    /// probation may work).
    pub fn allows_work(self) -> bool {
        matches!(self, Self::Provisional | Self::Certified)
    }

    pub fn ended(self) -> bool {
        !self.is_active()
    }
}

crate::text_enum! {
    /// Where a building's quality mark stands (advice 4).
    pub enum MarkStatus {
        /// Registered, waiting for an inspection without open deficiencies.
        Applied = "applied",
        /// Certified after an inspection; valid for a year unless renewed.
        Certified = "certified",
        /// Deficiencies found at a later inspection are open (within their deadline).
        Suspended = "suspended",
        /// A deficiency stayed open past its deadline: final for this mark.
        Revoked = "revoked",
        Expired = "expired",
    }
}

impl MarkStatus {
    /// Whether the mark has ended and a new application is needed.
    pub fn ended(self) -> bool {
        matches!(self, MarkStatus::Revoked | MarkStatus::Expired)
    }
}

crate::text_enum! {
    /// The norm a building is held to (advice 4).
    pub enum HousingNorm {
        /// The integrated norm of the advice: one person per bedroom of at least 5.5 m², at
        /// least 15 m² of living area per person (bedroom included).
        Integrated = "integrated",
        /// The SNF norm existing buildings may keep during the transition: 3.5 m² sleeping
        /// area per person; 10 m² per person in lodging, 12 m² in a dwelling.
        Snf = "snf",
    }
}

crate::text_enum! {
    /// Why a building's seal is not valid now, as the housing register tells the door.
    pub enum NotValidBecause {
        MarkReplaced = "mark_replaced",
        MarkRevoked = "mark_revoked",
        MarkExpired = "mark_expired",
        /// The mark is suspended (deficiencies open).
        MarkSuspended = "mark_suspended",
        /// The building has applied, not yet certified.
        MarkApplied = "mark_applied",
        /// More people are registered than the building may house (issue 31: over
        /// capacity is not valid).
        OverCapacity = "over_capacity",
        /// The municipality requires a landlord permit and there is no valid one.
        NoPermit = "no_permit",
        /// The permit's conditions were not met by the date the municipality set.
        PermitConditionsUnmet = "permit_conditions_unmet",
        /// The provider changed the rooms since the inspector measured them.
        RoomsChanged = "rooms_changed",
        /// A mobile unit outside 1 April – 1 October.
        OutOfSeason = "out_of_season",
        /// A mobile unit lived in longer than 4 months this season.
        SeasonLimit = "season_limit",
    }
}

crate::text_enum! {
    /// What a resident can complain about, in the order of the form.
    pub enum ComplaintCategory {
        Overcrowding = "overcrowding",
        SafetyOrFire = "safety_or_fire",
        Hygiene = "hygiene",
        HeatingOrWater = "heating_or_water",
        RentOrDeductions = "rent_or_deductions",
        ThreatenedEviction = "threatened_eviction",
        Intimidation = "intimidation",
        Other = "other",
    }
}

crate::text_enum! {
    /// Where an agency's G-account is (advice 2.1 D).
    pub enum GAccountStatus {
        /// Registered, not yet verified by the tax authority.
        Requested = "requested",
        Active = "active",
        /// Blocked by the tax authority.
        Blocked = "blocked",
        /// Closed; final.
        Closed = "closed",
    }
}

crate::text_enum! {
    /// Whether an agency's guarantee deposit is at the required level (advice 2.1 C).
    pub enum DepositStanding {
        Adequate = "adequate",
        /// Below it, and not because a payout drew it: never paid in full, or its top-up
        /// term has run out while the sweep has not yet reported it.
        Shortfall = "shortfall",
        /// Drawn below it by a payout, inside the top-up term (advice 2.1 C): the agency
        /// works on; the top-up is due by the date the deposits register names.
        TopUpDue = "top_up_due",
        Overdue = "overdue",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::assert_round_trips;

    #[test]
    fn every_public_status_round_trips() {
        assert_round_trips::<CertificateStatus>();
        assert_round_trips::<MarkStatus>();
        assert_round_trips::<GAccountStatus>();
        assert_round_trips::<DepositStanding>();
        assert_round_trips::<HousingNorm>();
        assert_round_trips::<NotValidBecause>();
        assert_round_trips::<ComplaintCategory>();
    }

    #[test]
    fn only_a_provisional_or_full_certificate_allows_work() {
        let working: Vec<_> = CertificateStatus::ALL.iter().filter(|s| s.allows_work()).collect();
        assert_eq!(working, [&CertificateStatus::Provisional, &CertificateStatus::Certified]);
        assert!(CertificateStatus::Suspended.is_active() && !CertificateStatus::Suspended.allows_work());
    }
}
