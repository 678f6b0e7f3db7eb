//! Issuing and verifying seals.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::cert::{cert_der, kid_of};
use crate::trust::TrustStore;
use crate::verdict::{Refused, Verdict};

pub use crate::cert::LEEWAY_SECS;
/// Longest seal accepted for verification; real ones are about 300 characters.
pub const MAX_SEAL_LEN: usize = 1024;

pub use zegel_contracts::Register;

/// The claims of a seal. Short names keep the QR code scannable; no personal data ever.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuing register ([`Register::code`]).
    pub iss: String,
    /// Subject: a KvK number or a BAG id.
    pub sub: String,
    /// Seal id: the register's status key (base64url of a UUID's 16 bytes).
    pub jti: String,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at, seconds since the epoch.
    pub exp: i64,
    /// At most a couple of short display facts (e.g. a building's capacity).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub f: BTreeMap<String, serde_json::Value>,
}

impl Claims {
    pub fn seal_id(&self) -> Option<Uuid> {
        jti_to_id(&self.jti)
    }

    /// Its index in its register's status list (`attest::status`), carried in its id.
    pub fn status_index(&self) -> Option<u64> {
        self.seal_id().and_then(status_index)
    }
}

/// Most seals a register's status list can index: 2^40, the index's bits in a seal id.
pub const MAX_STATUS_INDEX: u64 = (1 << 40) - 1;

/// A seal id that carries the seal's `index` in its register's status list: a UUIDv8
/// (RFC 9562, custom layout): milliseconds since the epoch first, as in a UUIDv7, so ids
/// stay in time order; then random bits; the index in its last five bytes. The draft would spell the index `status.status_list.idx` with the list's `uri`;
/// in the id it costs no byte, and a building's seal, the largest, stays within QR version
/// 13. 34 random bits remain, so ids are still not guessable from a time and an index.
pub fn listed_id(index: u64) -> Option<Uuid> {
    if index > MAX_STATUS_INDEX {
        return None;
    }
    // A UUIDv7's bits after the time are a counter within one millisecond: the random
    // bits come from a UUIDv4 instead.
    let mut bytes = *Uuid::now_v7().as_bytes();
    bytes[6..11].copy_from_slice(&Uuid::new_v4().as_bytes()[6..11]);
    bytes[11..].copy_from_slice(&index.to_be_bytes()[3..]);
    Some(Uuid::new_v8(bytes))
}

/// The status list index a seal id carries ([`listed_id`]); none for any other UUID.
pub fn status_index(id: Uuid) -> Option<u64> {
    if id.get_version_num() != 8 {
        return None;
    }
    let mut index = [0u8; 8];
    index[3..].copy_from_slice(&id.as_bytes()[11..]);
    Some(u64::from_be_bytes(index))
}

/// The compact `jti` for a seal id.
pub fn id_to_jti(id: Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id.as_bytes())
}

/// The seal id of a `jti`.
pub fn jti_to_id(jti: &str) -> Option<Uuid> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(jti).ok()?;
    Uuid::from_slice(&bytes).ok()
}

/// Why a signer could not be set up or a seal not issued.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("signing key or certificate: {0}")]
    Key(String),
    #[error("a seal may not outlive its signer certificate (until {0})")]
    OutlivesCertificate(i64),
    /// The register's status list is full ([`MAX_STATUS_INDEX`]).
    #[error("no status list index left")]
    IndexExhausted,
    #[error("signing: {0}")]
    Sign(#[from] jsonwebtoken::errors::Error),
}

impl From<crate::hsm::HsmError> for SealError {
    fn from(e: crate::hsm::HsmError) -> Self {
        Self::Key(e.to_string())
    }
}

pub struct Signer {
    register: Register,
    kid: String,
    key: SealKey,
    not_after: i64,
}

/// Where a signer's private key is: in memory from a file, or in an HSM.
enum SealKey {
    File(EncodingKey),
    Hsm(crate::hsm::HsmKey),
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").field("register", &self.register).field("kid", &self.kid).finish()
    }
}

impl Signer {
    /// From a PKCS#8 Ed25519 key and its certificate, both PEM.
    pub fn from_pem(register: Register, key_pem: &str, cert_pem: &str) -> Result<Self, SealError> {
        let der = cert_der(cert_pem).map_err(SealError::Key)?;
        let (_, cert) = X509Certificate::from_der(&der).map_err(|e| SealError::Key(e.to_string()))?;
        let pair = rcgen::KeyPair::from_pem(key_pem).map_err(|e| SealError::Key(e.to_string()))?;
        if cert.public_key().subject_public_key.data.as_ref() != pair.public_key_raw() {
            return Err(SealError::Key("the key does not belong to the certificate".into()));
        }
        Ok(Self {
            register,
            kid: kid_of(&der),
            key: SealKey::File(
                EncodingKey::from_ed_pem(key_pem.as_bytes()).map_err(|e| SealError::Key(e.to_string()))?,
            ),
            not_after: cert.validity().not_after.timestamp(),
        })
    }

