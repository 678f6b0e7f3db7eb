//! The platform's token verification, against tokens the test kit's issuer signs (the
//! issuer lives here so that no service binary carries one).
#![expect(clippy::unwrap_used, reason = "a panic is how a test fails, helpers included")]

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use platform::auth::*;
use zegel_testkit::DevIssuer;

fn setup() -> (DevIssuer, Authenticator) {
    let issuer = DevIssuer::generate("test-iss").unwrap();
    let set: JwkSet = serde_json::from_value(issuer.jwks()).unwrap();
    let auth = Authenticator::from_jwks(&set, "test-iss", &audience("certificates")).unwrap();
    (issuer, auth)
}

fn claims(issuer: &str, aud: &str, exp_in: i64, nbf_in: i64) -> Claims {
    let now = jsonwebtoken::get_current_timestamp() as i64;
    Claims {
        sub: "alice".into(),
        iss: issuer.into(),
        aud: vec![aud.into()],
        exp: (now + exp_in) as u64,
        nbf: (now + nbf_in) as u64,
        iat: now as u64,
        roles: vec!["certification_body".into(), "no_such_role".into()],
        org: Some("cb-1".into()),
    }
}

#[test]
fn a_valid_token_yields_the_principal_with_known_roles_only() {
    let (issuer, auth) = setup();
    let token = issuer.token("alice", &[Role::CertificationBody], Some("cb-1"), 60).unwrap();
    let p = auth.authenticate(Some(&format!("Bearer {token}"))).unwrap();
    assert_eq!(p.subject, "alice");
    assert!(p.acts_for(Role::CertificationBody, "cb-1"));
    assert!(!p.has(Role::Admin));
    let token = issuer.sign(&claims("test-iss", "zegel-certificates", 60, 0)).unwrap();
    let p = auth.authenticate(Some(&format!("Bearer {token}"))).unwrap();
    assert_eq!(p.roles, vec![Role::CertificationBody]);
}

