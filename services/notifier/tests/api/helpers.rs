//! Test harness: the notifier on the test kit (port 0, a fresh database and Redis prefix);
//! a second instance starts on the same ones with `Running::another` (a restart).

use platform::auth::Role;
use serde_json::{Value, json};
use zegel_notifier::Notifier;
use zegel_notifier::config::Settings;
use zegel_testkit::{self as testing, Running, TestDb, TestPrefix};

pub const MIGRATIONS: [&str; 2] = [
    concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/../platform/migrations"),
];

/// The notifier under test: the test kit's service, with the notifier's own asks below.
pub type TestApp = Running<Notifier>;

/// What tests want of the notifier: loopback receivers allowed, quick retries, no lookup
/// (a follower is told the change; the suite's tests check the verdict).
pub fn for_tests(settings: &mut Settings) {
    settings.own.allow_private_targets = true;
    settings.own.retry_base_ms = 20;
    settings.own.retry_max_ms = 200;
    settings.own.poll_ms = 50;
    settings.own.max_attempts = 3;
    settings.own.timeout_ms = 1000;
    settings.own.lookup_url = String::new();
}

/// Settings for tests on `db` and `prefix`, for a test that builds the service itself.
pub fn settings(db: &TestDb, prefix: &TestPrefix) -> Settings {
    let mut settings = Settings::local();
    settings.common = testing::common_settings(db, prefix);
    for_tests(&mut settings);
    settings
}

pub async fn spawn_with(tune: impl FnOnce(&mut Settings) + Send + 'static) -> TestApp {
    zegel_testkit::start::<Notifier>(MIGRATIONS[0], move |settings| {
        for_tests(settings);
        tune(settings);
    })
    .await
}

pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

/// What the notifier's tests ask of it.
pub trait Asks {
    /// A hirer's token (org 55555555).
    fn hirer(&self) -> String;
    /// Subscribes; returns (id, secret).
    async fn subscribe(&self, token: &str, body: Value) -> (String, String);
    /// The count of the one series of `/metrics` whose line starts with `series` (0 when absent).
    async fn metric(&self, series: &str) -> f64;
}

impl Asks for TestApp {
    fn hirer(&self) -> String {
        self.token(&[Role::Hirer], Some("55555555"))
    }

    async fn subscribe(&self, token: &str, body: Value) -> (String, String) {
        let r = self.post("/api/v1/subscriptions", token, body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        (r.body["subscription_id"].as_str().expect("id").into(), r.body["secret"].as_str().expect("secret").into())
    }

    async fn metric(&self, series: &str) -> f64 {
        let text = self
            .http
            .get(format!("{}/metrics", self.internal))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        text.lines()
            .find(|l| l.starts_with(series))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    }
}

/// An event about agency `kvk`.
pub fn certificate_event(kvk: &str, kind: &str) -> platform::outbox::Event {
    zegel_testkit::events::raw(
        kind,
        kvk,
        &["kvk"],
        json!({"kvk_number": kvk, "status": kind.trim_start_matches("certificate.")}),
    )
}
