//! Building and running the lookup.

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context;
use deadpool_postgres::Pool;
use platform::bus::Bus;
use platform::clock::Clock;
use platform::config::CommonSettings;
use platform::http::PublicLimiter;
use platform::server::{self, Shutdown};
use platform::telemetry::Metrics;
use sha2::Digest;
use tokio::net::TcpListener;
use zegel_attest::TrustStore;

use crate::config::{Own, Settings};
use crate::routes;

/// The Postgres schema this service owns.
pub const SCHEMA: &str = "lookup";
/// The service's name.
pub const SERVICE: &str = "lookup";

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// Runs the migrations of this service's schema.
pub async fn migrate(common: &CommonSettings) -> Result<(), platform::db::DbError> {
    platform::db::migrate(&common.database_url, SCHEMA, embedded::migrations::runner()).await
}

/// The trust store and the document it came from.
#[derive(Debug, Default)]
struct Trust {
    store: Arc<TrustStore>,
    raw: String,
    etag: String,
}

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Postgres: reads the registers' `seal_status` views.
    pub pool: Pool,
    /// Server time.
    pub clock: Clock,
    /// Rate limit for every (public) endpoint.
    pub limiter: PublicLimiter,
    /// Own settings.
    pub settings: Arc<Own>,
    /// Signs the receipts of hirer checks.
    pub signer: Arc<zegel_attest::Signer>,
    /// This lookup's public base URL (receipts point at it).
    pub verify_url: Arc<str>,
    /// Verifies bearer tokens (the KvK API).
    pub auth: Arc<platform::auth::Authenticator>,
    /// Publishes the outbox (signals of deregistration checks).
    pub relay: platform::outbox::Relay,
    /// Asks other registers over HTTP (the bans register's person checks).
    pub http: reqwest::Client,
    trust: Arc<RwLock<Trust>>,
}

impl AppState {
    /// The trust store in force (a cheap clone of an `Arc`).
    pub fn trust(&self) -> Arc<TrustStore> {
        self.trust.read().map(|t| t.store.clone()).unwrap_or_default()
    }

    /// The published trust list and its ETag.
    pub fn trust_document(&self) -> (Option<String>, String) {
        self.trust.read().map(|t| (Some(t.raw.clone()).filter(|r| !r.is_empty()), t.etag.clone())).unwrap_or_default()
    }

    /// Loads the trust list file if it changed; keeps the current one when the new one fails.
    pub fn reload_trust(&self) -> anyhow::Result<bool> {
        let raw = std::fs::read_to_string(&self.settings.trust_list)
            .with_context(|| format!("cannot read {} (run `just certs`)", self.settings.trust_list))?;
        let raw = raw.trim().to_string();
        if self.trust.read().map(|t| t.raw == raw).unwrap_or(false) {
            return Ok(false);
        }
        let anchor = std::fs::read_to_string(&self.settings.trust_anchor)
            .with_context(|| format!("cannot read {}", self.settings.trust_anchor))?;
        let (store, refused) = TrustStore::load(&raw, &anchor, self.clock.now().timestamp())?;
        for r in &refused {
            tracing::warn!(trust.refused = %r, "trust list entry refused");
        }
        let etag = format!("\"{:x}\"", sha2::Sha256::digest(raw.as_bytes()));
        tracing::info!(trust.keys = store.len(), trust.etag = %etag, "trust list loaded");
        if let Ok(mut t) = self.trust.write() {
            *t = Trust { store: Arc::new(store), raw, etag };
        }
        Ok(true)
    }
}

/// A built, bound, not yet running service.
pub struct Application {
    port: u16,
    listener: TcpListener,
    state: AppState,
    metrics: Metrics,
    bus: Bus,
    shutdown: Shutdown,
}

impl Application {
    /// Builds the lookup on the system clock.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Clock::system()).await
    }

    /// Builds the lookup on `clock`, binding its port (0 picks a free one).
    pub async fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        let common = &settings.common;
        let core = platform::core::Core::build(common, SERVICE, SCHEMA).await?;
        let (pool, bus) = (core.pool.clone(), core.bus.clone());
        let state = AppState {
            auth: core.auth.clone(),
            relay: core.relay.clone(),
            http: reqwest::Client::builder().timeout(Duration::from_secs(3)).build()?,
            pool,
            clock,
            limiter: PublicLimiter::per_minute(common.public_rate_per_minute),
            settings: Arc::new(settings.own.clone()),
            signer: Arc::new(zegel_attest::Signer::from_files(
                zegel_attest::Register::Lookup,
                &settings.own.seal_key,
                &settings.own.seal_cert,
            )?),
            verify_url: common.verify_url.trim_end_matches('/').into(),
            trust: Arc::default(),
        };
        state.reload_trust()?;
        let (listener, port) = server::bind(SocketAddr::new(common.host, settings.own.port))
            .await
            .with_context(|| format!("cannot bind {}:{}", common.host, settings.own.port))?;
        Ok(Self { port, listener, state, metrics: core.metrics.clone(), bus, shutdown: Shutdown::default() })
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

    /// Serves until SIGINT/SIGTERM or the shutdown handle.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Self { port: _, listener, state, metrics, bus, shutdown } = self;
        // The list was loaded at build; a reload of an unchanged file changes nothing.
        let reloader = {
            let state = state.clone();
            platform::core::every(
                Duration::from_secs(state.settings.trust_reload_secs),
                "trust list reload",
                move || {
                    let state = state.clone();
                    async move {
                        state.limiter.forget_quiet();
                        state.reload_trust()
                    }
                },
            )
        };
        let relay = tokio::spawn(state.relay.clone().run());
        server::run(SERVICE, routes::api(state.clone()), state.pool.clone(), bus, metrics, listener, shutdown).await;
        reloader.abort();
        relay.abort();
        Ok(())
    }
}
