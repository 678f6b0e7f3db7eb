//! What every register service is built from: its pool, bus, token verifier, outbox
//! relay, public rate limit and metrics, made from the shared settings in one place.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use deadpool_postgres::Pool;
use tokio::net::TcpListener;

use crate::auth::Authenticator;
use crate::bus::Bus;
use crate::config::CommonSettings;
use crate::http::PublicLimiter;
use crate::outbox::Relay;
use crate::telemetry::Metrics;

/// The shared parts of a register service.
#[derive(Clone, Debug)]
pub struct Core {
    /// Postgres, in the service's schema.
    pub pool: Pool,
    /// Redis.
    pub bus: Bus,
    /// Verifies bearer tokens for the service's audience.
    pub auth: Arc<Authenticator>,
    /// Publishes the outbox.
    pub relay: Relay,
    /// Rate limit for public endpoints.
    pub limiter: PublicLimiter,
    /// Request metrics.
    pub metrics: Metrics,
}

impl Core {
    /// Builds the parts of `service`, working in schema `schema`.
    pub async fn build(common: &CommonSettings, service: &'static str, schema: &str) -> anyhow::Result<Self> {
        let pool = crate::db::pool(&common.database_url, schema, common.db_pool_size)?;
        let bus = Bus::connect(&common.redis_url, &common.redis_prefix)?;
        let audience = crate::auth::audience(service);
        let auth = Arc::new(Authenticator::load(&common.jwks, &common.jwt_issuer, &audience).await?);
        auth.spawn_refresh(&common.jwks, &common.jwt_issuer, &audience, Duration::from_secs(300));
        let relay = Relay::new(pool.clone(), bus.clone(), Duration::from_millis(common.relay_interval_ms));
        Ok(Self {
            pool,
            bus,
            auth,
            relay,
            limiter: PublicLimiter::per_minute(common.public_rate_per_minute),
            metrics: Metrics::new(service),
        })
    }
}

/// Binds the service's port on the configured host (0 picks a free one).
pub async fn bind(common: &CommonSettings, port: u16) -> anyhow::Result<(TcpListener, u16)> {
    crate::server::bind(std::net::SocketAddr::new(common.host, port))
        .await
        .with_context(|| format!("cannot bind {}:{port}", common.host))
}

/// A built, bound, not yet running register service: what every register's
/// `Application` holds. Its port, state and shutdown handle are read through it.
pub struct Hosted<S> {
    port: u16,
    listener: TcpListener,
    state: S,
    shutdown: crate::server::Shutdown,
}

impl<S: Clone + Send + Sync + 'static> Hosted<S> {
    /// Binds `port` (0 picks a free one) for a service with `state`.
    pub async fn bind(common: &CommonSettings, port: u16, state: S) -> anyhow::Result<Self> {
        let (listener, port) = bind(common, port).await?;
        Ok(Self { port, listener, state, shutdown: crate::server::Shutdown::default() })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state.
    pub fn state(&self) -> &S {
        &self.state
    }

    /// A handle that stops the running service.
    pub fn shutdown_handle(&self) -> crate::server::Shutdown {
        self.shutdown.clone()
    }

    /// Serves `api` (made from the state) until SIGINT/SIGTERM or the shutdown handle,
    /// with the outbox relay of `core` and the given background `tasks` running; they are
    /// stopped when the server is.
    pub async fn serve(
        self,
        service: &'static str,
        core: &Core,
        api: impl FnOnce(S) -> warp::filters::BoxedFilter<(warp::reply::Response,)>,
        tasks: Vec<tokio::task::JoinHandle<()>>,
    ) {
        let relay = tokio::spawn(core.relay.clone().run());
        let routes = api(self.state);
        crate::server::run(
            service,
            routes,
            core.pool.clone(),
            core.bus.clone(),
            core.metrics.clone(),
            self.listener,
            self.shutdown,
        )
        .await;
        relay.abort();
        for task in tasks {
            task.abort();
        }
    }
}

/// Runs `round` at once and then every `interval` until the task is aborted; a
/// failed round is logged and the next one tried.
pub fn every<F, Fut, T, E>(interval: Duration, what: &'static str, round: F) -> tokio::task::JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<T, E>> + Send,
    E: std::fmt::Display,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        loop {
            tick.tick().await;
            if let Err(e) = round().await {
                tracing::error!(error = format!("{e:#}"), task = what, "periodic task failed; retrying next interval");
            }
        }
    })
}
