//! Who produced an event. Every event on the stream is signed (Ed25519) by the register
//! that produced it, over the exact fields written; a consumer acts only on an event whose
//! signature verifies under the key of the register its type belongs to (`deposit.*` by the
//! deposits register, and so on). Whoever can write the stream, or another register, cannot
//! make a consumer act on a forged event: it goes to the dead letter stream, counted, and is
//! never acted on.
//!
//! Keys live in one directory (`ZEGEL_EVENT_KEYS_DIR`): `<service>-key.pem`, the service's
//! own signing key (PKCS#8; a deployment mounts only its own), and `public-keys.json`, the
//! verifying key of every producer (`{"deposits": "<base64url>", …}`).

use std::collections::HashMap;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::DecodePrivateKey;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

/// The file of every producer's verifying key, in the keys directory.
pub const PUBLIC_KEYS: &str = "public-keys.json";

/// The register whose events carry `event_type`: only its key may sign them (by family,
/// so that a type this version does not know yet is still checked).
pub use zegel_contracts::event::producer_of_family as producer_of;

/// The event an entry of the stream holds, read without checking who signed it (a test
/// reading the stream; consumers verify through [`EventKeys`]).
pub fn event_of(fields: &HashMap<String, redis::Value>) -> Option<crate::event::Event> {
    StreamFields::read(fields)?.event()
}

/// The fields of an event as written on the stream, in the order they are signed.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    /// `event_id`.
    pub event_id: &'a str,
    /// `type`.
    pub event_type: &'a str,
    /// `subject`.
    pub subject: &'a str,
    /// `addressed_to` (JSON).
    pub addressed_to: &'a str,
    /// `occurred_at` (RFC 3339).
    pub occurred_at: &'a str,
    /// `payload` (JSON).
    pub payload: &'a str,
}

#[derive(Debug, Clone)]
pub struct StreamFields {
    event_id: String,
    event_type: String,
    subject: String,
    addressed_to: String,
    occurred_at: String,
    payload: String,
}

impl StreamFields {
    /// How the relay writes `event`.
    pub fn of(event: &crate::event::Event) -> Self {
        Self {
            event_id: event.event_id.to_string(),
            event_type: event.event_type.clone(),
            subject: event.subject.clone(),
            addressed_to: serde_json::to_string(&event.addressed_to).unwrap_or_else(|_| "[]".into()),
            occurred_at: event.occurred_at.to_rfc3339(),
            payload: event.payload.to_string(),
        }
    }

    /// As read from a stream entry; `None` when a field is missing.
    pub fn read(map: &HashMap<String, redis::Value>) -> Option<Self> {
        let get = |k: &str| map.get(k).and_then(|v| redis::from_redis_value_ref::<String>(v).ok());
        Some(Self {
            event_id: get("event_id")?,
            event_type: get("type")?,
            subject: get("subject")?,
            addressed_to: get("addressed_to")?,
            occurred_at: get("occurred_at")?,
            payload: get("payload")?,
        })
    }

    /// The event they carry; `None` when a field does not parse.
    pub fn event(&self) -> Option<crate::event::Event> {
        Some(crate::event::Event {
            event_id: self.event_id.parse().ok()?,
            event_type: self.event_type.clone(),
            subject: self.subject.clone(),
            addressed_to: serde_json::from_str(&self.addressed_to).ok()?,
            payload: serde_json::from_str(&self.payload).ok()?,
            occurred_at: self.occurred_at.parse().ok()?,
        })
    }

    pub fn view(&self) -> Fields<'_> {
        Fields {
            event_id: &self.event_id,
            event_type: &self.event_type,
            subject: &self.subject,
            addressed_to: &self.addressed_to,
            occurred_at: &self.occurred_at,
            payload: &self.payload,
        }
    }

    /// `XADD` arguments after the stream key and id: every field, and the signature.
    pub fn stream_args<'a>(&'a self, signature: Option<&'a str>) -> Vec<(&'static str, &'a str)> {
        let mut args = vec![
            ("event_id", self.event_id.as_str()),
            ("type", self.event_type.as_str()),
            ("subject", self.subject.as_str()),
            ("addressed_to", self.addressed_to.as_str()),
            ("occurred_at", self.occurred_at.as_str()),
            ("payload", self.payload.as_str()),
        ];
        if let Some(signature) = signature {
            args.push(("sig", signature));
        }
        args
    }
}

