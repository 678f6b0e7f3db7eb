//! Settings of the bans register.

use platform::config::ConfigError;
use platform::shell::OwnSettings;
use secrecy::SecretString;
use serde::Deserialize;

/// All settings of the service.
pub type Settings = platform::shell::Settings<Own>;

/// `ZEGEL_BANS_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Own {
    /// The key BSNs are hashed with (HMAC-SHA256). Production sets its own; it never
    /// leaves the service, so a dump of the database alone reveals no BSN.
    pub bsn_key: SecretString,
    /// Seconds between sweeps that publish bans whose start date has come.
    pub sweep_interval_secs: u64,
}

/// The development key; the service warns when it runs with it.
pub const DEV_BSN_KEY: &str = "zegel-dev-bsn-key-not-for-production";

impl Default for Own {
    /// What a developer machine runs with when nothing is set.
    fn default() -> Self {
        Self { bsn_key: SecretString::from(DEV_BSN_KEY), sweep_interval_secs: 60 }
    }
}

impl OwnSettings for Own {
    const SERVICE: &'static str = "bans";
    const PORT: u16 = 8082;

    fn validate(&self) -> Result<(), ConfigError> {
        platform::config::secret_key(Self::SERVICE, "BSN_KEY", &self.bsn_key)?;
        platform::config::at_least_one(Self::SERVICE, &[("SWEEP_INTERVAL_SECS", self.sweep_interval_secs)])
    }
}
