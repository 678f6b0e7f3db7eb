//! Building and running the housing register.

use std::sync::Arc;

use platform::clock::Clock;
use platform::config::CommonSettings;
use platform::core::Core;
use platform::server::{self, Shutdown};
use tokio::net::TcpListener;

use crate::config::{Own, Settings};
use crate::routes;

/// The Postgres schema this service owns.
pub const SCHEMA: &str = "housing";
/// The service's name.
pub const SERVICE: &str = "housing";

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// Runs the migrations of this service's schema.
pub async fn migrate(common: &CommonSettings) -> Result<(), platform::db::DbError> {
    platform::db::migrate(&common.database_url, SCHEMA, embedded::migrations::runner()).await
}

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Pool, bus, auth, relay, limiter, metrics.
    pub core: Core,
    /// Server time.
    pub clock: Clock,
    /// Own settings.
    pub settings: Arc<Own>,
}

/// A built, bound, not yet running service.
pub struct Application {
    port: u16,
    listener: TcpListener,
    state: AppState,
    shutdown: Shutdown,
}

impl Application {
    /// Builds the service on the system clock.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Clock::system()).await
    }

    /// Builds the service on `clock`.
    pub async fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        let core = Core::build(&settings.common, SERVICE, SCHEMA).await?;
        let (listener, port) = platform::core::bind(&settings.common, settings.own.port).await?;
        let state = AppState { core, clock, settings: Arc::new(settings.own.clone()) };
        Ok(Self { port, listener, state, shutdown: Shutdown::default() })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// A handle that stops the running service.
    pub fn shutdown_handle(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// Serves until SIGINT/SIGTERM or the shutdown handle, with the outbox relay running.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Self { listener, state, shutdown, .. } = self;
        let relay = tokio::spawn(state.core.relay.clone().run());
        let core = state.core.clone();
        server::run(SERVICE, routes::api(state), core.pool, core.bus, core.metrics, listener, shutdown).await;
        relay.abort();
        Ok(())
    }
}
