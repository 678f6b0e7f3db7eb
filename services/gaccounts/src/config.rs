//! Settings of the G-accounts service.

use platform::config::ConfigError;
use platform::shell::OwnSettings;
use serde::Deserialize;

/// `ZEGEL_GACCOUNTS_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Own {
    /// HTTP port (0 picks a free one).
    #[serde(default = "defaults::port")]
    pub port: u16,
    /// The register's seal signing key (PKCS#8 Ed25519, PEM).
    #[serde(default)]
    pub seal_key: String,
    /// Its certificate (PEM).
    #[serde(default)]
    pub seal_cert: String,
    /// Days a seal lives at most.
    #[serde(default = "defaults::seal_days")]
    pub seal_days: u32,
}

mod defaults {
    pub fn port() -> u16 {
        8084
    }
    pub fn seal_days() -> u32 {
        90
    }
}

/// All settings of the service.
pub type Settings = platform::shell::Settings<Own>;

impl OwnSettings for Own {
    const SERVICE: &'static str = "gaccounts";

    fn port(&self) -> u16 {
        self.port
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.seal_days == 0 {
            return Err(ConfigError::Invalid("ZEGEL_GACCOUNTS_SEAL_DAYS: must be at least 1".into()));
        }
        Ok(())
    }
}

impl zegel_attest::desk::SealSettings for Own {
    const REGISTER: zegel_attest::Register = zegel_attest::Register::Gaccounts;

    fn seal_files(&self) -> (&str, &str, u32) {
        (&self.seal_key, &self.seal_cert, self.seal_days)
    }
}
