//! Seals: signed, QR-verifiable attestations.
//!
//! A seal is a compact JWS (EdDSA/Ed25519) with a minimal claim set — issuing register,
//! subject id, seal id, issued-at, expiry, at most a couple of short display facts — whose
//! header `kid` names the signer's X.509 certificate. Verifiers hold a [`trust::TrustStore`]
//! built from the signed trust list: certificate chains, validity and key usage are checked
//! once, when the list is loaded, so a scan costs one signature check and a table lookup.
//! Live status (revoked, suspended) is the register's business, asked by the lookup.

pub mod desk;
pub mod hsm;
pub mod pki;
pub mod qr;
pub mod seal;
pub mod status;
pub mod trust;
pub mod verdict;

pub use desk::{Desk, Issued, Order};
pub use seal::{Claims, Register, Signer};
pub use trust::TrustStore;
pub use verdict::{SealStatus, Verdict};

/// The DER of a PEM certificate.
pub fn cert_der(pem: &str) -> Result<Vec<u8>, String> {
    seal::pem_der(pem)
}

/// A short, stable name for a certificate: base64url of the first 6 bytes of the SHA-256 of its DER.
pub fn kid_of(cert_der: &[u8]) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&sha2::Sha256::digest(cert_der)[..6])
}
