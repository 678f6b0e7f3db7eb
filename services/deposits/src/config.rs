//! Settings of the deposits register.

use platform::config::ConfigError;
use platform::shell::OwnSettings;
use secrecy::SecretString;
use serde::Deserialize;

pub type Settings = platform::shell::Settings<Own>;

/// `ZEGEL_DEPOSITS_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Own {
    /// Which dated policy decides the required amount: `wtta` (the law as passed,
    /// EUR 100,000; starters EUR 50,000 first) or `advice` (EUR 75,000).
    pub policy: String,
    pub sweep_interval_secs: u64,
    /// The register's seal signing key (PEM file; empty: its development key under certs/dev/).
    pub seal_key: String,
    /// Its certificate (PEM).
    pub seal_cert: String,
    /// Days a seal lives at most.
    pub seal_days: u32,
    /// The secret a worker's BSN is hashed with (and a form's claim link derived from), as
    /// in the bans register: a stored hash cannot be tested against guessed BSNs.
    pub bsn_key: SecretString,
}

/// The development BSN key; production sets its own.
pub const DEV_BSN_KEY: &str = "zegel-dev-deposits-bsn-key-not-for-production";

impl Default for Own {
    /// What a developer machine runs with when nothing is set.
    fn default() -> Self {
        Self {
            policy: "wtta".into(),
            sweep_interval_secs: 60,
            seal_key: Default::default(),
            seal_cert: Default::default(),
            seal_days: 90,
            bsn_key: SecretString::from(DEV_BSN_KEY),
        }
    }
}

impl OwnSettings for Own {
    const SERVICE: &'static str = "deposits";
    const PORT: u16 = 8083;

    fn production_faults(&self) -> Vec<String> {
        use secrecy::ExposeSecret;
        platform::config::faults(
            Self::SERVICE,
            &[
                ("SEAL_KEY", self.seal_key.is_empty(), "the development seal key"),
                ("BSN_KEY", self.bsn_key.expose_secret() == DEV_BSN_KEY, "the development key"),
            ],
        )
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if !matches!(self.policy.as_str(), "wtta" | "advice") {
            return Err(ConfigError::Invalid("ZEGEL_DEPOSITS_POLICY: wtta or advice".into()));
        }
        platform::config::secret_key(Self::SERVICE, "BSN_KEY", &self.bsn_key)?;
        platform::config::at_least_one(
            Self::SERVICE,
            &[("SWEEP_INTERVAL_SECS", self.sweep_interval_secs), ("SEAL_DAYS", u64::from(self.seal_days))],
        )
    }
}

impl zegel_desk::SealSettings for Own {
    const REGISTER: zegel_attest::Register = zegel_attest::Register::Deposits;

    fn seal_files(&self) -> (&str, &str, u32) {
        (&self.seal_key, &self.seal_cert, self.seal_days)
    }
}
