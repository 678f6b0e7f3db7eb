//! Logging a person in at the OpenID provider, the real way: the authorization code flow
//! with PKCE (S256), a state and a nonce per attempt, the ID token verified (signature by
//! the provider's published keys, issuer, audience, nonce). The provider is found by
//! discovery and must offer RP-initiated logout, so that logging out here ends the session
//! there too.
//!
//! The workbench calls the registers with the person's own tokens: each register is a
//! resource (RFC 8707, `urn:zegel:<service>`), the code is exchanged for a token for one of
//! them and the refresh token for any other, so every register decides as it does for
//! anyone, and its audit trail names the person.

use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndSessionUrl, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, RefreshToken, Scope,
    TokenResponse,
};
use serde::{Deserialize, Serialize};
use zegel_contracts::register::Service;

type Client =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// Why a login (or a token for a register) failed. Shown to the person only as "log in
/// again"; the reason goes to the log.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("the OpenID provider {0} could not be used: {1}")]
    Provider(String, String),
    #[error("the answer from the provider does not belong to this login attempt")]
    Mismatch,
    #[error("the provider refused: {0}")]
    Refused(String),
    #[error("the ID token does not verify: {0}")]
    IdToken(String),
}

/// How the workbench is registered at the provider.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Where the provider sends the browser back with the code.
    pub redirect_url: String,
    /// Where the provider sends the browser after logging out.
    pub after_logout_url: String,
    /// The registers (services) the workbench calls, each a resource `urn:zegel:<service>`.
    pub services: Vec<Service>,
}

/// The provider, discovered.
pub struct Provider {
    issuer: String,
    client: Client,
    http: reqwest::Client,
    end_session: EndSessionUrl,
    after_logout: PostLogoutRedirectUrl,
    services: Vec<Service>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider").field("issuer", &self.issuer).finish()
    }
}

/// One login attempt, kept until the provider sends the browser back (never in the URL).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attempt {
    pub state: String,
    nonce: String,
    verifier: String,
}

/// Who logged in, as the ID token says, and what the workbench keeps to act for them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Person {
    pub subject: String,
    pub name: Option<String>,
    /// The roles and organisation the ID token names (what the desks offer; each register
    /// decides again on its own token).
    pub roles: Vec<String>,
    pub org: Option<String>,
    /// For logging out at the provider (`id_token_hint`).
    pub id_token: String,
    /// For a token for another register.
    pub refresh_token: String,
}

/// An access token for one register.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RegisterToken {
    pub access_token: String,
    /// Seconds since the epoch.
    pub expires_at: u64,
}

fn resource(service: Service) -> String {
    format!("urn:zegel:{}", service.as_str())
}