impl Fields<'_> {
    fn signed_bytes(&self) -> Vec<u8> {
        // Length-prefixed, so that no shift of bytes between fields keeps a signature valid.
        let mut out = b"zegel-event-v1".to_vec();
        for part in [self.event_id, self.event_type, self.subject, self.addressed_to, self.occurred_at, self.payload] {
            out.extend_from_slice(&(part.len() as u64).to_be_bytes());
            out.extend_from_slice(part.as_bytes());
        }
        out
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// A file could not be read.
    #[error("{path}: {error}")]
    Read { path: String, error: std::io::Error },
    /// A key did not parse.
    #[error("{0}")]
    Invalid(String),
}

fn read(path: &Path) -> Result<String, KeyError> {
    std::fs::read_to_string(path).map_err(|error| KeyError::Read { path: path.display().to_string(), error })
}

/// The services that publish events (each has a signing key): every one.
pub const PRODUCERS: &[zegel_contracts::register::Service] = zegel_contracts::register::Service::ALL;

/// Makes `dir` a keys directory for every producer: a signing key for each that has none
/// (readable by its owner only) and `public-keys.json` for all. Returns the signers.
pub fn ensure_keys(dir: &Path) -> anyhow::Result<HashMap<&'static str, EventSigner>> {
    std::fs::create_dir_all(dir)?;
    let mut signers = HashMap::new();
    let mut public = serde_json::Map::new();
    for service in PRODUCERS.iter().map(|s| s.as_str()) {
        let path = dir.join(format!("{service}-key.pem"));
        if !path.exists() {
            let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519)?;
            std::fs::write(&path, pair.serialize_pem())?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
            }
        }
        let signer = EventSigner::load(&dir.to_string_lossy(), service)?;
        public.insert(service.to_string(), signer.public_key().into());
        signers.insert(service, signer);
    }
    std::fs::write(dir.join(PUBLIC_KEYS), format!("{}\n", serde_json::Value::Object(public)))?;
    Ok(signers)
}

#[derive(Clone)]
pub struct EventSigner(SigningKey);

impl std::fmt::Debug for EventSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventSigner(***)")
    }
}

impl EventSigner {
    /// Loads `<dir>/<service>-key.pem`.
    pub fn load(dir: &str, service: &str) -> Result<Self, KeyError> {
        let path = Path::new(dir).join(format!("{service}-key.pem"));
        Self::from_pem(&read(&path)?).map_err(|e| KeyError::Invalid(format!("{}: {e}", path.display())))
    }

    pub fn from_pem(pem: &str) -> Result<Self, String> {
        SigningKey::from_pkcs8_pem(pem).map(Self).map_err(|e| format!("not an Ed25519 PKCS#8 key: {e}"))
    }

    /// The signature of `fields` (base64url).
    pub fn sign(&self, fields: &Fields<'_>) -> String {
        URL_SAFE_NO_PAD.encode(self.0.sign(&fields.signed_bytes()).to_bytes())
    }

    /// Its verifying key (base64url), as `public-keys.json` lists it.
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.verifying_key().to_bytes())
    }
}

