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

#[derive(Debug, Clone)]
pub struct KeyAndCert {
    pub key_pem: String,
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
    let key = KeyPair::generate_for(&PKCS_ED25519)?;
    let cert_pem = certificate(ca, register, &key, (from_days, until_days))?;
    Ok(KeyAndCert { key_pem: key.serialize_pem(), cert_pem })
}

/// A certificate from `ca` for the Ed25519 public key `raw` of `register` (a key kept in an
/// HSM, whose private half nobody sees), valid from now for `days`.
pub fn certificate_for_key(ca: &KeyAndCert, register: &str, raw: &[u8; 32], days: i64) -> Result<String, PkiError> {
    // SubjectPublicKeyInfo: AlgorithmIdentifier id-Ed25519 (1.3.101.112), BIT STRING key.
    let mut spki = vec![0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
    spki.extend_from_slice(raw);
    certificate(ca, register, &rcgen::SubjectPublicKeyInfo::from_der(&spki)?, (0, days))
}

/// The certificate of `register`'s signing key `key`, issued by `ca`, valid between the
/// day offsets (from, until) from now.
fn certificate(
    ca: &KeyAndCert,
    register: &str,
    key: &impl rcgen::PublicKeyData,
    (from_days, until_days): (i64, i64),
) -> Result<String, PkiError> {
    let ca_key = KeyPair::from_pem(&ca.key_pem)?;
    let issuer = Issuer::from_ca_cert_pem(&ca.cert_pem, ca_key)?;
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.distinguished_name = name(&format!("Zegel {register} register"), register);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.use_authority_key_identifier_extension = true;
    params.not_before = OffsetDateTime::now_utc() + Duration::days(from_days) - Duration::minutes(5);
    params.not_after = OffsetDateTime::now_utc() + Duration::days(until_days);
    Ok(params.signed_by(key, &issuer)?.pem())
}
