//! The trust list: which register keys a verifier accepts.
//!
//! The list is itself a compact JWS, signed by a trust-list key whose certificate is
//! chained to the suite CA, so an offline verifier needs only the CA certificate. It
//! names, per register, the signer certificates (PEM). When a list is loaded every
//! certificate is checked once — issued by the CA (signature), valid now, key usage
//! digitalSignature, not a CA, an Ed25519 key — and a certificate that fails is refused
//! with a logged reason. Withdrawing a key means publishing a list without it: every seal
//! it signed then verifies as `unknown_issuer`, and can be re-issued under a new key.
//!
//! Each certificate names what it may sign in its subject's organizational unit: the list
//! only by a certificate of unit `trust-list`, a register's seals only by a certificate of
//! that register's unit — a housing key can never sign for certificates, nor sign the list,
//! online or offline. A list carries a sequence number; a verifier that holds a list
//! refuses an older (or a different list with the same number), so an old list with a
//! withdrawn key cannot be replayed. A list past its expiry verifies nothing: every seal
//! is then `unavailable` until a fresh list is loaded.

use std::collections::HashMap;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use x509_parser::prelude::{ASN1Time, FromDer, X509Certificate};

use crate::cert::{LEEWAY_SECS, cert_der, kid_of};
use zegel_contracts::Register;

/// `iss` of trust lists.
pub const TRUST_LIST_ISSUER: &str = "zegel-trust-list";

/// The organizational unit of the one certificate that may sign the trust list.
pub const TRUST_LIST_UNIT: &str = "trust-list";

/// A key the verifier accepts, checked when the list was loaded.
#[derive(Clone)]
pub struct TrustedKey {
    pub register: Register,
    pub kid: String,
    pub key: DecodingKey,
    /// Certificate validity start (seconds since the epoch).
    pub not_before: i64,
    pub not_after: i64,
}

impl std::fmt::Debug for TrustedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustedKey").field("register", &self.register).field("kid", &self.kid).finish()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    pub register: String,
    /// Kid of the certificate (recomputed on load; a mismatch is refused).
    pub kid: String,
    pub cert: String,
}

/// The list document (the JWS payload).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Document {
    /// Always [`TRUST_LIST_ISSUER`].
    pub iss: String,
    pub iat: i64,
    /// Expires at: far beyond the refresh interval, so a late refresh is no outage.
    pub exp: i64,
    /// Sequence number: every new list has a higher one.
    pub seq: u64,
    /// The trust-list signer's certificate, PEM (chained to the CA).
    pub signer: String,
    pub entries: Vec<Entry>,
}

/// Why a trust list was refused as a whole.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("trust anchor: {0}")]
    Anchor(String),
    /// The list is not a valid signed document.
    #[error("trust list: {0}")]
    List(String),
}

#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    keys: HashMap<String, Vec<TrustedKey>>,
    pub document: Option<String>,
    pub seq: Option<u64>,
    /// When it expires: after that the store verifies nothing.
    pub expires_at: Option<i64>,
}

impl TrustStore {
    /// The keys with this kid (usually one).
    pub fn keys(&self, kid: &str) -> &[TrustedKey] {
        self.keys.get(kid).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether the list has expired at `now` (a store built from certificates never does).
    pub fn expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|exp| now > exp)
    }

    pub fn len(&self) -> usize {
        self.keys.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Builds a store from signer certificates, checking each against the CA at `now`.
    /// Returns the store and the reasons for every refused certificate.
    pub fn from_certs(ca_pem: &str, entries: &[Entry], now: i64) -> Result<(Self, Vec<String>), TrustError> {
        let ca_der = cert_der(ca_pem).map_err(TrustError::Anchor)?;
        let (_, ca) = X509Certificate::from_der(&ca_der).map_err(|e| TrustError::Anchor(e.to_string()))?;
        let at = ASN1Time::from_timestamp(now).map_err(|e| TrustError::Anchor(e.to_string()))?;
        if !ca.is_ca() || !ca.validity().is_valid_at(at) || ca.verify_signature(None).is_err() {
            return Err(TrustError::Anchor("not a valid self-signed CA certificate at this time".into()));
        }
        let mut store = TrustStore::default();
        let mut refused = Vec::new();
        for entry in entries {
            match check_signer(&ca, entry, at) {
                Ok(key) => store.keys.entry(key.kid.clone()).or_default().push(key),
                Err(reason) => {
                    tracing::warn!(trust.register = %entry.register, trust.kid = %entry.kid, trust.reason = %reason, "signer certificate refused");
                    refused.push(format!("{} {}: {reason}", entry.register, entry.kid));
                }
            }
        }
        Ok((store, refused))
    }

    /// Loads `list` to replace this store's: as [`TrustStore::load`], and refused when its
    /// sequence number is lower than this one's, or the same with other content.
    pub fn newer(&self, list: &str, ca_pem: &str, now: i64) -> Result<(Self, Vec<String>), TrustError> {
        let (store, refused) = Self::load(list, ca_pem, now)?;
        if let (Some(current), Some(next)) = (self.seq, store.seq) {
            let same = self.document.as_deref() == Some(list);
            if next < current || (next == current && !same) {
                return Err(TrustError::List(format!(
                    "sequence {next} does not follow the list in force ({current}): refused as a rollback"
                )));
            }
        }
        Ok((store, refused))
    }

    /// Loads a signed trust list: checks its signer against the CA (a certificate of unit
    /// `trust-list`), its signature and its validity at `now`, then every entry.
    pub fn load(list: &str, ca_pem: &str, now: i64) -> Result<(Self, Vec<String>), TrustError> {
        let bad = |m: &str| TrustError::List(m.to_string());
        let header = jsonwebtoken::decode_header(list).map_err(|_| bad("malformed"))?;
        if header.alg != Algorithm::EdDSA {
            return Err(bad("algorithm not allowed"));
        }
        // Read the payload to find the signer certificate, then verify everything.
        let unverified: Document =
            jsonwebtoken::dangerous::insecure_decode(list).map(|d| d.claims).map_err(|_| bad("malformed payload"))?;
        let ca_der = cert_der(ca_pem).map_err(TrustError::Anchor)?;
        let (_, ca) = X509Certificate::from_der(&ca_der).map_err(|e| TrustError::Anchor(e.to_string()))?;
        let at = ASN1Time::from_timestamp(now).map_err(|e| TrustError::Anchor(e.to_string()))?;
        let signer_entry = Entry { register: "trust-list".into(), kid: String::new(), cert: unverified.signer.clone() };
        let signer = check_cert(&ca, &signer_entry, at, TRUST_LIST_UNIT)
            .map_err(|e| TrustError::List(format!("signer: {e}")))?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let doc: Document =
            jsonwebtoken::decode(list, &signer.0, &validation).map_err(|_| bad("signature does not check"))?.claims;
        if doc.iss != TRUST_LIST_ISSUER {
            return Err(bad("not a trust list"));
        }
        if now < doc.iat - LEEWAY_SECS || now > doc.exp {
            return Err(bad("outside its validity"));
        }
        let (mut store, refused) = Self::from_certs(ca_pem, &doc.entries, now)?;
        store.document = Some(list.to_string());
        store.seq = Some(doc.seq);
        store.expires_at = Some(doc.exp);
        Ok((store, refused))
    }
}

