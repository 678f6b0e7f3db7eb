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
        // The provider rotates: a token from a new key verifies once the keys are refreshed.
        let rotated = DevIssuer::generate("url-iss").unwrap();
        let new_token = rotated.token("carol", &[Role::Tax], None, 60).unwrap();
        assert!(auth.authenticate(Some(&format!("Bearer {new_token}"))).is_err());
        *published.write().unwrap() = rotated.jwks();
        auth.refresh(&format!("http://127.0.0.1:{port}/jwks.json"), "url-iss", &audience("lookup")).await.unwrap();
        assert!(auth.authenticate(Some(&format!("Bearer {new_token}"))).is_ok());
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
