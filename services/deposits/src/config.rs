//! Settings of the deposits register.

use platform::config::ConfigError;
use platform::shell::OwnSettings;
use serde::Deserialize;

/// `ZEGEL_DEPOSITS_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Own {
    /// HTTP port (0 picks a free one).
    #[serde(default = "defaults::port")]
    pub port: u16,
    /// Which dated policy decides the required amount: `wtta` (the law as passed,
    /// EUR 100,000; starters EUR 50,000 first) or `advice` (EUR 75,000).
    #[serde(default = "defaults::policy")]
    pub policy: String,
    /// Weeks an agency has to top up after a payout.
    #[serde(default = "defaults::top_up_weeks")]
    pub top_up_weeks: u32,
    /// Seconds between sweeps for overdue shortfalls.
    #[serde(default = "defaults::sweep_interval_secs")]
    pub sweep_interval_secs: u64,
    /// The register's seal signing key (PEM file; empty: its development key under certs/dev/).
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
        8083
    }
    pub fn policy() -> String {
        "wtta".into()
    }
    pub fn top_up_weeks() -> u32 {
        4
    }
    pub fn sweep_interval_secs() -> u64 {
        60
    }
    pub fn seal_days() -> u32 {
        90
    }
}

/// All settings of the service.
pub type Settings = platform::shell::Settings<Own>;

impl OwnSettings for Own {
    const SERVICE: &'static str = "deposits";

    fn port(&self) -> u16 {
        self.port
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if !matches!(self.policy.as_str(), "wtta" | "advice") {
            return Err(ConfigError::Invalid("ZEGEL_DEPOSITS_POLICY: wtta or advice".into()));
        }
        if self.top_up_weeks == 0 || self.sweep_interval_secs == 0 || self.seal_days == 0 {
            return Err(ConfigError::Invalid(
                "ZEGEL_DEPOSITS_TOP_UP_WEEKS, _SWEEP_INTERVAL_SECS, _SEAL_DAYS: at least 1".into(),
            ));
        }
        Ok(())
    }
}

impl zegel_attest::desk::SealSettings for Own {
    const REGISTER: zegel_attest::Register = zegel_attest::Register::Deposits;

    fn seal_files(&self) -> (&str, &str, u32) {
        (&self.seal_key, &self.seal_cert, self.seal_days)
    }
}
