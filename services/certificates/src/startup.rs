//! Building and running the service: settings in, a listening server out.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use deadpool_postgres::Pool;
use platform::auth::Authenticator;
use platform::bus::Bus;
use platform::clock::Clock;
use platform::config::CommonSettings;
use platform::http::PublicLimiter;
use platform::outbox::Relay;
use platform::server::{self, Shutdown};
use platform::telemetry::Metrics;
use tokio::net::TcpListener;
use zegel_attest::{Register, Signer};

use crate::config::{Own, Settings};
use crate::routes;

/// The Postgres schema this service owns.
pub const SCHEMA: &str = "certificates";
/// The service's name (audience, metrics label).
pub const SERVICE: &str = "certificates";

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
    /// Postgres, in schema `certificates`.
    pub pool: Pool,
    /// Verifies bearer tokens.
    pub auth: Arc<Authenticator>,
    /// Server time (movable in tests).
    pub clock: Clock,
    /// Publishes the outbox.
    pub relay: Relay,
    /// Rate limit for the public endpoints.
    pub limiter: PublicLimiter,
    /// Own settings.
    pub settings: Arc<Own>,
    /// Signs this register's seals.
    pub signer: Arc<Signer>,
    /// Base URL seals point at (`<it>/v/<seal>`).
    pub verify_url: Arc<str>,
    /// The other registers, asked live at certification.
    pub registers: crate::registers::Registers,
}

/// A built, bound, not yet running service.
pub struct Application {
    port: u16,
    listener: TcpListener,
    state: AppState,
    metrics: Metrics,
    bus: Bus,
    shutdown: Shutdown,
    sweep_interval: Duration,
}

impl Application {
    /// Builds the service on the system clock.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Clock::system()).await
    }

    /// Builds the service on `clock`, binding its port (0 picks a free one).
    pub async fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        let common = &settings.common;
        let pool = platform::db::pool(&common.database_url, SCHEMA, common.db_pool_size)?;
        let bus = Bus::connect(&common.redis_url, &common.redis_prefix)?;
        let audience = platform::auth::audience(SERVICE);
        let auth = Arc::new(Authenticator::load(&common.jwks, &common.jwt_issuer, &audience).await?);
        auth.spawn_refresh(&common.jwks, &common.jwt_issuer, &audience, Duration::from_secs(300));
        let signer = Signer::from_files(Register::Certificates, &settings.own.seal_key, &settings.own.seal_cert)?;
        let relay = Relay::new(pool.clone(), bus.clone(), Duration::from_millis(common.relay_interval_ms));
        let state = AppState {
            pool,
            auth,
            clock,
            relay,
            limiter: PublicLimiter::per_minute(common.public_rate_per_minute),
            settings: Arc::new(settings.own.clone()),
            signer: Arc::new(signer),
            verify_url: common.verify_url.as_str().into(),
            registers: crate::registers::Registers::new(
                &settings.own.bans_url,
                &settings.own.gaccounts_url,
                &settings.own.deposits_url,
                &settings.own.housing_url,
            ),
        };
        let (listener, port) = server::bind(SocketAddr::new(common.host, settings.own.port))
            .await
            .with_context(|| format!("cannot bind {}:{}", common.host, settings.own.port))?;
        Ok(Self {
            port,
            listener,
            state,
            metrics: Metrics::new(SERVICE),
            bus,
            shutdown: Shutdown::default(),
            sweep_interval: Duration::from_secs(settings.own.sweep_interval_secs),
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests use its clock and pool).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// A handle that stops the running service.
    pub fn shutdown_handle(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// Serves until SIGINT/SIGTERM or the shutdown handle, with the relay and the sweep running.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Self { listener, state, metrics, bus, shutdown, sweep_interval, port: _ } = self;
        let relay = tokio::spawn(state.relay.clone().run());
        let bus_for_consumer = bus.clone();
        let consumer = {
            let state = state.clone();
            let name = format!("certificates-{}", uuid::Uuid::new_v4().simple());
            tokio::spawn(async move {
                let consumer = platform::consumer::Consumer::new(bus_for_consumer, crate::consumer::PARTY, &name);
                consumer.run(crate::consumer::PARTY, |event| crate::consumer::handle(&state, event)).await;
            })
        };
        let sweeper = {
            let state = state.clone();
            platform::core::every(sweep_interval, "certificate sweep", move || {
                let state = state.clone();
                async move {
                    state.limiter.forget_quiet();
                    crate::sweep::run(&state).await
                }
            })
        };
        server::run(SERVICE, routes::api(state.clone()), state.pool.clone(), bus, metrics, listener, shutdown).await;
        relay.abort();
        sweeper.abort();
        consumer.abort();
        Ok(())
    }
}