    /// From a key in an HSM (`uri`, see [`crate::hsm`]) and its certificate (PEM): a test
    /// signature must verify under the certificate's key, or the key is not this one.
    pub fn from_hsm(register: Register, uri: &str, cert_pem: &str) -> Result<Self, SealError> {
        let der = cert_der(cert_pem).map_err(SealError::Key)?;
        let (_, cert) = X509Certificate::from_der(&der).map_err(|e| SealError::Key(e.to_string()))?;
        let key = crate::hsm::HsmKey::open(&crate::hsm::KeyUri::parse(uri)?)?;
        let probe = format!("zegel {} key check", register.service());
        let signature = URL_SAFE_NO_PAD.encode(key.sign(probe.as_bytes())?);
        let public = DecodingKey::from_ed_der(cert.public_key().subject_public_key.data.as_ref());
        if !jsonwebtoken::crypto::verify(&signature, probe.as_bytes(), &public, Algorithm::EdDSA)? {
            return Err(SealError::Key("the HSM key does not belong to the certificate".into()));
        }
        Ok(Self {
            register,
            kid: kid_of(&der),
            key: SealKey::Hsm(key),
            not_after: cert.validity().not_after.timestamp(),
        })
    }

    /// From a key file (or a PKCS#11 URI, `pkcs11:…`) and a certificate file (PEM).
    pub fn from_files(register: Register, key_path: &str, cert_path: &str) -> Result<Self, SealError> {
        let read = |path: &str| {
            std::fs::read_to_string(path).map_err(|e| {
                SealError::Key(format!("cannot read {path}: {e} (run `just certs` to create the dev keys)"))
            })
        };
        if key_path.starts_with(crate::hsm::SCHEME) {
            return Self::from_hsm(register, key_path, &read(cert_path)?);
        }
        Self::from_pem(register, &read(key_path)?, &read(cert_path)?)
    }

    /// The compact JWS of `claims` under `header`, signed by this signer's key wherever it
    /// is (RFC 7515: the signature is over `base64url(header).base64url(claims)`).
    pub(crate) fn sign_compact<C: Serialize>(&self, header: &Header, claims: &C) -> Result<String, SealError> {
        let json = |value: serde_json::Result<Vec<u8>>| value.map_err(jsonwebtoken::errors::Error::from);
        let header = URL_SAFE_NO_PAD.encode(json(serde_json::to_vec(header))?);
        let claims = URL_SAFE_NO_PAD.encode(json(serde_json::to_vec(claims))?);
        let message = format!("{header}.{claims}");
        let signature = match &self.key {
            SealKey::File(key) => jsonwebtoken::crypto::sign(message.as_bytes(), key, Algorithm::EdDSA)?,
            SealKey::Hsm(key) => URL_SAFE_NO_PAD.encode(key.sign(message.as_bytes())?),
        };
        Ok(format!("{message}.{signature}"))
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn register(&self) -> Register {
        self.register
    }

    /// When the signer certificate ends; no seal may expire after it.
    pub fn not_after(&self) -> i64 {
        self.not_after
    }

    /// Signs a seal about `subject` with id `seal_id` ([`listed_id`] where a status list
    /// holds it).
    pub fn issue(
        &self,
        subject: &str,
        seal_id: Uuid,
        issued_at: i64,
        expires_at: i64,
        facts: BTreeMap<String, serde_json::Value>,
    ) -> Result<String, SealError> {
        if expires_at > self.not_after {
            return Err(SealError::OutlivesCertificate(self.not_after));
        }
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = None;
        header.kid = Some(self.kid.clone());
        let claims = Claims {
            iss: self.register.code().into(),
            sub: subject.into(),
            jti: id_to_jti(seal_id),
            iat: issued_at,
            exp: expires_at,
            f: facts,
        };
        self.sign_compact(&header, &claims)
    }
}

#[derive(Debug, Clone)]
pub struct Signed {
    /// Its id (the register's status key).
    pub seal_id: Uuid,
    pub token: String,
    /// When it expires (seconds since the epoch).
    pub expires_at: i64,
}

impl Signer {
    /// Issues a seal about `subject` at `now`: it lives `max_days` at most, and never past
    /// `limit` (when what it attests ends) nor past the signer certificate — a forgotten
    /// seal must not live for years. `index` is its place in the register's status list.
    pub fn issue_for(
        &self,
        subject: &str,
        now: i64,
        max_days: u32,
        limit: Option<i64>,
        facts: BTreeMap<String, serde_json::Value>,
        index: Option<u64>,
    ) -> Result<Signed, SealError> {
        let mut expires_at = (now + i64::from(max_days) * 86_400).min(self.not_after);
        if let Some(limit) = limit {
            expires_at = expires_at.min(limit);
        }
        let seal_id = match index {
            Some(index) => listed_id(index).ok_or(SealError::IndexExhausted)?,
            None => Uuid::now_v7(),
        };
        let token = self.issue(subject, seal_id, now, expires_at, facts)?;
        Ok(Signed { seal_id, token, expires_at })
    }
}

/// A seal whose signature and validity window check.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    pub register: Register,
    pub claims: Claims,
    pub kid: String,
}

