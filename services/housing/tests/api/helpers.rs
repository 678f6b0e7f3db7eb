//! Test harness: the housing register on port 0 against a fresh database.

use platform::server::Shutdown;
use platform::testing::{self, Client, TestDb, TestPrefix};
use zegel_housing::config::Settings;
use zegel_housing::startup::{self, Application};

pub const MIGRATIONS: [&str; 2] = [
    concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/../platform/migrations"),
];

pub struct TestApp {
    pub client: Client,
    shutdown: Shutdown,
    _prefix: TestPrefix,
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
    let db =
        TestDb::create("housing", &MIGRATIONS, async |common| startup::migrate(&common).await.expect("migrations"))
            .await;
    let prefix = TestPrefix::new();
    let mut settings = Settings::local();
    settings.common = testing::common_settings(&db, &prefix);
    settings.own.port = 0;
    let (port, shutdown) = testing::spawn(move || async move {
        let app = Application::build(settings).await.expect("service builds");
        let handle = (app.port(), app.shutdown_handle());
        (handle, async move {
            let _ = app.run_until_stopped().await;
        })
    })
    .await;
    TestApp { client: Client::new(format!("http://127.0.0.1:{port}")), shutdown, _prefix: prefix, _db: db }
}
