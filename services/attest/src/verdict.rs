//! The answers a verification can give.

use serde::{Deserialize, Serialize};

/// What a verifier says about a seal. Never `Valid` unless the signature checks and the
/// live status is known to be good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Signature good, in its validity window, live status good.
    Valid,
    /// The register revoked it (or what it attests ended).
    Revoked,
    /// The register suspended what it attests.
    Suspended,
    /// Past its expiry.
    Expired,
    /// Before its issue time.
    NotYetValid,
    /// Not a well-formed seal, or its signature does not check.
    Tampered,
    /// Signed by a key that is not (or no longer) on the trust list.
    UnknownIssuer,
    /// The live status cannot be known right now.
    Unavailable,
}

impl Verdict {
    /// As in JSON and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Revoked => "revoked",
            Verdict::Suspended => "suspended",
            Verdict::Expired => "expired",
            Verdict::NotYetValid => "not_yet_valid",
            Verdict::Tampered => "tampered",
            Verdict::UnknownIssuer => "unknown_issuer",
            Verdict::Unavailable => "unavailable",
        }
    }
}

/// A verdict with the reason behind it, safe to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The verdict.
    pub verdict: Verdict,
    /// Why.
    pub reason: &'static str,
}

impl Refused {
    /// A refusal.
    pub fn new(verdict: Verdict, reason: &'static str) -> Self {
        Self { verdict, reason }
    }
}
