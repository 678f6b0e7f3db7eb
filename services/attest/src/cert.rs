//! Certificates as the seals use them: a PEM's DER, a certificate's short name (`kid`),
//! and the clock skew tolerated on every signed time.

/// Seconds of clock skew tolerated on `iat` and `exp`, of seals and of signed documents.
pub const LEEWAY_SECS: i64 = 60;

pub fn cert_der(pem: &str) -> Result<Vec<u8>, String> {
    let (_, parsed) =
        x509_parser::pem::parse_x509_pem(pem.as_bytes()).map_err(|e| format!("not a PEM certificate: {e}"))?;
    Ok(parsed.contents)
}

/// A short, stable name for a certificate: base64url of the first 6 bytes of the SHA-256 of its DER.
pub fn kid_of(cert_der: &[u8]) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&sha2::Sha256::digest(cert_der)[..6])
}
