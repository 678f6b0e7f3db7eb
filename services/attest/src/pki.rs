//! Development and test PKI, made with rcgen: a suite CA, and per register an Ed25519
//! signing key with a certificate issued by it (key usage digitalSignature only).
//!
//! Production uses a CSR per register for a real CA (see certs/README.md); nothing here is
//! used outside dev and tests.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    PKCS_ED25519,
};
use time::{Duration, OffsetDateTime};

/// Why a key or certificate could not be made.
#[derive(Debug, thiserror::Error)]
#[error("pki: {0}")]
pub struct PkiError(#[from] rcgen::Error);

/// A key with its certificate, both in PEM.
#[derive(Debug, Clone)]
pub struct KeyAndCert {
    /// PKCS#8 private key.
    pub key_pem: String,
    /// X.509 certificate.
    pub cert_pem: String,
}

fn name(cn: &str, unit: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Zegel");
    dn.push(DnType::OrganizationalUnitName, unit);
    dn.push(DnType::CommonName, cn);
    dn
}

/// A self-signed suite CA valid from now for `days`.
pub fn ca(common_name: &str, days: i64) -> Result<KeyAndCert, PkiError> {
    let key = KeyPair::generate_for(&PKCS_ED25519)?;
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.distinguished_name = name(common_name, "suite CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = OffsetDateTime::now_utc() - Duration::days(1);
    params.not_after = OffsetDateTime::now_utc() + Duration::days(days);
    let cert = params.self_signed(&key)?;
    Ok(KeyAndCert { key_pem: key.serialize_pem(), cert_pem: cert.pem() })
}

/// A signing key for `register` with a certificate from `ca`, valid between the offsets
/// (in days from now; tests use past windows to make expired certificates).
pub fn signer(ca: &KeyAndCert, register: &str, from_days: i64, until_days: i64) -> Result<KeyAndCert, PkiError> {
    let ca_key = KeyPair::from_pem(&ca.key_pem)?;
    let issuer = Issuer::from_ca_cert_pem(&ca.cert_pem, ca_key)?;
    let key = KeyPair::generate_for(&PKCS_ED25519)?;
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.distinguished_name = name(&format!("Zegel {register} register"), register);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.use_authority_key_identifier_extension = true;
    params.not_before = OffsetDateTime::now_utc() + Duration::days(from_days) - Duration::minutes(5);
    params.not_after = OffsetDateTime::now_utc() + Duration::days(until_days);
    let cert = params.signed_by(&key, &issuer)?;
    Ok(KeyAndCert { key_pem: key.serialize_pem(), cert_pem: cert.pem() })
}
