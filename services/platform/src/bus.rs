//! Redis: a cache and an event bus, never the source of truth.
//!
//! The connection is lazy and reconnects by itself, with short timeouts: a service starts
//! and keeps answering while Redis is down, and whatever needed Redis (publishing events)
//! catches up from Postgres when it returns.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use secrecy::{ExposeSecret, SecretString};

/// Longest the dead letter stream grows (approximately).
pub const DEAD_MAXLEN: u64 = 100_000;

#[derive(Clone)]
pub struct Bus {
    conn: ConnectionManager,
    client: redis::Client,
    prefix: String,
}

impl std::fmt::Debug for Bus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bus").field("prefix", &self.prefix).finish()
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    /// `redis://` or `rediss://` (TLS).
    pub url: &'a str,
    /// The CA bundle a `rediss://` server's certificate must chain to (else the system's).
    pub ca_file: Option<&'a str>,
    /// The password, when it comes apart from the URL (a Kubernetes Secret); it replaces
    /// the URL's.
    pub password: Option<&'a SecretString>,
}

impl<'a> Target<'a> {
    /// Redis at `url`, nothing else set.
    pub fn url(url: &'a str) -> Self {
        Self { url, ca_file: None, password: None }
    }
}

/// A client for `target`: over TLS for `rediss://`, verified against its CA bundle when
/// given (else the system's trust store).
pub fn client(target: Target<'_>) -> Result<redis::Client, redis::RedisError> {
    use redis::IntoConnectionInfo;
    crate::tls::install_provider();
    let mut info = target.url.into_connection_info()?;
    if let Some(password) = target.password {
        let settings = info.redis_settings().clone().set_password(password.expose_secret());
        info = info.set_redis_settings(settings);
    }
    match target.ca_file {
        None => redis::Client::open(info),
        Some(path) => {
            let pem = crate::tls::read_pem(path)
                .map_err(|e| redis::RedisError::from((redis::ErrorKind::InvalidClientConfig, "CA file", e)))?;
            redis::Client::build_with_tls(info, redis::TlsCertificates { client_tls: None, root_cert: Some(pem) })
        }
    }
}

impl Bus {
    /// A lazy connection to `target` (see [`client`]); every key it names starts with `prefix:`.
    pub fn connect(target: Target<'_>, prefix: &str) -> Result<Self, redis::RedisError> {
        let client = client(target)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_millis(500)))
            .set_response_timeout(Some(Duration::from_millis(1000)))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        let conn = ConnectionManager::new_lazy_with_config(client.clone(), config)?;
        Ok(Self { conn, client, prefix: prefix.into() })
    }

    /// A connection handle (cheap to clone).
    pub fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// A connection of its own for blocking reads (XREADGROUP ... BLOCK): a blocked
    /// command holds its connection, so it must not share the one everything else uses.
    pub fn blocking_conn(&self) -> Result<ConnectionManager, redis::RedisError> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_millis(500)))
            .set_response_timeout(Some(Duration::from_secs(5)))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        ConnectionManager::new_lazy_with_config(self.client.clone(), config)
    }

    /// The namespaced key for `name`.
    pub fn key(&self, name: &str) -> String {
        format!("{}:{name}", self.prefix)
    }

    pub fn events_stream(&self) -> String {
        self.key("events")
    }

    /// Every consumer group of the event stream: its name, its entries read and not yet
    /// acknowledged, and its entries not yet delivered (Redis 7's `lag`; 0 when unknown).
    pub async fn groups(&self) -> Result<Vec<(String, i64, i64)>, redis::RedisError> {
        let mut conn = self.conn();
        let groups: Vec<std::collections::HashMap<String, redis::Value>> =
            match redis::cmd("XINFO").arg("GROUPS").arg(self.events_stream()).query_async(&mut conn).await {
                Ok(groups) => groups,
                // No stream yet: no group has anything waiting.
                Err(e) if e.to_string().contains("no such key") => return Ok(Vec::new()),
                Err(e) => return Err(e),
            };
        let int = |v: Option<&redis::Value>| v.and_then(|v| redis::from_redis_value_ref::<i64>(v).ok()).unwrap_or(0);
        Ok(groups
            .iter()
            .filter_map(|g| {
                let name = g.get("name").and_then(|v| redis::from_redis_value_ref::<String>(v).ok())?;
                Some((name, int(g.get("pending")), int(g.get("lag"))))
            })
            .collect())
    }

    pub async fn ping(&self) -> Result<(), redis::RedisError> {
        let mut conn = self.conn();
        redis::cmd("PING").query_async::<String>(&mut conn).await.map(|_| ())
    }
}
