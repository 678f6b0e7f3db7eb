//! Settings of the certificates service.

use platform::config::ConfigError;
use platform::shell::OwnSettings;
use serde::Deserialize;

/// `ZEGEL_CERTIFICATES_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Own {
    /// HTTP port (0 picks a free one).
    #[serde(default = "defaults::port")]
    pub port: u16,
    /// Seconds between sweeps of the time-based transitions.
    #[serde(default = "defaults::sweep_interval_secs")]
    pub sweep_interval_secs: u64,
    /// Days a certificate may run past its audit due date before it lapses.
    #[serde(default = "defaults::audit_grace_days")]
    pub audit_grace_days: u32,
    /// The register's seal signing key (PKCS#8 Ed25519, PEM).
    #[serde(default)]
    pub seal_key: String,
    /// Its certificate, issued by the suite CA (PEM).
    #[serde(default)]
    pub seal_cert: String,
    /// Days an agency gets to remedy a suspension caused by another register (a ban, a
    /// blocked or closed G-account).
    #[serde(default = "defaults::auto_remedy_days")]
    pub auto_remedy_days: u32,
    /// Base URL of the bans register, asked live at certification (empty: use the recorded requirement).
    #[serde(default = "defaults::bans_url")]
    pub bans_url: String,
    /// Base URL of the G-account register, asked live at certification (empty: recorded).
    #[serde(default = "defaults::gaccounts_url")]
    pub gaccounts_url: String,
    /// Base URL of the deposits register, asked live at certification (empty: recorded).
    #[serde(default = "defaults::deposits_url")]
    pub deposits_url: String,
    /// Base URL of the housing register, asked live at certification (empty: recorded).
    #[serde(default = "defaults::housing_url")]
    pub housing_url: String,
    /// Days a seal lives at most (never past the certificate's validity).
    #[serde(default = "defaults::seal_days")]
    pub seal_days: u32,
}

mod defaults {
    pub fn port() -> u16 {
        8081
    }
    pub fn sweep_interval_secs() -> u64 {
        60
    }
    pub fn audit_grace_days() -> u32 {
        30
    }
    pub fn auto_remedy_days() -> u32 {
        30
    }
    pub fn bans_url() -> String {
        "http://127.0.0.1:8082".into()
    }
    pub fn gaccounts_url() -> String {
        "http://127.0.0.1:8084".into()
    }
    pub fn deposits_url() -> String {
        "http://127.0.0.1:8083".into()
    }
    pub fn housing_url() -> String {
        "http://127.0.0.1:8085".into()
    }
    pub fn seal_days() -> u32 {
        365
    }
}

/// All settings of the service.
pub type Settings = platform::shell::Settings<Own>;

impl OwnSettings for Own {
    const SERVICE: &'static str = "certificates";

    fn port(&self) -> u16 {
        self.port
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.seal_days == 0 {
            return Err(ConfigError::Invalid("ZEGEL_CERTIFICATES_SEAL_DAYS: must be at least 1".into()));
        }
        if self.sweep_interval_secs == 0 {
            return Err(ConfigError::Invalid("ZEGEL_CERTIFICATES_SWEEP_INTERVAL_SECS: must be at least 1".into()));
        }
        Ok(())
    }
}

impl zegel_attest::desk::SealSettings for Own {
    const REGISTER: zegel_attest::Register = zegel_attest::Register::Certificates;

    fn seal_files(&self) -> (&str, &str, u32) {
        (&self.seal_key, &self.seal_cert, self.seal_days)
    }
}