/// Signs a trust list document with the trust-list key.
pub fn sign(doc: &Document, signer_key_pem: &str) -> Result<String, jsonwebtoken::errors::Error> {
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = None;
    if let Ok(der) = cert_der(&doc.signer) {
        header.kid = Some(kid_of(&der));
    }
    jsonwebtoken::encode(&header, doc, &EncodingKey::from_ed_pem(signer_key_pem.as_bytes())?)
}

pub fn entry(register: Register, cert_pem: &str) -> Result<Entry, TrustError> {
    let der = cert_der(cert_pem).map_err(TrustError::List)?;
    Ok(Entry { register: register.code().into(), kid: kid_of(&der), cert: cert_pem.into() })
}

fn check_signer(ca: &X509Certificate<'_>, entry: &Entry, at: ASN1Time) -> Result<TrustedKey, String> {
    let register = Register::from_code(&entry.register).ok_or("unknown register")?;
    let (key, kid, not_before, not_after) = check_cert(ca, entry, at, register.service())?;
    if kid != entry.kid {
        return Err("kid does not match the certificate".into());
    }
    Ok(TrustedKey { register, kid, key, not_before, not_after })
}

/// Chain, validity, key usage, key type and purpose (the subject's organizational unit
/// must be `unit`) of one certificate.
fn check_cert(
    ca: &X509Certificate<'_>,
    entry: &Entry,
    at: ASN1Time,
    unit: &str,
) -> Result<(DecodingKey, String, i64, i64), String> {
    let der = cert_der(&entry.cert)?;
    let (_, cert) = X509Certificate::from_der(&der).map_err(|e| format!("unparsable: {e}"))?;
    if cert.issuer() != ca.subject() {
        return Err("not issued by the suite CA".into());
    }
    let units: Vec<&str> = cert.subject().iter_organizational_unit().filter_map(|u| u.as_str().ok()).collect();
    if units != [unit] {
        return Err(format!("a certificate of {} cannot sign for {unit}", units.join("+")));
    }
    cert.verify_signature(Some(ca.public_key())).map_err(|_| "CA signature does not check".to_string())?;
    if !cert.validity().is_valid_at(at) {
        return Err("not valid at this time".into());
    }
    if cert.is_ca() {
        return Err("a CA certificate cannot sign seals".into());
    }
    let usage = cert.key_usage().map_err(|e| e.to_string())?.ok_or("no key usage")?;
    if !usage.value.digital_signature() || usage.value.key_cert_sign() {
        return Err("key usage must be digitalSignature only".into());
    }
    if cert.public_key().algorithm.algorithm != x509_parser::oid_registry::OID_SIG_ED25519 {
        return Err("not an Ed25519 key".into());
    }
    let raw = cert.public_key().subject_public_key.data.as_ref();
    use base64::Engine;
    let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let key = DecodingKey::from_ed_components(&x).map_err(|e| e.to_string())?;
    Ok((key, kid_of(&der), cert.validity().not_before.timestamp(), cert.validity().not_after.timestamp()))
}
