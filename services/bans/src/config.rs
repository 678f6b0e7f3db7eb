//! Settings of the bans register.

use platform::config::ConfigError;
use platform::shell::OwnSettings;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// `ZEGEL_BANS_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Own {
    /// HTTP port (0 picks a free one).
    #[serde(default = "defaults::port")]
    pub port: u16,
    /// The key BSNs are hashed with (HMAC-SHA256). Production sets its own; it never
    /// leaves the service, so a dump of the database alone reveals no BSN.
    #[serde(default = "defaults::bsn_key")]
    pub bsn_key: SecretString,
    /// Seconds between sweeps that publish bans whose start date has come.
    #[serde(default = "defaults::sweep_interval_secs")]
    pub sweep_interval_secs: u64,
}

/// The development key; the service warns when it runs with it.
pub const DEV_BSN_KEY: &str = "zegel-dev-bsn-key-not-for-production";

mod defaults {
    use secrecy::SecretString;

    pub fn port() -> u16 {
        8082
    }
    pub fn bsn_key() -> SecretString {
        SecretString::from(super::DEV_BSN_KEY)
    }
    pub fn sweep_interval_secs() -> u64 {
        60
    }
}

/// All settings of the service.
pub type Settings = platform::shell::Settings<Own>;

impl OwnSettings for Own {
    const SERVICE: &'static str = "bans";

    fn port(&self) -> u16 {
        self.port
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.bsn_key.expose_secret().len() < 16 {
            return Err(ConfigError::Invalid("ZEGEL_BANS_BSN_KEY: at least 16 characters".into()));
        }
        if self.sweep_interval_secs == 0 {
            return Err(ConfigError::Invalid("ZEGEL_BANS_SWEEP_INTERVAL_SECS: must be at least 1".into()));
        }
        Ok(())
    }
}
