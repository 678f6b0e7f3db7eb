//! Building and running the bans register.

use std::sync::Arc;
use std::time::Duration;

use platform::clock::Clock;
use platform::config::CommonSettings;
use platform::core::{Core, Hosted};
use secrecy::ExposeSecret;

use crate::config::{DEV_BSN_KEY, Own, Settings};
use crate::routes;

/// The Postgres schema this service owns.
pub const SCHEMA: &str = "bans";
/// The service's name.
pub const SERVICE: &str = "bans";

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// Runs the migrations of this service's schema.
pub async fn migrate(common: &CommonSettings) -> Result<(), platform::db::DbError> {
    platform::db::migrate(&common.database_url, SCHEMA, embedded::migrations::runner()).await
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// Pool, bus, auth, relay, limiter, metrics.
    pub core: Core,
    /// Server time.
    pub clock: Clock,
    /// Own settings (holds the BSN key).
    pub settings: Arc<Own>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl AppState {
    /// The key BSNs are hashed with.
    pub fn bsn_key(&self) -> &[u8] {
        self.settings.bsn_key.expose_secret().as_bytes()
    }
}

/// A built, bound, not yet running service; its port, state and shutdown handle are read
/// through [`Hosted`].
pub struct Application(Hosted<AppState>);

impl std::ops::Deref for Application {
    type Target = Hosted<AppState>;
    fn deref(&self) -> &Hosted<AppState> {
        &self.0
    }
}

impl Application {
    /// Builds the service on the system clock.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Clock::system()).await
    }

    /// Builds the service on `clock`.
    pub async fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        if settings.own.bsn_key.expose_secret() == DEV_BSN_KEY {
            tracing::warn!("ZEGEL_BANS_BSN_KEY is the development key: set a secret one in production");
        }
        let core = Core::build(&settings.common, SERVICE, SCHEMA).await?;
        let state = AppState { core, clock, settings: Arc::new(settings.own.clone()) };
        Ok(Self(Hosted::bind(&settings.common, settings.own.port, state).await?))
    }

    /// Serves until SIGINT/SIGTERM or the shutdown handle, with the outbox relay and the sweep running.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let state = self.0.state().clone();
        let sweeper = {
            let state = state.clone();
            platform::core::every(Duration::from_secs(state.settings.sweep_interval_secs), "ban sweep", move || {
                let state = state.clone();
                async move { crate::sweep::run(&state).await }
            })
        };
        self.0.serve(SERVICE, &state.core, routes::api, vec![sweeper]).await;
        Ok(())
    }
}
