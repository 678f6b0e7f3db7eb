//! Settings of the notifier.

use platform::config::ConfigError;
use platform::shell::OwnSettings;
use serde::Deserialize;

/// `ZEGEL_NOTIFIER_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Own {
    /// HTTP port (0 picks a free one).
    #[serde(default = "defaults::port")]
    pub port: u16,
    /// Attempts before a delivery goes to the dead letters.
    #[serde(default = "defaults::max_attempts")]
    pub max_attempts: i32,
    /// The first retry waits about this long; each next one twice as long (with jitter).
    #[serde(default = "defaults::retry_base_ms")]
    pub retry_base_ms: u64,
    /// The longest wait between attempts.
    #[serde(default = "defaults::retry_max_ms")]
    pub retry_max_ms: u64,
    /// How long a receiver may take to answer.
    #[serde(default = "defaults::timeout_ms")]
    pub timeout_ms: u64,
    /// Milliseconds between looks for due deliveries (new ones are also signalled at once).
    #[serde(default = "defaults::poll_ms")]
    pub poll_ms: u64,
    /// Deliveries in flight at once.
    #[serde(default = "defaults::concurrency")]
    pub concurrency: usize,
    /// Whether webhooks may go to loopback, private, link-local or unique-local addresses
    /// (never in production: a subscriber must not reach into the suite's own network).
    #[serde(default)]
    pub allow_private_targets: bool,
    /// The key every subscription's signing secret is derived from (HMAC-SHA256 of the
    /// subscription id). Changing it changes every secret.
    #[serde(default = "defaults::secret_key")]
    pub secret_key: secrecy::SecretString,
    /// The name of this replica in the consumer group.
    #[serde(default = "defaults::consumer_name")]
    pub consumer_name: String,
}

mod defaults {
    pub fn port() -> u16 {
        8086
    }
    pub fn max_attempts() -> i32 {
        8
    }
    pub fn retry_base_ms() -> u64 {
        1000
    }
    pub fn retry_max_ms() -> u64 {
        3_600_000
    }
    pub fn timeout_ms() -> u64 {
        10_000
    }
    pub fn poll_ms() -> u64 {
        1000
    }
    pub fn concurrency() -> usize {
        16
    }
    pub fn secret_key() -> secrecy::SecretString {
        secrecy::SecretString::from("zegel-dev-notifier-secret-key-not-for-production")
    }
    pub fn consumer_name() -> String {
        "notifier-1".into()
    }
}

/// All settings of the service.
pub type Settings = platform::shell::Settings<Own>;

impl OwnSettings for Own {
    const SERVICE: &'static str = "notifier";

    fn port(&self) -> u16 {
        self.port
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.max_attempts < 1
            || self.retry_base_ms == 0
            || self.timeout_ms == 0
            || self.poll_ms == 0
            || self.concurrency == 0
        {
            return Err(ConfigError::Invalid(
                "ZEGEL_NOTIFIER_MAX_ATTEMPTS, _RETRY_BASE_MS, _TIMEOUT_MS, _POLL_MS, _CONCURRENCY: at least 1".into(),
            ));
        }
        if secrecy::ExposeSecret::expose_secret(&self.secret_key).len() < 16 {
            return Err(ConfigError::Invalid("ZEGEL_NOTIFIER_SECRET_KEY: at least 16 characters".into()));
        }
        Ok(())
    }
}
