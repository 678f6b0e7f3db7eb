//! `ZEGEL_ENV=production` refuses to start with anything meant for a developer's machine.

use platform::config::Environment;
use zegel_notifier::config::{Own, Settings};
use zegel_notifier::{Application, Notifier};
use zegel_testkit::{TestDb, TestPrefix};

use crate::helpers::{MIGRATIONS, settings};

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn production_names_every_development_setting_it_refuses() {
    let err =
        Settings::from_vars(vars(&[("ZEGEL_ENV", "production"), ("ZEGEL_NOTIFIER_ALLOW_PRIVATE_TARGETS", "true")]))
            .unwrap_err()
            .to_string();
    for setting in [
        "ZEGEL_JWKS:",
        "ZEGEL_JWT_ISSUER:",
        "ZEGEL_IDEMPOTENCY_SECRET:",
        "ZEGEL_EVENT_KEYS_DIR:",
        "ZEGEL_VERIFY_URL:",
        "ZEGEL_NOTIFIER_SECRET_KEY:",
        "ZEGEL_NOTIFIER_ALLOW_PRIVATE_TARGETS:",
    ] {
        assert!(err.contains(setting), "{setting} missing from: {err}");
    }
    let production = vars(&[
        ("ZEGEL_ENV", "production"),
        ("ZEGEL_JWKS", "https://idp.example.org/jwks.json"),
        ("ZEGEL_JWT_ISSUER", "https://idp.example.org"),
        ("ZEGEL_IDEMPOTENCY_SECRET", "a-production-secret-of-some-length"),
        ("ZEGEL_EVENT_KEYS_DIR", "/etc/zegel/events"),
        ("ZEGEL_VERIFY_URL", "https://zegel.example.org"),
        ("ZEGEL_NOTIFIER_SECRET_KEY", "another-production-secret-key"),
    ]);
    let ok = Settings::from_vars(production.clone()).expect("a production configuration starts");
    assert_eq!(ok.common.env, Environment::Production);
    for local in ["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"] {
        let mut with: Vec<_> = production.iter().filter(|(k, _)| k != "ZEGEL_VERIFY_URL").cloned().collect();
        with.push(("ZEGEL_VERIFY_URL".into(), local.into()));
        let err = Settings::from_vars(with).unwrap_err().to_string();
        assert!(err.contains("ZEGEL_VERIFY_URL"), "{local}: {err}");
    }
    // Development keeps its working defaults.
    assert!(Settings::from_vars(vars(&[])).is_ok());
    let _ = Own::default();
}

#[tokio::test]
async fn production_refuses_a_superuser_database_role() {
    let db = TestDb::create("notifier", &MIGRATIONS, async |common| {
        platform::shell::migrate::<Notifier>(&common).await.expect("migrations")
    })
    .await;
    let prefix = TestPrefix::new();
    let mut s = settings(&db, &prefix);
    s.common.env = Environment::Production;
    // The test database is reached as a superuser, as `just up` does on a developer machine.
    let err = Application::build(s.clone()).await.err().expect("refused").to_string();
    assert!(err.contains("ZEGEL_DATABASE_URL: connects as a superuser"), "{err}");

    // As a role of its own, the check passes.
    let role = format!("zegel_np_{}", uuid::Uuid::new_v4().simple());
    db.sql(&format!("create role {role} login nosuperuser in role zegel_notifier")).await;
    let mut url = url::Url::parse(&db.url).expect("database url");
    url.set_username(&role).expect("a user name");
    s.common.database_url = secrecy::SecretString::from(url.to_string());
    let built = Application::build(s).await;
    db.sql(&format!("drop role {role}")).await;
    assert!(built.is_ok(), "{:?}", built.err());
}
