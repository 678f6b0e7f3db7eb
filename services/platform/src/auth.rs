//! Bearer-token authentication.
//!
//! Tokens are JWTs signed with an asymmetric key whose public half comes from a JWKS
//! document (a file, or an identity provider's URL), so Zegel never holds the secret that
//! mints them. Each key's algorithm is pinned from the JWK itself; a token whose header
//! names another algorithm, or a symmetric one, is refused before any signature check,
//! which rules out the `alg: none` and HMAC-with-the-public-key confusions.
//!
//! Claims `sub iss aud exp nbf iat` are required and checked with a small leeway; `roles`
//! and `org` say what the caller may do and for whom. Failures are logged at debug and
//! surface as a bare 401: the client learns nothing about why its token was refused.

use std::collections::HashSet;
use std::fmt;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};

use crate::problem::Problem;

/// Seconds of clock skew tolerated between the token issuer and us.
const LEEWAY_SECS: u64 = 30;

/// What a caller may act as. One token may carry several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An accredited certification body; `org` is its id.
    CertificationBody,
    /// A staffing agency; `org` is its KvK number.
    Agency,
    /// Holds the guarantee deposits (under the Wtta law: the NAU).
    AdmissionAuthority,
    /// The Netherlands Labour Authority.
    Inspectorate,
    /// The tax authority.
    Tax,
    Kvk,
    /// A municipality; `org` is its CBS code (4 digits).
    Municipality,
    HousingInspector,
    /// A housing provider; `org` is its KvK number.
    HousingProvider,
    /// Operators of the suite (accreditations, court-ordered civil bans).
    Admin,
    /// A hirer (inlener) that subscribes to the agencies it uses; `org` is its KvK number.
    Hirer,
    /// A worker support organisation (FairWork, a union) acting for workers; `org` is its id.
    WorkerSupport,
}

impl Role {
    pub const ALL: [Role; 12] = [
        Role::CertificationBody,
        Role::Agency,
        Role::AdmissionAuthority,
        Role::Inspectorate,
        Role::Tax,
        Role::Kvk,
        Role::Municipality,
        Role::HousingInspector,
        Role::HousingProvider,
        Role::Admin,
        Role::Hirer,
        Role::WorkerSupport,
    ];

    /// The claim value, e.g. `certification_body`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::CertificationBody => "certification_body",
            Role::Agency => "agency",
            Role::AdmissionAuthority => "admission_authority",
            Role::Inspectorate => "inspectorate",
            Role::Tax => "tax",
            Role::Kvk => "kvk",
            Role::Municipality => "municipality",
            Role::HousingInspector => "housing_inspector",
            Role::HousingProvider => "housing_provider",
            Role::Admin => "admin",
            Role::Hirer => "hirer",
            Role::WorkerSupport => "worker_support",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The token's `sub`: who acts.
    pub subject: String,
    pub roles: Vec<Role>,
    pub org: Option<String>,
}

impl Principal {
    /// Who acts, for whom and as what, as one key: the scope of its idempotency keys and of
    /// its write budgets. The same subject acting for another organisation (or with other
    /// roles) is another scope, so that it never gets the first one's stored answers.
    pub fn scope(&self) -> String {
        let mut roles: Vec<&str> = self.roles.iter().map(|r| r.as_str()).collect();
        roles.sort_unstable();
        format!("{}\u{1f}{}\u{1f}{}", self.subject, self.org.as_deref().unwrap_or_default(), roles.join(","))
    }

    /// Whether the caller holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the caller holds `role` on behalf of organisation `org`.
    pub fn acts_for(&self, role: Role, org: &str) -> bool {
        self.has(role) && self.org.as_deref() == Some(org)
    }

    /// The role the caller acts in on `org`'s record: `owner` when it is `org` itself,
    /// else `authority` when it holds that role; `None` for anyone else.
    pub fn owner_or(&self, owner: Role, org: &str, authority: Role) -> Option<Role> {
        if self.acts_for(owner, org) {
            Some(owner)
        } else if self.has(authority) {
            Some(authority)
        } else {
            None
        }
    }

