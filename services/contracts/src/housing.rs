//! What the housing register tells the others about a building beyond its mark.

crate::text_enum! {
    /// Why a rehousing case closed.
    pub enum RehousingClosed {
        Empty = "empty",
        MarkReturned = "mark_returned",
        /// It may be lived in again: the permit is in force, or the season is back.
        LawfulAgain = "lawful_again",
    }
}

crate::text_enum! {
    /// What kind of building houses the workers (the norm per person depends on it).
    pub enum BuildingType {
        Dwelling = "dwelling",
        /// Group housing or a campus (lodging).
        GroupHousing = "group_housing",
        EmployerSite = "employer_site",
        /// A mobile unit (season-bound).
        MobileUnit = "mobile_unit",
    }
}

crate::text_enum! {
    /// Why a rehousing case opened (advice 4.3 E): the mark ended with people living
    /// there, or people live where nobody may (issue 31).
    pub enum RehousingReason {
        MarkRevoked = "mark_revoked",
        MarkExpired = "mark_expired",
        /// The landlord permit the municipality requires is not in force.
        NoPermit = "no_permit",
        /// A mobile unit outside its season.
        OutOfSeason = "out_of_season",
    }
}

crate::text_enum! {
    /// A municipality's decision on a landlord permit (advice 4.1 B).
    pub enum PermitStatus {
        Granted = "granted",
        Refused = "refused",
        Withdrawn = "withdrawn",
    }
}

crate::text_enum! {
    /// How a housing inspector came to a building.
    pub enum InspectionKind {
        Announced = "announced",
        /// Unannounced (every complaint-driven inspection).
        Unannounced = "unannounced",
    }
}

crate::text_enum! {
    /// The form of a resident's tenancy contract (advice 4.4 A).
    pub enum ContractForm {
        /// "Naar aard van korte duur": only for a stay under four months.
        ShortStay = "short_stay",
        /// Temporary: at most two years (self-contained) or five (not self-contained).
        Temporary = "temporary",
        Indefinite = "indefinite",
    }
}

crate::text_enum! {
    /// Why a building is on the housing inspectors' worklist.
    pub enum WorkKind {
        /// Its mark was applied for and waits for an inspection.
        Applied = "applied",
        /// Its certified mark ends within the horizon (or has ended) and needs a new inspection.
        Expiring = "expiring",
        /// A deficiency is open: its remedy is to be checked by its deadline.
        Deficiency = "deficiency",
        /// A resident's complaint waits for an unannounced inspection.
        Complaint = "complaint",
    }
}
