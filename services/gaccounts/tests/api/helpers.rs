//! Test harness: the G-account register on port 0 against a fresh database.

use platform::server::Shutdown;
use zegel_attest::Register;
use zegel_gaccounts::config::Settings;
use zegel_gaccounts::startup::{Application, Gaccounts};
use zegel_testkit::{self as testing, Client, TestDb, TestPrefix, pki};

pub const MIGRATIONS: [&str; 2] = [
    concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/../platform/migrations"),
];

pub struct TestApp {
    pub client: Client,
    pub prefix: TestPrefix,
    shutdown: Shutdown,
    _db: TestDb,
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

pub async fn spawn_app() -> TestApp {
    let db = TestDb::create("gaccounts", &MIGRATIONS, async |common| {
        platform::shell::migrate::<Gaccounts>(&common).await.expect("migrations")
    })
    .await;
    let prefix = TestPrefix::new();
    let mut settings = Settings::local();
    settings.common = testing::common_settings(&db, &prefix);
    settings.own.port = 0;
    let (key, cert) = pki().signer_paths(Register::Gaccounts);
    settings.own.seal_key = key;
    settings.own.seal_cert = cert;
    let (port, shutdown) = testing::spawn(move || async move {
        let app = Application::build(settings).await.expect("service builds");
        let handle = (app.port(), app.shutdown_handle());
        (handle, async move {
            let _ = app.run_until_stopped().await;
        })
    })
    .await;
    TestApp { client: Client::new(format!("http://127.0.0.1:{port}")), prefix, shutdown, _db: db }
}

/// A valid Dutch G-account IBAN (099 after the bank code).
pub fn g_iban(n: u32) -> String {
    zegel_gaccounts::domain::Iban::dutch("INGB", &format!("099{n:07}"))
}