    /// 403 (`refusal`) unless the caller holds one of `roles`. A handler calls it first,
    /// before it reads the body or looks a resource up, so that a caller with no business
    /// there learns nothing of either (the authorization matrix test holds every write
    /// operation to it).
    pub fn require_any(&self, roles: &[Role], refusal: &str) -> Result<(), Problem> {
        if roles.iter().any(|r| self.has(*r)) { Ok(()) } else { Err(Problem::forbidden(refusal)) }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    /// Audiences (one per service the token is meant for).
    pub aud: Vec<String>,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
    /// Not before, seconds since the epoch.
    pub nbf: u64,
    /// Issued at, seconds since the epoch.
    pub iat: u64,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
}

/// Why a JWKS document could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    /// The document could not be read or fetched.
    #[error("cannot load JWKS from {source_name}: {reason}")]
    Load { source_name: String, reason: String },
    /// The document holds no usable asymmetric key.
    #[error("JWKS from {0} holds no usable asymmetric signing key")]
    NoKeys(String),
}

struct VerifyKey {
    kid: Option<String>,
    key: DecodingKey,
    validation: Validation,
}

pub struct Authenticator {
    // Swapped whole when a JWKS URL publishes new keys (an identity provider rotating).
    keys: std::sync::RwLock<std::sync::Arc<Vec<VerifyKey>>>,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator").field("keys", &self.current().len()).finish()
    }
}

impl Authenticator {
    /// Loads the JWKS from a file path or an http(s) URL.
    pub async fn load(source: &str, issuer: &str, audience: &str) -> Result<Self, KeysError> {
        let load_err = |reason: String| KeysError::Load { source_name: source.into(), reason };
        let text = if source.starts_with("http://") || source.starts_with("https://") {
            let client = reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .map_err(|e| load_err(e.to_string()))?;
            let res = client.get(source).send().await.map_err(|e| load_err(e.to_string()))?;
            let res = res.error_for_status().map_err(|e| load_err(e.to_string()))?;
            res.text().await.map_err(|e| load_err(e.to_string()))?
        } else {
            tokio::fs::read_to_string(source)
                .await
                .map_err(|e| load_err(format!("{e} (run `just certs` to create the dev keys)")))?
        };
        let set: JwkSet = serde_json::from_str(&text).map_err(|e| load_err(e.to_string()))?;
        Self::from_jwks(&set, issuer, audience).ok_or_else(|| KeysError::NoKeys(source.into()))
    }

    /// Builds from a parsed JWKS; `None` when no key is usable.
    pub fn from_jwks(set: &JwkSet, issuer: &str, audience: &str) -> Option<Self> {
        let keys: Vec<VerifyKey> = set
            .keys
            .iter()
            .filter_map(|jwk| {
                let alg = pinned_algorithm(jwk)?;
                let key = DecodingKey::from_jwk(jwk).ok()?;
                let mut validation = Validation::new(alg);
                validation.leeway = LEEWAY_SECS;
                validation.validate_nbf = true;
                validation.set_issuer(&[issuer]);
                validation.set_audience(&[audience]);
                validation.set_required_spec_claims(&["exp", "nbf", "iat", "sub", "iss", "aud"]);
                Some(VerifyKey { kid: jwk.common.key_id.clone(), key, validation })
            })
            .collect();
        (!keys.is_empty()).then_some(Self { keys: std::sync::RwLock::new(std::sync::Arc::new(keys)) })
    }

    fn current(&self) -> std::sync::Arc<Vec<VerifyKey>> {
        self.keys.read().map(|k| k.clone()).unwrap_or_default()
    }

    /// Reloads the keys from `source`; on failure the current keys stay in force.
    pub async fn refresh(&self, source: &str, issuer: &str, audience: &str) -> Result<(), KeysError> {
        let fresh = Self::load(source, issuer, audience).await?;
        let keys = fresh.current();
        if let Ok(mut current) = self.keys.write() {
            *current = keys;
        }
        Ok(())
    }

