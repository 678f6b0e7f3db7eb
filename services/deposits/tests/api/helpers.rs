//! Test harness: the deposits register on port 0 against a fresh database.

use platform::clock::Clock;
use platform::server::Shutdown;
use zegel_deposits::config::Settings;
use zegel_deposits::startup::{Application, Deposits};
use zegel_deposits::state::AppState;
use zegel_testkit::{self as testing, Client, TestDb, TestPrefix};

pub const MIGRATIONS: [&str; 2] = [
    concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/../platform/migrations"),
];

pub struct TestApp {
    pub client: Client,
    pub prefix: TestPrefix,
    pub clock: Clock,
    pub state: AppState,
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
    let db = TestDb::create("deposits", &MIGRATIONS, async |common| {
        platform::shell::migrate::<Deposits>(&common).await.expect("migrations")
    })
    .await;
    let prefix = TestPrefix::new();
    let mut settings = Settings::local();
    settings.common = testing::common_settings(&db, &prefix);
    settings.own.port = 0;
    settings.own.sweep_interval_secs = 3600;
    let (key, cert) = zegel_testkit::pki().signer_paths(zegel_attest::Register::Deposits);
    settings.own.seal_key = key;
    settings.own.seal_cert = cert;
    let clock = Clock::system();
    let run_clock = clock.clone();
    let (port, state, shutdown) = testing::spawn(move || async move {
        let app = Application::build_with_clock(settings, run_clock).await.expect("service builds");
        let handle = (app.port(), app.state().clone(), app.shutdown_handle());
        (handle, async move {
            let _ = app.run_until_stopped().await;
        })
    })
    .await;
    TestApp { client: Client::new(format!("http://127.0.0.1:{port}")), prefix, clock, state, shutdown, _db: db }
}
