//! Settings of the G-accounts service.

use platform::config::{CommonSettings, ConfigError};
use serde::Deserialize;

/// `ZEGEL_GACCOUNTS_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Own {
    /// HTTP port (0 picks a free one).
    #[serde(default = "defaults::port")]
    pub port: u16,
    /// The register's seal signing key (PKCS#8 Ed25519, PEM).
    #[serde(default = "defaults::seal_key")]
    pub seal_key: String,
    /// Its certificate (PEM).
    #[serde(default = "defaults::seal_cert")]
    pub seal_cert: String,
    /// Days a seal lives at most.
    #[serde(default = "defaults::seal_days")]
    pub seal_days: u32,
}

mod defaults {
    pub fn port() -> u16 {
        8084
    }
    pub fn seal_key() -> String {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../certs/dev/gaccounts-key.pem").into()
    }
    pub fn seal_cert() -> String {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../certs/dev/gaccounts.pem").into()
    }
    pub fn seal_days() -> u32 {
        90
    }
}

/// All settings of the service.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Shared settings.
    pub common: CommonSettings,
    /// Own settings.
    pub own: Own,
}

impl Settings {
    /// From the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let (common, own) = platform::config::load::<Own>("gaccounts")?;
        if own.seal_days == 0 {
            return Err(ConfigError::Invalid("ZEGEL_GACCOUNTS_SEAL_DAYS: must be at least 1".into()));
        }
        Ok(Self { common, own })
    }

    /// Local defaults.
    pub fn local() -> Self {
        let own: Own = serde_json::from_value(serde_json::json!({})).unwrap_or_else(|_| unreachable!("defaults parse"));
        Self { common: CommonSettings::local(), own }
    }
}
