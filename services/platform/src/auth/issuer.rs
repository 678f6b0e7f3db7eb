//! The issuers whose tokens the suite accepts: for each, where its keys come from (a JWKS
//! file, a JWKS URL, or an OpenID provider whose discovery document names one) and how its
//! tokens name the caller's roles and organisation. The keys are fetched at start, again
//! every few minutes, and once more when a token names a key the issuer has not published
//! yet (a provider that rotated), at most once per [`REFETCH_GAP`], so that tokens with
//! made-up key ids cannot make the registers hammer a provider.

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

use super::{KeysError, LEEWAY_SECS};

/// The shortest time between two fetches of one issuer's keys caused by unknown key ids.
pub const REFETCH_GAP: Duration = Duration::from_secs(30);

/// One issuer, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerConfig {
    /// The `iss` its tokens carry.
    pub issuer: String,
    /// A JWKS file path or http(s) URL; `None` for an OpenID provider, whose discovery
    /// document at `<issuer>/.well-known/openid-configuration` names its `jwks_uri`.
    pub jwks: Option<String>,
    /// The claim that lists the caller's roles (a JSON array of words, or one string of
    /// words separated by spaces); a dotted name reads a nested claim, as some brokers
    /// nest them (`realm_access.roles`).
    pub roles_claim: String,
    /// The claim that names the organisation acted for (a KvK number, a body's id).
    pub org_claim: String,
    /// Whether `nbf` is required: the suite's own tokens carry it; access tokens of an
    /// OpenID provider (RFC 9068) need not.
    pub require_nbf: bool,
}

impl IssuerConfig {
    /// The suite's own issuer (`just token`, the tests): keys from `jwks`, claims `roles`
    /// and `org`, `nbf` required.
    pub fn own(issuer: &str, jwks: &str) -> Self {
        Self {
            issuer: issuer.into(),
            jwks: Some(jwks.into()),
            roles_claim: "roles".into(),
            org_claim: "org".into(),
            require_nbf: true,
        }
    }

    /// An OpenID provider found by discovery, its claims named `roles_claim` and `org_claim`.
    /// `issuer` is compared to its tokens' `iss` exactly, as written (with a trailing slash
    /// where the provider writes one).
    pub fn openid(issuer: &str, roles_claim: &str, org_claim: &str) -> Self {
        Self {
            issuer: issuer.into(),
            jwks: None,
            roles_claim: roles_claim.into(),
            org_claim: org_claim.into(),
            require_nbf: false,
        }
    }
}

pub(super) struct VerifyKey {
    pub kid: Option<String>,
    pub key: DecodingKey,
    pub validation: Validation,
}

/// An issuer with the keys it published last.
pub(super) struct Issuer {
    pub config: IssuerConfig,
    /// Where its keys were read from (the JWKS, found by discovery where not configured).
    source: String,
    audience: String,
    // Swapped whole when the issuer publishes new keys.
    keys: RwLock<Arc<Vec<VerifyKey>>>,
    refetched: Mutex<Option<Instant>>,
}

impl Issuer {
    pub async fn load(config: IssuerConfig, audience: &str) -> Result<Self, KeysError> {
        let source = match &config.jwks {
            Some(jwks) => jwks.clone(),
            None => discover(&config.issuer).await?,
        };
        let keys = load_keys(&source, &config, audience).await?;
        Ok(Self::with_keys(config, source, audience, keys))
    }

    pub fn with_keys(config: IssuerConfig, source: String, audience: &str, keys: Vec<VerifyKey>) -> Self {
        Self {
            config,
            source,
            audience: audience.into(),
            keys: RwLock::new(Arc::new(keys)),
            refetched: Mutex::new(None),
        }
    }

    pub fn keys(&self) -> Arc<Vec<VerifyKey>> {
        self.keys.read().map(|k| k.clone()).unwrap_or_default()
    }

    /// Whether its keys come from a URL (and may change).
    pub fn fetched(&self) -> bool {
        is_url(&self.source)
    }

    /// Reads the keys again; on failure the current ones stay in force.
    pub async fn refresh(&self) -> Result<(), KeysError> {
        let keys = load_keys(&self.source, &self.config, &self.audience).await?;
        if let Ok(mut current) = self.keys.write() {
            *current = Arc::new(keys);
        }
        Ok(())
    }

