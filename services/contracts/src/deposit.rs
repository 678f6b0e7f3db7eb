//! The words of the deposits register that travel in its events: the claims against a
//! guarantee deposit, as the inspectorate and the admission authority follow them.

crate::text_enum! {
    pub enum ClaimType {
        /// Wages a worker was not paid.
        UnpaidWages = "unpaid_wages",
        /// An inspectorate fine.
        Fine = "fine",
        Damages = "damages",
    }
}

crate::text_enum! {
    pub enum ClaimStatus {
        /// Filed by or for a worker, waiting for the admission authority's assessment.
        Filed = "filed",
        /// Accepted for an amount, not yet paid.
        Accepted = "accepted",
        /// Paid in part; the rest stays open and is paid first after a top-up.
        PartlyPaid = "partly_paid",
        Paid = "paid",
        Rejected = "rejected",
    }
}

crate::text_enum! {
    /// A presumption the admission authority may apply to a worker's wage claim.
    pub enum Presumption {
        /// The agency's administration is unusable: two months of full-time minimum wage are
        /// presumed owed (advice 2.1 C).
        AdministrationUnusable = "administration_unusable",
        /// Underpayment is suspected and the administration is unsound: an employment of six
        /// months is presumed (advice 6.2 A).
        SixMonthRelation = "six_month_relation",
    }
}
