//! Test harness: the notifier on port 0 against a fresh database and Redis prefix; a
//! second instance can be started on the same ones (a restart).

use platform::auth::Role;
use platform::server::Shutdown;
use serde_json::{Value, json};
use zegel_notifier::config::Settings;
use zegel_notifier::{Application, Notifier};
use zegel_testkit::{self as testing, Client, TestDb, TestPrefix};

pub const MIGRATIONS: [&str; 2] = [
    concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/../platform/migrations"),
];

pub struct TestApp {
    pub client: Client,
    /// `http://127.0.0.1:<internal port>` (`/metrics`).
    pub internal: String,
    pub prefix: TestPrefix,
    pub db: TestDb,
    shutdown: Shutdown,
}

impl std::ops::Deref for TestApp {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

/// Settings for tests: loopback receivers allowed, quick retries.
pub fn settings(db: &TestDb, prefix: &TestPrefix) -> Settings {
    let mut settings = Settings::local();
    settings.common = testing::common_settings(db, prefix);
    settings.port = 0;
    settings.internal_port = 0;
    settings.own.allow_private_targets = true;
    settings.own.retry_base_ms = 20;
    settings.own.retry_max_ms = 200;
    settings.own.poll_ms = 50;
    settings.own.max_attempts = 3;
    settings.own.timeout_ms = 1000;
    // No lookup here: a follower is told the change; the suite's tests check the verdict.
    settings.own.lookup_url = String::new();
    settings
}

/// Starts an instance with `settings`; returns its address and shutdown handle.
pub async fn start(settings: Settings) -> (String, Shutdown) {
    let (address, _, shutdown) = start_with_internal(settings).await;
    (address, shutdown)
}

/// Starts an instance with `settings`; returns its address, internal address and shutdown handle.
pub async fn start_with_internal(settings: Settings) -> (String, String, Shutdown) {
    let (port, internal, shutdown) = testing::spawn(move || async move {
        let app = Application::build(settings).await.expect("notifier builds");
        let handle = (app.port(), app.internal_port(), app.shutdown_handle());
        (handle, async move {
            let _ = app.run_until_stopped().await;
        })
    })
    .await;
    (format!("http://127.0.0.1:{port}"), format!("http://127.0.0.1:{internal}"), shutdown)
}

pub async fn spawn_with(tune: impl FnOnce(&mut Settings)) -> TestApp {
    let db = TestDb::create("notifier", &MIGRATIONS, async |common| {
        platform::shell::migrate::<Notifier>(&common).await.expect("migrations")
    })
    .await;
    let prefix = TestPrefix::new();
    let mut s = settings(&db, &prefix);
    tune(&mut s);
    let (address, internal, shutdown) = start_with_internal(s).await;
    TestApp { client: Client::new(address), internal, prefix, db, shutdown }
}

pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

impl TestApp {
    pub fn hirer(&self) -> String {
        self.token(&[Role::Hirer], Some("55555555"))
    }

    /// Subscribes; returns (id, secret).
    pub async fn subscribe(&self, token: &str, body: Value) -> (String, String) {
        let r = self.post("/api/v1/subscriptions", token, body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        (r.body["subscription_id"].as_str().expect("id").into(), r.body["secret"].as_str().expect("secret").into())
    }

    /// The count of the one series of `/metrics` whose line starts with `series` (0 when absent).
    pub async fn metric(&self, series: &str) -> f64 {
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

    /// Stops this instance (as a crash would, mid-run: nothing is flushed on purpose).
    pub fn stop(&self) {
        self.shutdown.trigger();
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