    /// Fetches the keys once more when `kid` is not among them, unless that was done less
    /// than [`REFETCH_GAP`] ago (or the keys come from a file, which does not change).
    pub async fn refresh_for(&self, kid: &str) {
        if !self.fetched() || self.keys().iter().any(|k| k.kid.as_deref() == Some(kid)) {
            return;
        }
        {
            let Ok(mut last) = self.refetched.lock() else { return };
            if last.is_some_and(|at| at.elapsed() < REFETCH_GAP) {
                return;
            }
            *last = Some(Instant::now());
        }
        match self.refresh().await {
            Ok(()) => tracing::info!(issuer = %self.config.issuer, "keys fetched again for a new key id"),
            Err(e) => tracing::warn!(error = %e, "keys not fetched again; the current keys stay in force"),
        }
    }

    /// Refreshes the keys of a fetched issuer every `every`, for providers that rotate.
    pub fn spawn_refresh(self: &Arc<Self>, every: Duration) {
        if !self.fetched() {
            return;
        }
        let issuer = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = issuer.refresh().await {
                    tracing::warn!(error = %e, "JWKS not refreshed; the current keys stay in force");
                }
            }
        });
    }
}

fn is_url(source: &str) -> bool {
    source.starts_with("http://") || source.starts_with("https://")
}

async fn fetch(url: &str) -> Result<String, String> {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().map_err(|e| e.to_string())?;
    let res = client.get(url).send().await.map_err(|e| e.to_string())?;
    let res = res.error_for_status().map_err(|e| e.to_string())?;
    res.text().await.map_err(|e| e.to_string())
}

/// The `jwks_uri` of the OpenID provider `issuer`, from its discovery document; the
/// document must name the same issuer (OpenID Connect Discovery 1.0, section 4.3).
async fn discover(issuer: &str) -> Result<String, KeysError> {
    let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    let load_err = |reason: String| KeysError::Load { source_name: url.clone(), reason };
    let text = fetch(&url).await.map_err(load_err)?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| load_err(e.to_string()))?;
    if doc["issuer"].as_str() != Some(issuer) {
        return Err(load_err(format!("the document names issuer {}, not {issuer}", doc["issuer"])));
    }
    doc["jwks_uri"].as_str().map(str::to_string).ok_or_else(|| load_err("no jwks_uri".into()))
}

async fn load_keys(source: &str, config: &IssuerConfig, audience: &str) -> Result<Vec<VerifyKey>, KeysError> {
    let load_err = |reason: String| KeysError::Load { source_name: source.into(), reason };
    let text = if is_url(source) {
        fetch(source).await.map_err(load_err)?
    } else {
        tokio::fs::read_to_string(source)
            .await
            .map_err(|e| load_err(format!("{e} (run `just certs` to create the dev keys)")))?
    };
    let set: JwkSet = serde_json::from_str(&text).map_err(|e| load_err(e.to_string()))?;
    let keys = keys_of(&set, config, audience);
    if keys.is_empty() { Err(KeysError::NoKeys(source.into())) } else { Ok(keys) }
}

/// The usable keys of `set`, each with the validation its tokens must pass.
pub(super) fn keys_of(set: &JwkSet, config: &IssuerConfig, audience: &str) -> Vec<VerifyKey> {
    set.keys
        .iter()
        .filter_map(|jwk| {
            let alg = pinned_algorithm(jwk)?;
            let key = DecodingKey::from_jwk(jwk).ok()?;
            let mut validation = Validation::new(alg);
            validation.leeway = LEEWAY_SECS;
            validation.validate_nbf = config.require_nbf;
            validation.set_issuer(&[&config.issuer]);
            validation.set_audience(&[audience]);
            let mut required = vec!["exp", "iat", "sub", "iss", "aud"];
            if config.require_nbf {
                required.push("nbf");
            }
            validation.set_required_spec_claims(&required);
            Some(VerifyKey { kid: jwk.common.key_id.clone(), key, validation })
        })
        .collect()
}

/// The one algorithm a JWK may be used with; symmetric keys are never usable.
fn pinned_algorithm(jwk: &Jwk) -> Option<Algorithm> {
    let natural = match &jwk.algorithm {
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => Algorithm::EdDSA,
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => Algorithm::ES256,
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P384 => Algorithm::ES384,
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        _ => return None,
    };
    match jwk.common.key_algorithm {
        None => Some(natural),
        Some(declared) => {
            let declared: Algorithm = declared.to_string().parse().ok()?;
            let same_family = declared.family() == natural.family();
            (same_family && !matches!(declared, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512))
                .then_some(declared)
        }
    }
}