    /// For a JWKS URL, reloads the keys every `every`, so that an identity provider can
    /// rotate its keys without restarting the services. A file source is read at start only.
    pub fn spawn_refresh(
        self: &std::sync::Arc<Self>,
        source: &str,
        issuer: &str,
        audience: &str,
        every: std::time::Duration,
    ) {
        if !(source.starts_with("http://") || source.starts_with("https://")) {
            return;
        }
        let (auth, source, issuer, audience) =
            (self.clone(), source.to_string(), issuer.to_string(), audience.to_string());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = auth.refresh(&source, &issuer, &audience).await {
                    tracing::warn!(error = %e, "JWKS not refreshed; the current keys stay in force");
                }
            }
        });
    }

    /// Authenticates the value of an `Authorization` header.
    pub fn authenticate(&self, authorization: Option<&str>) -> Result<Principal, Problem> {
        self.verify(authorization).map_err(|reason| {
            tracing::debug!(auth.reason = %reason, "bearer token refused");
            Problem::unauthorized()
        })
    }

    /// Like [`Self::authenticate`], but a missing header means an anonymous caller.
    pub fn authenticate_optional(&self, authorization: Option<&str>) -> Result<Option<Principal>, Problem> {
        match authorization {
            None => Ok(None),
            Some(_) => self.authenticate(authorization).map(Some),
        }
    }

    fn verify(&self, authorization: Option<&str>) -> Result<Principal, String> {
        let header = authorization.ok_or("no Authorization header")?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or("not a bearer token")?
            .trim();
        let head = jsonwebtoken::decode_header(token).map_err(|e| format!("bad header: {e}"))?;
        let keys = self.current();
        let candidates = keys
            .iter()
            .filter(|k| head.kid.is_none() || k.kid == head.kid)
            // The algorithm is pinned per key: the token cannot choose it.
            .filter(|k| k.validation.algorithms == [head.alg]);
        let mut last = String::from("no key matches kid and algorithm");
        for key in candidates {
            match jsonwebtoken::decode::<Claims>(token, &key.key, &key.validation) {
                Ok(data) => return principal_from(data.claims),
                Err(e) => last = e.to_string(),
            }
        }
        Err(last)
    }
}

/// The longest a token may live (`exp` − `iat`) when it names no role this suite knows.
pub const MAX_TOKEN_LIFETIME_SECS: u64 = 12 * 3600;

impl Role {
    /// The longest a token for this role may live (`exp` − `iat`): an operator's an hour,
    /// every other role's a working day. A token of several roles lives no longer than its
    /// shortest; one that claims to live longer is refused, whoever signed it (issue 32: a
    /// token expiring in 9999 was accepted).
    pub fn max_token_lifetime_secs(self) -> u64 {
        match self {
            Role::Admin => 3600,
            _ => MAX_TOKEN_LIFETIME_SECS,
        }
    }
}

fn principal_from(claims: Claims) -> Result<Principal, String> {
    let now = jsonwebtoken::get_current_timestamp();
    if claims.iat > now + LEEWAY_SECS {
        return Err("issued in the future".into());
    }
    if claims.sub.trim().is_empty() {
        return Err("empty subject".into());
    }
    let roles: Vec<Role> = claims
        .roles
        .iter()
        .filter_map(|r| {
            let role = Role::parse(r);
            if role.is_none() {
                tracing::debug!(auth.role = %r, "ignoring unknown role");
            }
            role
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let lifetime = claims.exp.saturating_sub(claims.iat);
    let allowed = roles.iter().map(|r: &Role| r.max_token_lifetime_secs()).min().unwrap_or(MAX_TOKEN_LIFETIME_SECS);
    if lifetime > allowed + LEEWAY_SECS {
        return Err(format!("lives {lifetime} s, longer than its roles allow ({allowed} s)"));
    }
    Ok(Principal { subject: claims.sub, roles, org: claims.org })
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

/// The audience a service's tokens must name.
pub fn audience(service: &str) -> String {
    format!("zegel-{service}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(roles: &[Role], org: Option<&str>) -> Principal {
        Principal { subject: "t".into(), roles: roles.to_vec(), org: org.map(str::to_string) }
    }

    #[test]
    fn the_owner_acts_as_owner_an_authority_as_authority_anyone_else_not_at_all() {
        let cases = [
            (principal(&[Role::Agency], Some("12345678")), Some(Role::Agency), "the agency itself"),
            (principal(&[Role::Agency], Some("87654321")), None, "another agency"),
            (principal(&[Role::Agency], None), None, "an agency token naming no organisation"),
            (principal(&[Role::Tax], None), Some(Role::Tax), "the authority"),
            (principal(&[Role::Tax, Role::Agency], Some("12345678")), Some(Role::Agency), "both: as owner"),
            (principal(&[Role::Inspectorate], None), None, "another authority"),
        ];
        for (p, expected, case) in cases {
            assert_eq!(p.owner_or(Role::Agency, "12345678", Role::Tax), expected, "{case}");
        }
    }
}