/// Why an event is not acted on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unverified {
    #[error("event type {0} belongs to no register")]
    UnknownType(String),
    #[error("no verifying key for {0}")]
    NoKey(&'static str),
    #[error("unsigned")]
    Unsigned,
    /// The signature does not verify under the producer's key.
    #[error("signature does not verify under the key of {0}")]
    BadSignature(&'static str),
}

#[derive(Debug, Clone, Default)]
pub struct EventKeys(HashMap<String, VerifyingKey>);

impl EventKeys {
    /// Loads `<dir>/public-keys.json`.
    pub fn load(dir: &str) -> Result<Self, KeyError> {
        let path = Path::new(dir).join(PUBLIC_KEYS);
        let raw = read(&path)?;
        Self::from_json(&raw).map_err(|e| KeyError::Invalid(format!("{}: {e}", path.display())))
    }

    /// From `{"<service>": "<base64url key>", …}`.
    pub fn from_json(raw: &str) -> Result<Self, String> {
        let map: HashMap<String, String> = serde_json::from_str(raw).map_err(|e| e.to_string())?;
        let mut keys = HashMap::new();
        for (service, encoded) in map {
            let bytes = URL_SAFE_NO_PAD.decode(encoded.trim()).map_err(|e| format!("{service}: {e}"))?;
            let bytes: [u8; 32] = bytes.try_into().map_err(|_| format!("{service}: not 32 bytes"))?;
            let key = VerifyingKey::from_bytes(&bytes).map_err(|e| format!("{service}: {e}"))?;
            keys.insert(service, key);
        }
        Ok(Self(keys))
    }

    /// Checks that `signature` over `fields` is by the register that owns the event's type.
    pub fn verify(&self, fields: &Fields<'_>, signature: Option<&str>) -> Result<(), Unverified> {
        let producer =
            producer_of(fields.event_type).ok_or_else(|| Unverified::UnknownType(fields.event_type.to_string()))?;
        let key = self.0.get(producer).ok_or(Unverified::NoKey(producer))?;
        let signature = signature.ok_or(Unverified::Unsigned)?;
        let bytes = URL_SAFE_NO_PAD.decode(signature).map_err(|_| Unverified::BadSignature(producer))?;
        let signature = Signature::from_slice(&bytes).map_err(|_| Unverified::BadSignature(producer))?;
        key.verify(&fields.signed_bytes(), &signature).map_err(|_| Unverified::BadSignature(producer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> EventSigner {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        EventSigner::from_pem(&pair.serialize_pem()).unwrap()
    }

    const FIELDS: Fields<'static> = Fields {
        event_id: "0192f1a4-7b7e-7c1a-9d2e-3f4a5b6c7d8e",
        event_type: "deposit.shortfall_overdue",
        subject: "12345678",
        addressed_to: "[\"certificates\"]",
        occurred_at: "2026-12-01T00:00:00+00:00",
        payload: "{}",
    };

    #[test]
    fn only_the_owning_register_s_signature_over_the_same_fields_verifies() {
        let (deposits, housing) = (signer(), signer());
        let keys = EventKeys::from_json(
            &serde_json::json!({"deposits": deposits.public_key(), "housing": housing.public_key()}).to_string(),
        )
        .unwrap();
        assert_eq!(keys.verify(&FIELDS, Some(&deposits.sign(&FIELDS))), Ok(()));
        assert_eq!(keys.verify(&FIELDS, None), Err(Unverified::Unsigned));
        assert_eq!(
            keys.verify(&FIELDS, Some(&housing.sign(&FIELDS))),
            Err(Unverified::BadSignature("deposits")),
            "another register's key cannot sign for deposits"
        );
        let changed = Fields { subject: "87654321", ..FIELDS };
        assert_eq!(keys.verify(&changed, Some(&deposits.sign(&FIELDS))), Err(Unverified::BadSignature("deposits")));
        let certificate = Fields { event_type: "certificate.revoked", ..FIELDS };
        assert_eq!(
            keys.verify(&certificate, Some(&deposits.sign(&certificate))),
            Err(Unverified::NoKey("certificates"))
        );
        let unknown = Fields { event_type: "made.up", ..FIELDS };
        assert!(matches!(keys.verify(&unknown, Some("x")), Err(Unverified::UnknownType(_))));
        assert!(!format!("{deposits:?}").contains(&deposits.public_key()));
    }
}
