//! Seals: signed, QR-verifiable attestations.
//!
//! A seal is a compact JWS (EdDSA/Ed25519) with a minimal claim set — issuing register,
//! subject id, seal id, issued-at, expiry, at most a couple of short display facts — whose
//! header `kid` names the signer's X.509 certificate. Verifiers hold a [`trust::TrustStore`]
//! built from the signed trust list: certificate chains, validity and key usage are checked
//! once, when the list is loaded, so a scan costs one signature check and a table lookup.
//! Live status (revoked, suspended) is the register's business, asked by the lookup.

pub mod cert;
pub mod hsm;
pub mod pki;
pub mod qr;
pub mod seal;
pub mod status;
pub mod trust;
pub mod verdict;

pub use seal::{Claims, Register, Signer};
pub use trust::TrustStore;
pub use verdict::{SealStatus, Verdict};

pub use cert::{cert_der, kid_of};
