//! Starting a service under test: its shared settings and its own thread and runtime.

use std::future::Future;

use platform::clock::Clock;
use platform::config::CommonSettings;
use platform::server::Shutdown;
use platform::shell::{App, Service, Settings};
use secrecy::SecretString;

use crate::client::Client;

use crate::db::{TestDb, redis_url};
use crate::redis::TestPrefix;
use crate::tokens::issuer;

/// Shared settings for a service under test: its database, a fresh Redis prefix, the
/// test token issuer, a quick relay.
pub fn common_settings(db: &TestDb, prefix: &TestPrefix) -> CommonSettings {
    common_settings_for(&db.url, prefix)
}

/// Shared settings for a service under test against the database at `database_url`.
pub fn common_settings_for(database_url: &str, prefix: &TestPrefix) -> CommonSettings {
    let mut common = CommonSettings::local();
    common.database_url = SecretString::from(database_url.to_string());
    common.redis_url = redis_url();
    common.redis_prefix = prefix.0.clone();
    common.jwks = issuer().1.clone();
    common.jwt_issuer = "zegel-test".into();
    common.relay_interval_ms = 50;
    common.db_pool_size = 4;
    // Tests drive thousands of writes with one token; the budgets' own tests set them low.
    common.writes_per_hour = 1_000_000;
    common.event_keys_dir = crate::pki::event_keys().0.clone();
    common
}

/// Runs a service on its own thread and runtime — as it would run in its own process;
/// warp's server future cannot be handed to `tokio::spawn`. `build` makes the service
/// and returns what the test needs of it plus the future that runs it.
pub async fn spawn<T, B, Fut, Run>(build: B) -> T
where
    T: Send + 'static,
    B: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = (T, Run)>,
    Run: Future<Output = ()>,
{
    spawn_on(("service", 1), build).await
}

/// Like [`spawn`], on a runtime with `threads` worker threads (1: a current-thread runtime)
/// named `name` (a benchmark tells the services' CPU time apart by it).
pub async fn spawn_on<T, B, Fut, Run>((name, threads): (&'static str, usize), build: B) -> T
where
    T: Send + 'static,
    B: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = (T, Run)>,
    Run: Future<Output = ()>,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    let thread = std::thread::Builder::new().name(name.into());
    thread
        .spawn(move || {
            let rt = if threads <= 1 {
                tokio::runtime::Builder::new_current_thread().enable_all().build()
            } else {
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(threads)
                    .thread_name(name)
                    .enable_all()
                    .build()
            }
            .expect("runtime");
            rt.block_on(async move {
                let (handle, run) = build().await;
                let _ = tx.send(handle);
                run.await;
            });
        })
        .expect("a thread for the service");
    rx.await.expect("service started")
}

/// A service under test, on its own thread and runtime; stopped when dropped, and with it
/// its database and its Redis keys.
pub struct Running<S: Service> {
    pub client: Client,
    /// Its internal port's address (`/metrics`, the probes).
    pub internal: String,
    /// Its state (tests read its pool and move its clock).
    pub state: S::State,
    pub clock: Clock,
    pub prefix: TestPrefix,
    pub db: TestDb,
    shutdown: Shutdown,
}

impl<S: Service> std::ops::Deref for Running<S> {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl<S: Service> Drop for Running<S> {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

/// The migrations every service runs first.
const PLATFORM_MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../platform/migrations");

/// Starts `S` on port 0 on a movable clock, against a fresh database cloned from a template
/// of its migrations (`migrations`: its `migrations/` directory), a fresh Redis prefix and
/// the test token issuer; `tune` adjusts its settings first (seal keys, sweep intervals).
pub async fn start<S: Service>(
    migrations: &str,
    tune: impl FnOnce(&mut Settings<S::Own>) + Send + 'static,
) -> Running<S> {
    start_at(migrations, 0, tune).await
}

/// Like [`start`], on `port` (a service that must know its own address before it starts,
/// as the workbench tells an OpenID provider where to send people back).
pub async fn start_at<S: Service>(
    migrations: &str,
    port: u16,
    tune: impl FnOnce(&mut Settings<S::Own>) + Send + 'static,
) -> Running<S> {
    let db = TestDb::create(S::NAME, &[migrations, PLATFORM_MIGRATIONS], async |common| {
        platform::shell::migrate::<S>(&common).await.expect("migrations apply")
    })
    .await;
    let prefix = TestPrefix::new();
    let mut settings = Settings::<S::Own>::local();
    settings.common = common_settings(&db, &prefix);
    tune(&mut settings);
    let clock = Clock::system();
    let (client, internal, state, shutdown) = launch::<S>(settings, clock.clone(), port).await;
    Running { client, internal, state, clock, prefix, db, shutdown }
}

/// Builds and runs `S` with `settings` on `clock`, on `port` (0: a free one) and a free internal
/// port: its client, internal address,
/// state and shutdown handle.
async fn launch<S: Service>(
    settings: Settings<S::Own>,
    clock: Clock,
    port: u16,
) -> (Client, String, S::State, Shutdown) {
    let (port, state, shutdown) = spawn(move || async move {
        let app = App::<S>::build_on(settings, clock, port, 0).await.expect("service builds");
        let handle = ((app.port(), app.internal_port()), app.state().clone(), app.shutdown_handle());
        (handle, async move {
            let _ = app.run_until_stopped().await;
        })
    })
    .await;
    let (port, internal) = port;
    (Client::new(format!("http://127.0.0.1:{port}")), format!("http://127.0.0.1:{internal}"), state, shutdown)
}

impl<S: Service> Running<S> {
    /// Stops it, as a crash would mid-run (nothing is flushed on purpose); its database and
    /// Redis keys stay until it is dropped, for [`Running::another`].
    pub fn stop(&self) {
        self.shutdown.trigger();
    }

    /// Another instance of `S` on the same database and Redis prefix — a restart after
    /// [`Running::stop`], or a second replica — with `tune` adjusting its settings as the
    /// first's were. Stopped when dropped; the data stays the first's.
    pub async fn another(&self, tune: impl FnOnce(&mut Settings<S::Own>) + Send + 'static) -> Instance<S> {
        let mut settings = Settings::<S::Own>::local();
        settings.common = common_settings(&self.db, &self.prefix);
        tune(&mut settings);
        let (client, internal, state, shutdown) = launch::<S>(settings, self.clock.clone(), 0).await;
        Instance { client, internal, state, shutdown }
    }
}

/// A further instance of a service started by [`Running::another`].
pub struct Instance<S: Service> {
    pub client: Client,
    pub internal: String,
    pub state: S::State,
    shutdown: Shutdown,
}

impl<S: Service> std::ops::Deref for Instance<S> {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl<S: Service> Drop for Instance<S> {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}