/// Verifies a seal offline: form, signer, signature, register and time window (at `now`,
/// server time). Live status is not checked here.
pub fn verify(seal: &str, store: &TrustStore, now: i64) -> Result<Verified, Refused> {
    in_force(genuine(seal, store, now)?, store, now)
}

/// What a genuine seal is worth at `now`: nothing while no trust list is in force, and
/// nothing outside its own time window. [`verify`] is [`genuine`] then this; a verifier
/// that keeps the seals it found genuine (a signature never changes, so it need not be
/// checked twice under the same trust list) applies this at every scan.
pub fn in_force(verified: Verified, store: &TrustStore, now: i64) -> Result<Verified, Refused> {
    list_in_force(store, now)?;
    let claims = &verified.claims;
    if now + LEEWAY_SECS < claims.iat {
        return Err(Refused::new(Verdict::NotYetValid, "the seal is not valid yet"));
    }
    if now > claims.exp + LEEWAY_SECS {
        return Err(Refused::new(Verdict::Expired, "the seal has expired"));
    }
    Ok(verified)
}

/// No trust list in force: rather no answer than one from a list that may list a
/// withdrawn key.
fn list_in_force(store: &TrustStore, now: i64) -> Result<(), Refused> {
    if store.expired(now) {
        return Err(Refused::new(Verdict::Unavailable, "the trust list has expired"));
    }
    Ok(())
}

/// Whether a register on the trust list in force at `now` signed this seal, whatever its
/// own time window: what an expired seal said, for a page that must still tell where its
/// subject stands now (a poster at the door). Never a verdict of validity by itself.
pub fn genuine(seal: &str, store: &TrustStore, now: i64) -> Result<Verified, Refused> {
    let tampered = |reason| Refused::new(Verdict::Tampered, reason);
    if seal.len() > MAX_SEAL_LEN {
        return Err(tampered("the seal is too long"));
    }
    let well_formed = seal.split('.').count() == 3
        && seal.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if !well_formed {
        return Err(tampered("the seal is not a compact JWS"));
    }
    let header = jsonwebtoken::decode_header(seal).map_err(|_| tampered("the seal's header is malformed"))?;
    // Only EdDSA: a seal cannot choose its algorithm (no `none`, no HMAC with a public key).
    if header.alg != Algorithm::EdDSA {
        return Err(tampered("the seal uses an algorithm that is not allowed"));
    }
    list_in_force(store, now)?;
    let kid = header.kid.ok_or_else(|| tampered("the seal names no signing key"))?;
    let candidates = store.keys(&kid);
    if candidates.is_empty() {
        return Err(Refused::new(Verdict::UnknownIssuer, "the signing key is not on the trust list"));
    }
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    // Several certificates may share a short kid; try each.
    let (key, claims) = candidates
        .iter()
        .find_map(|k| jsonwebtoken::decode::<Claims>(seal, &k.key, &validation).ok().map(|d| (k, d.claims)))
        .ok_or_else(|| tampered("the signature does not check"))?;
    if Register::from_code(&claims.iss) != Some(key.register) {
        return Err(tampered("the seal claims another register than its signer's"));
    }
    if claims.seal_id().is_none() {
        return Err(tampered("the seal id is malformed"));
    }
    if claims.iat < key.not_before || claims.iat > key.not_after || claims.exp > key.not_after {
        return Err(Refused::new(Verdict::UnknownIssuer, "the seal falls outside its signer certificate's validity"));
    }
    Ok(Verified { register: key.register, claims, kid })
}
