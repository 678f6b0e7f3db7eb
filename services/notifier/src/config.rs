//! Settings of the notifier.

use platform::config::ConfigError;
use platform::shell::OwnSettings;
use serde::Deserialize;

pub type Settings = platform::shell::Settings<Own>;

/// `ZEGEL_NOTIFIER_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Own {
    /// Attempts before a delivery goes to the dead letters.
    pub max_attempts: i32,
    /// The first retry waits about this long; each next one twice as long (with jitter).
    pub retry_base_ms: u64,
    pub retry_max_ms: u64,
    /// How long a receiver may take to answer.
    pub timeout_ms: u64,
    /// Milliseconds between looks for due deliveries (new ones are also signalled at once).
    pub poll_ms: u64,
    pub concurrency: usize,
    /// Whether webhooks may go to loopback, private, link-local or unique-local addresses
    /// (never in production: a subscriber must not reach into the suite's own network).
    pub allow_private_targets: bool,
    /// The key every subscription's signing secret is derived from (HMAC-SHA256 of the
    /// subscription id). Changing it changes every secret.
    pub secret_key: secrecy::SecretString,
    pub consumer_name: String,
    /// The lookup, whose public check a follower's webhook carries, fresh at delivery.
    /// Empty: the webhook names the change only (the notifier's own tests, which run
    /// without a lookup; refused in production).
    pub lookup_url: String,
    /// Live subscriptions one organisation (or a subject without one) may hold: one event
    /// is at most this many POSTs from its subscriptions.
    pub max_subscriptions: u32,
    /// Delivery attempts, retries included, one organisation's subscriptions may cause in
    /// an hour; beyond it a delivery waits (it is postponed, never dropped).
    pub deliveries_per_hour: u32,
}

impl Default for Own {
    /// What a developer machine runs with when nothing is set.
    fn default() -> Self {
        Self {
            max_attempts: 8,
            retry_base_ms: 1000,
            retry_max_ms: 3_600_000,
            timeout_ms: 10_000,
            poll_ms: 1000,
            concurrency: 16,
            allow_private_targets: Default::default(),
            secret_key: secrecy::SecretString::from(DEV_SECRET_KEY),
            consumer_name: "notifier-1".into(),
            lookup_url: "http://127.0.0.1:8080".into(),
            max_subscriptions: 10,
            deliveries_per_hour: 3600,
        }
    }
}

const DEV_SECRET_KEY: &str = "zegel-dev-notifier-secret-key-not-for-production";

impl OwnSettings for Own {
    const SERVICE: &'static str = "notifier";
    const PORT: u16 = 8086;

    fn production_faults(&self) -> Vec<String> {
        use secrecy::ExposeSecret;
        platform::config::faults(
            Self::SERVICE,
            &[
                ("SECRET_KEY", self.secret_key.expose_secret() == DEV_SECRET_KEY, "the development key"),
                (
                    "ALLOW_PRIVATE_TARGETS",
                    self.allow_private_targets,
                    "webhooks to private networks are for development only",
                ),
                ("LOOKUP_URL", self.lookup_url.is_empty(), "followers' webhooks must carry the public check"),
            ],
        )
    }

    fn validate(&self) -> Result<(), ConfigError> {
        platform::config::secret_key(Self::SERVICE, "SECRET_KEY", &self.secret_key)?;
        platform::config::at_least_one(
            Self::SERVICE,
            &[
                ("MAX_ATTEMPTS", u64::try_from(self.max_attempts).unwrap_or(0)),
                ("RETRY_BASE_MS", self.retry_base_ms),
                ("TIMEOUT_MS", self.timeout_ms),
                ("POLL_MS", self.poll_ms),
                ("CONCURRENCY", u64::try_from(self.concurrency).unwrap_or(u64::MAX)),
            ],
        )
    }
}
