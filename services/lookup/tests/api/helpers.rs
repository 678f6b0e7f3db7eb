//! Test harness: the lookup on port 0 against a fresh database, with the test PKI's trust
//! list. Seals of registers are made here with the test PKI's keys; tests that need a
//! register's live status run the real registers (see the workspace's tests/).

use std::collections::BTreeMap;
use std::time::Duration;

use platform::server::Shutdown;
use zegel_attest::{Register, Signer};
use zegel_lookup::config::Settings;
use zegel_lookup::{Application, Lookup};
use zegel_testkit::{self as testing, TestDb, TestPrefix, pki};

pub const MIGRATIONS: [&str; 2] = [
    concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/../platform/migrations"),
];

pub struct TestLookup {
    pub address: String,
    /// The internal port's address (`/metrics`).
    pub internal: String,
    pub http: reqwest::Client,
    _db: TestDb,
    shutdown: Shutdown,
    _prefix: TestPrefix,
}

impl Drop for TestLookup {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

pub async fn spawn_lookup_with(adjust: impl FnOnce(&mut Settings)) -> TestLookup {
    let db = TestDb::create("lookup", &MIGRATIONS, async |common| {
        platform::shell::migrate::<Lookup>(&common).await.expect("migrations")
    })
    .await;
    let prefix = TestPrefix::new();
    let mut settings = Settings::local();
    settings.common = testing::common_settings(&db, &prefix);
    settings.port = 0;
    settings.internal_port = 0;
    settings.own.trust_list = pki().trust_list_path.clone();
    settings.own.trust_anchor = pki().ca_path.clone();
    let (key, cert) = pki().signer_paths(Register::Lookup);
    settings.own.seal_key = key;
    settings.own.seal_cert = cert;
    adjust(&mut settings);
    let (port, shutdown) = testing::spawn(move || async move {
        let app = Application::build(settings).await.expect("lookup builds");
        let handle = ((app.port(), app.internal_port()), app.shutdown_handle());
        (handle, async move {
            let _ = app.run_until_stopped().await;
        })
    })
    .await;
    let (port, internal) = port;
    TestLookup {
        address: format!("http://127.0.0.1:{port}"),
        internal: format!("http://127.0.0.1:{internal}"),
        http: reqwest::Client::builder().timeout(Duration::from_secs(20)).build().expect("client"),
        _db: db,
        shutdown,
        _prefix: prefix,
    }
}

pub async fn spawn_lookup() -> TestLookup {
    spawn_lookup_with(|_| {}).await
}

/// A seal signed with the test PKI's key for `register`.
pub fn seal(register: Register, iat_offset: i64, exp_offset: i64) -> String {
    let (key, cert) = pki().signer_paths(register);
    let signer =
        Signer::from_pem(register, &std::fs::read_to_string(key).unwrap(), &std::fs::read_to_string(cert).unwrap())
            .unwrap();
    let now = chrono::Utc::now().timestamp();
    signer.issue("12345678", uuid::Uuid::now_v7(), now + iat_offset, now + exp_offset, BTreeMap::new()).unwrap()
}

impl TestLookup {
    /// The body of `GET <lookup><path_and_query>`.
    pub async fn text(&self, path_and_query: &str) -> String {
        self.http.get(format!("{}{path_and_query}", self.address)).send().await.unwrap().text().await.unwrap()
    }

    pub async fn verify(&self, seal: &str) -> (u16, serde_json::Value) {
        let r = self.http.get(format!("{}/api/v1/verify/{seal}", self.address)).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or_default())
    }

    pub async fn page(&self, seal: &str, query: &str, accept_language: Option<&str>) -> (u16, String) {
        let mut rb = self.http.get(format!("{}/v/{seal}{query}", self.address));
        if let Some(al) = accept_language {
            rb = rb.header("accept-language", al);
        }
        let r = rb.send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
}
