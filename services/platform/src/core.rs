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
