//! Redis: a cache and an event bus, never the source of truth.
//!
//! The connection is lazy and reconnects by itself, with short timeouts: a service starts
//! and keeps answering while Redis is down, and whatever needed Redis (publishing events)
//! catches up from Postgres when it returns.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// A namespaced Redis connection.
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

/// A client for `url`: over TLS for `rediss://`, verified against the CA bundle at
/// `ca_file` when given (else the system's trust store).
pub fn client(url: &str, ca_file: Option<&str>) -> Result<redis::Client, redis::RedisError> {
    crate::tls::install_provider();
    match ca_file {
        None => redis::Client::open(url),
        Some(path) => {
            let pem = crate::tls::read_pem(path)
                .map_err(|e| redis::RedisError::from((redis::ErrorKind::InvalidClientConfig, "CA file", e)))?;
            redis::Client::build_with_tls(url, redis::TlsCertificates { client_tls: None, root_cert: Some(pem) })
        }
    }
}

impl Bus {
    /// A lazy connection to `url` (see [`client`]); every key it names starts with `prefix:`.
    pub fn connect(url: &str, ca_file: Option<&str>, prefix: &str) -> Result<Self, redis::RedisError> {
        let client = client(url, ca_file)?;
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

    /// The stream every service publishes its events to.
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

    /// Whether Redis answers a PING.
    pub async fn ping(&self) -> Result<(), redis::RedisError> {
        let mut conn = self.conn();
        redis::cmd("PING").query_async::<String>(&mut conn).await.map(|_| ())
    }
}
