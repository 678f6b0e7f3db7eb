//! Bearer-token authentication.
//!
//! Tokens are JWTs signed with an asymmetric key whose public half comes from a JWKS
//! document (a file, or an identity provider's URL), so Zegel never holds the secret that
//! mints them. Each key's algorithm is pinned from the JWK itself; a token whose header
//! names another algorithm, or a symmetric one, is refused before any signature check,
//! which rules out the `alg: none` and HMAC-with-the-public-key confusions.
//!
//! Claims `sub iss aud exp iat` (and `nbf` in the suite's own tokens) are required and
//! checked with a small leeway; the roles and organisation claims (`roles` and `org`, or
//! what an OpenID provider calls them) say what the caller may do and for whom. Several
//! issuers may be trusted at once (the suite's own for API use, OpenID providers for people
//! who log in); a token is checked only against the keys of the issuer it names. Failures
//! are logged at debug and surface as a bare 401: the client learns nothing about why its
//! token was refused.

use std::collections::HashSet;
use std::fmt;

use jsonwebtoken::jwk::JwkSet;
use serde::{Deserialize, Serialize};

mod issuer;

use issuer::Issuer;
pub use issuer::{IssuerConfig, REFETCH_GAP};

use crate::problem::Problem;

/// Seconds of clock skew tolerated between the token issuer and us.
pub(crate) const LEEWAY_SECS: u64 = 30;

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

/// Verifies bearer tokens of the configured issuers for one audience (one service).
pub struct Authenticator {
    issuers: Vec<std::sync::Arc<Issuer>>,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let issuers: Vec<_> = self.issuers.iter().map(|i| (&i.config.issuer, i.keys().len())).collect();
        f.debug_struct("Authenticator").field("issuers", &issuers).finish()
    }
}

impl Authenticator {
    /// The suite's own issuer `issuer`, its JWKS from a file path or an http(s) URL.
    pub async fn load(source: &str, issuer: &str, audience: &str) -> Result<Self, KeysError> {
        Self::with_issuers(audience, vec![IssuerConfig::own(issuer, source)]).await
    }

    /// Every issuer of `configs`, each with the keys it publishes now.
    pub async fn with_issuers(audience: &str, configs: Vec<IssuerConfig>) -> Result<Self, KeysError> {
        let mut issuers = Vec::new();
        for config in configs {
            issuers.push(std::sync::Arc::new(Issuer::load(config, audience).await?));
        }
        Ok(Self { issuers })
    }

    /// The suite's own issuer from a parsed JWKS; `None` when no key is usable.
    pub fn from_jwks(set: &JwkSet, issuer: &str, audience: &str) -> Option<Self> {
        let config = IssuerConfig::own(issuer, "(given)");
        let keys = issuer::keys_of(set, &config, audience);
        let issuer = Issuer::with_keys(config, "(given)".into(), audience, keys);
        (!issuer.keys().is_empty()).then(|| Self { issuers: vec![std::sync::Arc::new(issuer)] })
    }

    /// Reads every issuer's keys again; on a failure that issuer's current keys stay.
    pub async fn refresh(&self) -> Result<(), KeysError> {
        for issuer in &self.issuers {
            issuer.refresh().await?;
        }
        Ok(())
    }

    /// Reloads every fetched issuer's keys every `every`, so that an identity provider can
    /// rotate its keys without restarting the services. A file is read at start only.
    pub fn spawn_refresh(&self, every: std::time::Duration) {
        for issuer in &self.issuers {
            issuer.spawn_refresh(every);
        }
    }

    /// Before a request is handled: when its token names a key its issuer has not
    /// published (yet), the issuer's keys are fetched once more (see [`issuer::REFETCH_GAP`]),
    /// so that the first token of a rotated key is accepted without waiting for the refresh.
    pub async fn ready(&self, authorization: Option<&str>) {
        // Keys read from a file never change: nothing to fetch, nothing to decode.
        if !self.issuers.iter().any(|i| i.fetched()) {
            return;
        }
        let Some(token) = authorization.and_then(bearer) else { return };
        let Ok(head) = jsonwebtoken::decode_header(token) else { return };
        let (Some(kid), Some(issuer)) = (head.kid, self.issuer_of(token)) else { return };
        issuer.refresh_for(&kid).await;
    }

    /// The configured issuer a token says it comes from (not yet verified: the signature
    /// check that follows uses that issuer's keys only, and checks `iss` again).
    fn issuer_of(&self, token: &str) -> Option<&std::sync::Arc<Issuer>> {
        #[derive(Deserialize)]
        struct Iss {
            iss: String,
        }
        let iss = jsonwebtoken::dangerous::insecure_decode_claims::<Iss>(token).ok()?.iss;
        self.issuers.iter().find(|i| i.config.issuer == iss)
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
        let token = bearer(authorization.ok_or("no Authorization header")?).ok_or("not a bearer token")?;
        let head = jsonwebtoken::decode_header(token).map_err(|e| format!("bad header: {e}"))?;
        let issuer = self.issuer_of(token).ok_or("no configured issuer")?;
        let keys = issuer.keys();
        let candidates = keys
            .iter()
            .filter(|k| head.kid.is_none() || k.kid == head.kid)
            // The algorithm is pinned per key: the token cannot choose it.
            .filter(|k| k.validation.algorithms == [head.alg]);
        let mut last = String::from("no key matches kid and algorithm");
        for key in candidates {
            match jsonwebtoken::decode::<serde_json::Value>(token, &key.key, &key.validation) {
                Ok(data) => return principal_from(&data.claims, &issuer.config),
                Err(e) => last = e.to_string(),
            }
        }
        Err(last)
    }
}

fn bearer(header: &str) -> Option<&str> {
    header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer ")).map(str::trim)
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

fn principal_from(claims: &serde_json::Value, config: &IssuerConfig) -> Result<Principal, String> {
    let now = jsonwebtoken::get_current_timestamp();
    let (iat, exp) = (claims["iat"].as_u64().ok_or("no iat")?, claims["exp"].as_u64().ok_or("no exp")?);
    if iat > now + LEEWAY_SECS {
        return Err("issued in the future".into());
    }
    let subject = claims["sub"].as_str().unwrap_or_default();
    if subject.trim().is_empty() {
        return Err("empty subject".into());
    }
    let named = claim(claims, &config.roles_claim);
    let words: Vec<&str> = match named {
        serde_json::Value::Array(items) => items.iter().filter_map(|v| v.as_str()).collect(),
        serde_json::Value::String(s) => s.split_whitespace().collect(),
        _ => Vec::new(),
    };
    let roles: Vec<Role> = words
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
    let lifetime = exp.saturating_sub(iat);
    let allowed = roles.iter().map(|r: &Role| r.max_token_lifetime_secs()).min().unwrap_or(MAX_TOKEN_LIFETIME_SECS);
    if lifetime > allowed + LEEWAY_SECS {
        return Err(format!("lives {lifetime} s, longer than its roles allow ({allowed} s)"));
    }
    let org = claim(claims, &config.org_claim).as_str().map(str::to_string);
    Ok(Principal { subject: subject.into(), roles, org })
}

/// The claim at a dotted `name` (`realm_access.roles`), or null.
fn claim<'c>(claims: &'c serde_json::Value, name: &str) -> &'c serde_json::Value {
    name.split('.').fold(claims, |v, part| &v[part])
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
