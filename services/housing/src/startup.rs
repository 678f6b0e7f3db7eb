//! Building and running the housing register.

use std::sync::Arc;
use std::time::Duration;

use platform::clock::Clock;
use platform::config::CommonSettings;
use platform::core::{Core, Hosted};
use platform::http::PublicLimiter;
use zegel_attest::{Register, Signer};

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
    /// Signs this register's seals.
    pub signer: Arc<Signer>,
    /// Base URL seals point at (the lookup).
    pub verify_url: Arc<str>,
    /// Complaints per client address: stricter than the public limit for reads.
    pub complaints: PublicLimiter,
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
        let core = Core::build(&settings.common, SERVICE, SCHEMA).await?;
        let signer = Signer::from_files(Register::Housing, &settings.own.seal_key, &settings.own.seal_cert)?;
        let state = AppState {
            core,
            clock,
            settings: Arc::new(settings.own.clone()),
            signer: Arc::new(signer),
            verify_url: settings.common.verify_url.trim_end_matches('/').into(),
            complaints: PublicLimiter::per_hour(settings.own.complaints_per_hour),
        };
        Ok(Self(Hosted::bind(&settings.common, settings.own.port, state).await?))
    }

    /// Serves until SIGINT/SIGTERM or the shutdown handle, with the outbox relay and the
    /// sweep running.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let state = self.0.state().clone();
        let sweeper = {
            let state = state.clone();
            platform::core::every(Duration::from_secs(state.settings.sweep_interval_secs), "housing sweep", move || {
                let state = state.clone();
                async move {
                    state.complaints.forget_quiet();
                    crate::sweep::run(&state).await
                }
            })
        };
        self.0.serve(SERVICE, &state.core, routes::api, vec![sweeper]).await;
        Ok(())
    }
}
