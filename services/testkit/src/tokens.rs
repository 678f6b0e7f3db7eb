//! Tokens for development and tests: an Ed25519 issuer made on the spot, whose JWKS the
//! services load through the same path as a real identity provider's. Production tokens
//! never come from here.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use platform::auth::{Claims, Role, audience};
use serde::Serialize;

/// A token issuer for development and tests: an Ed25519 key made on the spot.
///
/// Production tokens come from a real identity provider; this exists so that `just token`
/// and the test suites can mint tokens the services verify through the same JWKS path.
pub struct DevIssuer {
    kid: String,
    encoding: EncodingKey,
    jwk: serde_json::Value,
    issuer: String,
}

impl fmt::Debug for DevIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevIssuer").field("kid", &self.kid).finish()
    }
}

impl DevIssuer {
    pub fn generate(issuer: &str) -> anyhow::Result<Self> {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519)?;
        Self::from_pkcs8_pem(&pair.serialize_pem(), issuer)
    }

    /// An existing Ed25519 key in PKCS#8 PEM.
    pub fn from_pkcs8_pem(pem: &str, issuer: &str) -> anyhow::Result<Self> {
        use base64::Engine;
        use sha2::Digest;
        let pair = rcgen::KeyPair::from_pem(pem)?;
        let raw = pair.public_key_raw();
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let kid = b64.encode(&sha2::Sha256::digest(raw)[..12]);
        let jwk = serde_json::json!({
            "kty": "OKP", "crv": "Ed25519", "x": b64.encode(raw),
            "kid": kid, "alg": "EdDSA", "use": "sig"
        });
        Ok(Self { kid, encoding: EncodingKey::from_ed_pem(pem.as_bytes())?, jwk, issuer: issuer.into() })
    }

    /// The JWKS document holding this issuer's public key.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({ "keys": [self.jwk] })
    }

    /// Signs arbitrary claims (tests use this to forge bad tokens).
    pub fn sign<T: Serialize>(&self, claims: &T) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        Ok(jsonwebtoken::encode(&header, claims, &self.encoding)?)
    }

    /// A token for `roles` acting for `org`, valid for `ttl_secs`, for every Zegel service.
    pub fn token(&self, subject: &str, roles: &[Role], org: Option<&str>, ttl_secs: u64) -> anyhow::Result<String> {
        let now = jsonwebtoken::get_current_timestamp();
        self.sign(&Claims {
            sub: subject.into(),
            iss: self.issuer.clone(),
            aud: platform::config::services().map(audience).collect(),
            exp: now + ttl_secs,
            nbf: now,
            iat: now,
            roles: roles.iter().map(|r| r.as_str().to_string()).collect(),
            org: org.map(str::to_string),
        })
    }
}

/// The issuer of test tokens (`iss` = `zegel-test`) and the path of its JWKS file.
pub fn issuer() -> &'static (Arc<DevIssuer>, String) {
    static ISSUER: OnceLock<(Arc<DevIssuer>, String)> = OnceLock::new();
    ISSUER.get_or_init(|| {
        let issuer = DevIssuer::generate("zegel-test").expect("key generation");
        let path = temp_dir().join("jwks.json");
        std::fs::write(&path, issuer.jwks().to_string()).expect("write jwks");
        (Arc::new(issuer), path.to_string_lossy().into_owned())
    })
}

pub(crate) fn temp_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("zegel-test-{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    })
    .clone()
}