impl Provider {
    /// Discovers the provider; it must name itself `issuer` and offer an end session endpoint.
    pub async fn discover(settings: &ClientSettings) -> Result<Self, LoginError> {
        let fail = |e: String| LoginError::Provider(settings.issuer.clone(), e);
        // No redirects: a provider's endpoint that redirects is not followed (SSRF).
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| fail(e.to_string()))?;
        let issuer = IssuerUrl::new(settings.issuer.clone()).map_err(|e| fail(e.to_string()))?;
        let metadata =
            ProviderMetadataWithLogout::discover_async(issuer, &http).await.map_err(|e| fail(e.to_string()))?;
        let end_session = metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()
            .ok_or_else(|| fail("no end_session_endpoint: logging out would not end the session there".into()))?;
        let redirect = RedirectUrl::new(settings.redirect_url.clone()).map_err(|e| fail(e.to_string()))?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(settings.client_id.clone()),
            Some(ClientSecret::new(settings.client_secret.clone())),
        )
        .set_redirect_uri(redirect);
        let after_logout =
            PostLogoutRedirectUrl::new(settings.after_logout_url.clone()).map_err(|e| fail(e.to_string()))?;
        Ok(Self {
            issuer: settings.issuer.clone(),
            client,
            http,
            end_session,
            after_logout,
            services: settings.services.clone(),
        })
    }

    /// Where to send the browser to log in, and the attempt to keep until it comes back.
    pub fn start(&self) -> (String, Attempt) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = self
            .client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("zegel".into()))
            .add_scope(Scope::new("offline_access".into()))
            .set_pkce_challenge(challenge);
        for service in &self.services {
            request = request.add_extra_param("resource", resource(*service));
        }
        let (url, state, nonce) = request.url();
        let attempt = Attempt {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
        };
        (url.to_string(), attempt)
    }

    /// The browser came back with `state` and `code`: the person, once the code is
    /// exchanged (with the attempt's PKCE verifier) and the ID token verifies.
    pub async fn finish(&self, attempt: &Attempt, state: &str, code: &str) -> Result<Person, LoginError> {
        if state.is_empty() || state != attempt.state {
            return Err(LoginError::Mismatch);
        }
        let first = self.services.first().map(|s| resource(*s)).unwrap_or_default();
        let request = self
            .client
            .exchange_code(AuthorizationCode::new(code.into()))
            .map_err(|e| LoginError::Provider(self.issuer.clone(), e.to_string()))?;
        let tokens = request
            .set_pkce_verifier(PkceCodeVerifier::new(attempt.verifier.clone()))
            .add_extra_param("resource", first)
            .request_async(&self.http)
            .await
            .map_err(|e| LoginError::Refused(e.to_string()))?;
        let id_token = tokens.id_token().ok_or_else(|| LoginError::IdToken("none was issued".into()))?;
        let verifier = self.client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &Nonce::new(attempt.nonce.clone()))
            .map_err(|e| LoginError::IdToken(e.to_string()))?;
        if let Some(expected) = claims.access_token_hash() {
            let alg = id_token.signing_alg().map_err(|e| LoginError::IdToken(e.to_string()))?;
            let key = id_token.signing_key(&verifier).map_err(|e| LoginError::IdToken(e.to_string()))?;
            let actual = AccessTokenHash::from_token(tokens.access_token(), alg, key)
                .map_err(|e| LoginError::IdToken(e.to_string()))?;
            if actual != *expected {
                return Err(LoginError::IdToken("at_hash does not match the access token".into()));
            }
        }
        let refresh_token =
            tokens.refresh_token().ok_or_else(|| LoginError::Refused("no refresh token was issued".into()))?;
        // Signature, issuer, audience and nonce are verified above; roles and organisation
        // are further claims of that same token.
        let extra = verified_payload(&id_token.to_string());
        Ok(Person {
            subject: claims.subject().to_string(),
            name: claims.name().and_then(|n| n.get(None)).map(|n| n.to_string()),
            roles: extra["roles"].as_array().into_iter().flatten().filter_map(|r| r.as_str()).map(Into::into).collect(),
            org: extra["org"].as_str().map(Into::into),
            id_token: id_token.to_string(),
            refresh_token: refresh_token.secret().clone(),
        })
    }

    /// A token for register `service`, for the person of `refresh_token`, and the refresh
    /// token that replaces it where the provider rotated it (the old one is spent then).
    pub async fn token_for(
        &self,
        refresh_token: &str,
        service: Service,
    ) -> Result<(RegisterToken, Option<String>), LoginError> {
        let refresh = RefreshToken::new(refresh_token.into());
        let request = self
            .client
            .exchange_refresh_token(&refresh)
            .map_err(|e| LoginError::Provider(self.issuer.clone(), e.to_string()))?;
        let tokens = request
            .add_extra_param("resource", resource(service))
            .request_async(&self.http)
            .await
            .map_err(|e| LoginError::Refused(e.to_string()))?;
        let lives = tokens.expires_in().map(|d| d.as_secs()).unwrap_or(300);
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let rotated = tokens.refresh_token().map(|t| t.secret().clone()).filter(|t| t != refresh_token);
        Ok((RegisterToken { access_token: tokens.access_token().secret().clone(), expires_at: now + lives }, rotated))
    }

    /// Where to send the browser to end the session at the provider too.
    pub fn logout_url(&self, person: &Person) -> String {
        let mut url = LogoutRequest::from(self.end_session.clone())
            .set_client_id(self.client.client_id().clone())
            .set_post_logout_redirect_uri(self.after_logout.clone())
            .http_get_url();
        url.query_pairs_mut().append_pair("id_token_hint", &person.id_token);
        url.to_string()
    }
}

/// The claims of a JWT whose signature was verified already.
fn verified_payload(jwt: &str) -> serde_json::Value {
    let payload = jwt.split('.').nth(1).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}
