//! The kinds of problem a client can be answered with (RFC 9457): their slugs are part of
//! every OpenAPI document, so they are a contract like the event types — declared once, here,
//! with the status and title each comes with. `platform::problem` builds the answers.

/// Declares the catalogue: one variant per kind with its slug, status and title.
macro_rules! kinds {
    ($($(#[$doc:meta])* $variant:ident = ($slug:literal, $status:literal, $title:literal)),+ $(,)?) => {
        /// Every kind of problem the suite answers with: the one catalogue of slugs, their
        /// HTTP statuses and titles. docs/DESIGN.md and the OpenAPI documents list the same
        /// slugs (a test holds them to it).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Kind {
            $($(#[$doc])* $variant),+
        }

        impl Kind {
            pub const ALL: &'static [Kind] = &[$(Kind::$variant),+];

            /// The slug: the `type` is `urn:zegel:problem:<slug>`.
            pub fn slug(self) -> &'static str {
                match self { $(Kind::$variant => $slug),+ }
            }

            pub fn status(self) -> u16 {
                match self { $(Kind::$variant => $status),+ }
            }

            pub fn title(self) -> &'static str {
                match self { $(Kind::$variant => $title),+ }
            }
        }
    };
}

kinds! {
    /// The request cannot be understood (syntax, path parameter, header).
    MalformedRequest = ("malformed-request", 400, "Malformed request"),
    Unauthorized = ("unauthorized", 401, "Authentication required"),
    /// Authenticated, but not allowed to do this.
    Forbidden = ("forbidden", 403, "Not allowed"),
    NotFound = ("not-found", 404, "Not found"),
    /// The resource does not take this method.
    MethodNotAllowed = ("method-not-allowed", 405, "Method not allowed"),
    LengthRequired = ("length-required", 411, "Length required"),
    PayloadTooLarge = ("payload-too-large", 413, "Payload too large"),
    /// Request headers over the server's limits (`http::MAX_HEADERS`, `MAX_HEADER_BYTES`).
    HeadersTooLarge = ("headers-too-large", 431, "Request headers too large"),
    /// A body that is not JSON.
    UnsupportedMediaType = ("unsupported-media-type", 415, "Unsupported media type"),
    /// Fields that do not validate (with `errors`).
    Validation = ("validation", 422, "Invalid request"),
    /// An Idempotency-Key used before for another request.
    IdempotencyKeyReused = ("idempotency-key-reused", 422, "Idempotency key reused"),
    /// A money movement sent without an Idempotency-Key.
    IdempotencyKeyRequired = ("idempotency-key-required", 428, "Idempotency key required"),
    /// Too many requests from one address (`Retry-After`).
    RateLimited = ("rate-limited", 429, "Too many requests"),
    /// Something broke on our side; never carries the cause.
    Internal = ("internal", 500, "Internal error"),
    /// A dependency is down; nothing was changed.
    Unavailable = ("unavailable", 503, "Service unavailable"),
    /// The lifecycle does not allow this from the current status.
    IllegalTransition = ("illegal-transition", 409, "Transition not allowed"),
    /// A seal could not be signed (the signer certificate does not cover it).
    SealNotIssued = ("seal-not-issued", 409, "Seal not issued"),
    /// Certificates: certification needs every requirement met.
    RequirementsUnmet = ("requirements-unmet", 422, "Requirements unmet"),
    /// Certificates: probation is extended once only.
    ExtensionUsed = ("extension-used", 409, "Probation already extended"),
    /// Certificates: the agency's past refuses a new certificate now (a waiting period after
    /// a revocation, or its one probation used).
    ReentryRefused = ("re-entry-refused", 422, "Re-entry refused"),
    /// Certificates: the agency has a certificate in force.
    CertificateInForce = ("certificate-in-force", 409, "Certificate already in force"),
    /// Certificates: the agency is registered already.
    AgencyExists = ("agency-exists", 409, "Agency already registered"),
    /// Certificates: this decision (authority and reference) is in the register of final
    /// sanctions already.
    SanctionRecorded = ("sanction-recorded", 409, "Sanction already recorded"),
    /// Certificates: a seal needs a valid certificate.
    NoValidCertificate = ("no-valid-certificate", 409, "No valid certificate"),
    /// Bans: the ban was lifted already.
    BanLifted = ("ban-lifted", 409, "Ban already lifted"),
    /// Deposits: a seal needs an adequate deposit.
    DepositNotAdequate = ("deposit-not-adequate", 409, "Deposit not adequate"),
    /// Deposits: the claim was paid or rejected already.
    ClaimSettled = ("claim-settled", 409, "Claim already settled"),
    /// Deposits: a deposit is never overdrawn.
    InsufficientDeposit = ("insufficient-deposit", 409, "Deposit insufficient"),
    /// G-accounts: the agency has a G-account that is not closed.
    GAccountInUse = ("g-account-in-use", 409, "G-account in use"),
    /// G-accounts: a seal needs an active G-account.
    NoActiveGAccount = ("no-active-g-account", 409, "No active G-account"),
    /// Housing: the building is registered already.
    BuildingExists = ("building-exists", 409, "Building already registered"),
    /// Housing: a seal needs a certified mark within its year.
    BuildingNotCertified = ("building-not-certified", 409, "Building not certified"),
    /// Housing: the mark ended; the provider applies again first.
    MarkEnded = ("mark-ended", 409, "The mark has ended"),
    /// Housing: a mark in force is not applied for again.
    MarkNotEnded = ("mark-not-ended", 409, "The mark has not ended"),
    /// Housing: an agency that houses workers cannot declare that it houses no one.
    HousesWorkers = ("houses-workers", 409, "The agency houses workers"),
    /// Housing: a placement that has ended is not ended again.
    PlacementEnded = ("placement-ended", 409, "The placement has ended"),
    /// Housing: no open deficiency with this id.
    DeficiencyNotOpen = ("deficiency-not-open", 409, "No open deficiency"),
    /// Housing: no open complaint with this id.
    ComplaintNotOpen = ("complaint-not-open", 409, "No open complaint"),
    /// Housing: only a granted permit is withdrawn.
    NoPermitToWithdraw = ("no-permit-to-withdraw", 409, "No permit to withdraw"),
    /// Housing: the poster needs an unexpired seal of the current mark.
    NoSeal = ("no-seal", 409, "No seal to print"),
}
