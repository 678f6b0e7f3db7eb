//! Settings of the G-accounts service.

use platform::config::ConfigError;
use platform::shell::OwnSettings;
use serde::Deserialize;

pub type Settings = platform::shell::Settings<Own>;

/// `ZEGEL_GACCOUNTS_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Own {
    /// The register's seal signing key (PKCS#8 Ed25519, PEM).
    pub seal_key: String,
    /// Its certificate (PEM).
    pub seal_cert: String,
    /// Days a seal lives at most.
    pub seal_days: u32,
}

impl Default for Own {
    /// What a developer machine runs with when nothing is set.
    fn default() -> Self {
        Self { seal_key: Default::default(), seal_cert: Default::default(), seal_days: 90 }
    }
}

impl OwnSettings for Own {
    const SERVICE: &'static str = "gaccounts";
    const PORT: u16 = 8084;

    fn production_faults(&self) -> Vec<String> {
        platform::config::faults(Self::SERVICE, &[("SEAL_KEY", self.seal_key.is_empty(), "the development seal key")])
    }

    fn validate(&self) -> Result<(), ConfigError> {
        platform::config::at_least_one(Self::SERVICE, &[("SEAL_DAYS", u64::from(self.seal_days))])
    }
}

impl zegel_desk::SealSettings for Own {
    const REGISTER: zegel_attest::Register = zegel_attest::Register::Gaccounts;

    fn seal_files(&self) -> (&str, &str, u32) {
        (&self.seal_key, &self.seal_cert, self.seal_days)
    }
}
