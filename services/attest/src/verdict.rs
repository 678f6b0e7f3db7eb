//! The answers a verification can give.

zegel_contracts::text_enum! {
    /// What a verifier says about a seal. Never `Valid` unless the signature checks and the
    /// live status is known to be good.
    pub enum Verdict {
        /// Signature good, in its validity window, live status good.
        Valid = "valid",
        /// The register revoked it (or what it attests ended).
        Revoked = "revoked",
        Suspended = "suspended",
        Expired = "expired",
        NotYetValid = "not_yet_valid",
        /// Not a well-formed seal, or its signature does not check.
        Tampered = "tampered",
        /// Signed by a key that is not (or no longer) on the trust list.
        UnknownIssuer = "unknown_issuer",
        /// The live status cannot be known right now.
        Unavailable = "unavailable",
    }
}

zegel_contracts::text_enum! {
    /// What a register's `seal_status` view says about one of its seals, now.
    pub enum SealStatus {
        Good = "good",
        Suspended = "suspended",
        Revoked = "revoked",
    }
}

impl From<SealStatus> for Verdict {
    fn from(s: SealStatus) -> Self {
        match s {
            SealStatus::Good => Verdict::Valid,
            SealStatus::Suspended => Verdict::Suspended,
            SealStatus::Revoked => Verdict::Revoked,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub verdict: Verdict,
    pub reason: &'static str,
}

impl Refused {
    pub fn new(verdict: Verdict, reason: &'static str) -> Self {
        Self { verdict, reason }
    }
}