#[test]
fn bad_tokens_are_refused_with_a_bare_401() {
    use base64::Engine;
    let (issuer, auth) = setup();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let good = issuer.sign(&claims("test-iss", "zegel-certificates", 60, 0)).unwrap();
    let payload = good.split('.').nth(1).unwrap().to_string();
    let other = DevIssuer::generate("test-iss").unwrap();
    let hs256 = {
        let header = b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let public_x = issuer.jwks()["keys"][0]["x"].as_str().unwrap().to_string();
        let key = EncodingKey::from_secret(public_x.as_bytes());
        let signed = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims("test-iss", "zegel-certificates", 60, 0),
            &key,
        )
        .unwrap();
        let _ = header;
        signed
    };
    let cases: Vec<(Option<String>, &str)> = vec![
        (None, "no header"),
        (Some(good.clone()), "no Bearer prefix"),
        (Some(format!("Basic {good}")), "basic scheme"),
        (
            Some(format!("Bearer {}", issuer.sign(&claims("other-iss", "zegel-certificates", 60, 0)).unwrap())),
            "wrong issuer",
        ),
        (Some(format!("Bearer {}", issuer.sign(&claims("test-iss", "zegel-bans", 60, 0)).unwrap())), "wrong audience"),
        (
            Some(format!("Bearer {}", issuer.sign(&claims("test-iss", "zegel-certificates", -120, -200)).unwrap())),
            "expired",
        ),
        (
            Some(format!("Bearer {}", issuer.sign(&claims("test-iss", "zegel-certificates", 600, 300)).unwrap())),
            "not yet valid",
        ),
        (
            Some(format!("Bearer {}", other.sign(&claims("test-iss", "zegel-certificates", 60, 0)).unwrap())),
            "signed by an unknown key",
        ),
        (Some(format!("Bearer {}.{payload}.", b64.encode(br#"{"alg":"none"}"#))), "alg none"),
        (Some(format!("Bearer {hs256}")), "HS256 with the public key as secret"),
        (Some("Bearer not.a.jwt".into()), "garbage"),
        (
            Some(format!("Bearer {}", issuer.sign(&claims("test-iss", "zegel-certificates", 13 * 3600, 0)).unwrap())),
            "lives longer than a working day",
        ),
        (
            Some(format!("Bearer {}", {
                let mut forever = claims("test-iss", "zegel-certificates", 60, 0);
                forever.exp = 253_402_300_799; // 9999-12-31
                issuer.sign(&forever).unwrap()
            })),
            "expires in 9999",
        ),
        (
            Some(format!("Bearer {}", issuer.token("ops", &[Role::Admin], None, 2 * 3600).unwrap())),
            "an operator's token for two hours",
        ),
    ];
    for (header, case) in cases {
        let err = auth.authenticate(header.as_deref()).unwrap_err();
        assert_eq!(err.status, 401, "{case}");
        assert_eq!(err.detail.as_deref(), Some("A valid bearer token is required."), "{case}");
    }
}

#[tokio::test]
async fn keys_load_from_a_jwks_url_as_from_a_file() {
    use warp::Filter;
    let issuer = DevIssuer::generate("url-iss").unwrap();
    let published = std::sync::Arc::new(std::sync::RwLock::new(issuer.jwks()));
    let serving = published.clone();
    let route = warp::path!("jwks.json").map(move || warp::reply::json(&*serving.read().unwrap()));
    let (listener, port) = platform::server::bind(([127, 0, 0, 1], 0).into()).await.unwrap();
    let shutdown = platform::server::Shutdown::default();
    let stop = shutdown.clone();
    // warp's server future is not `Send` for every lifetime: run it beside the checks.
    let server = warp::serve(route.recover(platform::problem::recover)).incoming(listener).graceful(stop.wait()).run();
    let checks = async {
        let auth = Authenticator::load(&format!("http://127.0.0.1:{port}/jwks.json"), "url-iss", &audience("lookup"))
            .await
            .unwrap();
        let token = issuer.token("bob", &[Role::Kvk], None, 60).unwrap();
        assert!(auth.authenticate(Some(&format!("Bearer {token}"))).unwrap().has(Role::Kvk));
        let missing = Authenticator::load(&format!("http://127.0.0.1:{port}/nope"), "url-iss", "a").await;
        assert!(missing.is_err(), "a 404 is refused");
        // The provider rotates: the first token of the new key makes the keys be fetched again.
        let rotated = DevIssuer::generate("url-iss").unwrap();
        let new_token = format!("Bearer {}", rotated.token("carol", &[Role::Tax], None, 60).unwrap());
        assert!(auth.authenticate(Some(&new_token)).is_err());
        *published.write().unwrap() = rotated.jwks();
        auth.ready(Some(&new_token)).await;
        assert!(auth.authenticate(Some(&new_token)).is_ok());
        let no_file = Authenticator::load("/nonexistent/jwks.json", "i", "a").await.unwrap_err().to_string();
        assert!(no_file.contains("just certs"), "{no_file}");
        shutdown.trigger();
    };
    tokio::join!(server, checks);
}

#[test]
fn symmetric_keys_in_a_jwks_are_never_used() {
    let set: JwkSet = serde_json::from_value(serde_json::json!({
        "keys": [{"kty": "oct", "k": "c2VjcmV0", "alg": "HS256"}]
    }))
    .unwrap();
    assert!(Authenticator::from_jwks(&set, "i", "a").is_none());
}

/// An OpenID provider as the registers meet one: a discovery document, a JWKS that it
/// rotates, access tokens in its own shape (RFC 9068: `aud` one string, no `nbf`; roles
/// nested, organisation under another name). It counts the key fetches it serves.
struct Provider {
    issuer: String,
    published: std::sync::Arc<std::sync::RwLock<serde_json::Value>>,
    fetches: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

fn provider_routes(p: &Provider) -> warp::filters::BoxedFilter<(warp::reply::Response,)> {
    use warp::Filter;
    let (issuer, published, fetches) = (p.issuer.clone(), p.published.clone(), p.fetches.clone());
    let discovery = warp::path!("zegel-idp" / ".well-known" / "openid-configuration")
        .map(move || warp::reply::json(&serde_json::json!({ "issuer": issuer, "jwks_uri": format!("{issuer}/jwks") })));
    let jwks = warp::path!("zegel-idp" / "jwks").map(move || {
        fetches.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        warp::reply::json(&*published.read().unwrap())
    });
    discovery.or(jwks).unify().map(warp::Reply::into_response).boxed()
}

fn access_token(key: &DevIssuer, iss: &str, aud: &str, roles: &str, org: &str, ttl: u64) -> String {
    let now = jsonwebtoken::get_current_timestamp();
    let claims = serde_json::json!({
        "iss": iss, "sub": "person-7", "aud": aud, "iat": now, "exp": now + ttl, "jti": "j1",
        "client_id": "zegel-workbench", "scope": "openid",
        "realm_access": { "roles": roles.split(' ').collect::<Vec<_>>() }, "organisation": org,
    });
    format!("Bearer {}", key.sign(&claims).unwrap())
}

#[tokio::test]
async fn an_openid_provider_s_access_tokens_are_accepted_beside_the_suite_s_own() {
    let (listener, port) = platform::server::bind(([127, 0, 0, 1], 0).into()).await.unwrap();
    let iss = format!("http://127.0.0.1:{port}/zegel-idp");
    let key = DevIssuer::generate(&iss).unwrap();
    let provider = Provider {
        issuer: iss.clone(),
        published: std::sync::Arc::new(std::sync::RwLock::new(key.jwks())),
        fetches: std::sync::Arc::default(),
    };
    let shutdown = platform::server::Shutdown::default();
    let stop = shutdown.clone();
    let server = warp::serve(provider_routes(&provider)).incoming(listener).graceful(stop.wait()).run();
    let checks = async {
        let own = DevIssuer::generate("zegel-test").unwrap();
        let own_jwks = std::env::temp_dir().join(format!("zegel-own-jwks-{}-{port}.json", std::process::id()));
        std::fs::write(&own_jwks, own.jwks().to_string()).unwrap();
        let aud = audience("housing");
        let issuers = vec![
            IssuerConfig::own("zegel-test", own_jwks.to_str().unwrap()),
            IssuerConfig::openid(&iss, "realm_access.roles", "organisation"),
        ];
        let auth = Authenticator::with_issuers(&aud, issuers).await.unwrap();
        let inspector = access_token(&key, &iss, &aud, "housing_inspector no_such_role", "ilt", 600);
        let p = auth.authenticate(Some(&inspector)).unwrap();
        assert_eq!(
            (p.subject.as_str(), p.roles.as_slice(), p.org.as_deref()),
            ("person-7", &[Role::HousingInspector][..], Some("ilt"))
        );
        let own_token = own.token("api", &[Role::Admin], None, 60).unwrap();
        assert!(
            auth.authenticate(Some(&format!("Bearer {own_token}"))).unwrap().has(Role::Admin),
            "the suite's own still"
        );

        let refused = [
            (access_token(&key, &iss, &audience("bans"), "tax", "t", 600), "another service's token"),
            (access_token(&key, "http://elsewhere/zegel-idp", &aud, "tax", "t", 600), "an issuer not configured"),
            (access_token(&key, &iss, &aud, "admin", "t", 2 * 3600), "an operator for two hours"),
        ];
        for (token, case) in &refused {
            auth.ready(Some(token)).await;
            assert_eq!(auth.authenticate(Some(token)).unwrap_err().status, 401, "{case}");
        }

        // The provider rotates: the first token of the new key is accepted at once, after
        // one more fetch; a flood of made-up key ids fetches no more within the gap.
        let fetched = provider.fetches.load(std::sync::atomic::Ordering::SeqCst);
        let rotated = DevIssuer::generate(&iss).unwrap();
        *provider.published.write().unwrap() = rotated.jwks();
        let fresh = access_token(&rotated, &iss, &aud, "municipality", "GM0363", 600);
        auth.ready(Some(&fresh)).await;
        assert!(auth.authenticate(Some(&fresh)).unwrap().acts_for(Role::Municipality, "GM0363"));
        for _ in 0..20 {
            // The provider's name on keys it never published.
            let stranger = DevIssuer::generate(&iss).unwrap();
            let forged = access_token(&stranger, &iss, &aud, "tax", "t", 600);
            auth.ready(Some(&forged)).await;
            assert_eq!(auth.authenticate(Some(&forged)).unwrap_err().status, 401);
        }
        assert_eq!(
            provider.fetches.load(std::sync::atomic::Ordering::SeqCst),
            fetched + 1,
            "one fetch for the new key only"
        );

        let wrong =
            Authenticator::with_issuers(&aud, vec![IssuerConfig::openid("http://127.0.0.1:1/none", "r", "o")]).await;
        assert!(wrong.is_err(), "a provider that cannot be reached stops the start");
        let other_name = IssuerConfig::openid(&format!("{iss}/"), "r", "o");
        let refused = Authenticator::with_issuers(&aud, vec![other_name]).await.unwrap_err().to_string();
        assert!(refused.contains("names issuer"), "the document must name the issuer as configured: {refused}");
        shutdown.trigger();
    };
    tokio::join!(server, checks);
}
