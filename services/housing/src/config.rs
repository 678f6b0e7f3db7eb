//! Settings of the housing register.

use chrono::NaiveDate;
use platform::config::ConfigError;
use platform::shell::OwnSettings;
use serde::Deserialize;

/// `ZEGEL_HOUSING_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Own {
    /// HTTP port (0 picks a free one).
    #[serde(default = "defaults::port")]
    pub port: u16,
    /// When the integrated norm took effect: buildings registered before it are "existing".
    #[serde(default = "defaults::integrated_from")]
    pub integrated_from: NaiveDate,
    /// Until when existing buildings may keep the SNF norm.
    #[serde(default = "defaults::transition_ends")]
    pub transition_ends: NaiveDate,
    /// The register's seal signing key (PKCS#8 Ed25519, PEM).
    #[serde(default)]
    pub seal_key: String,
    /// Its certificate (PEM), issued under the suite CA.
    #[serde(default)]
    pub seal_cert: String,
    /// Days a seal lives at most (never beyond the mark's year).
    #[serde(default = "defaults::seal_days")]
    pub seal_days: u32,
    /// Seconds between sweeps (overdue deficiencies, marks past their year, the norm).
    #[serde(default = "defaults::sweep_interval_secs")]
    pub sweep_interval_secs: u64,
    /// Complaints one client address may file per hour.
    #[serde(default = "defaults::complaints_per_hour")]
    pub complaints_per_hour: u32,
}

mod defaults {
    use chrono::NaiveDate;

    pub fn port() -> u16 {
        8085
    }
    pub fn integrated_from() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default()
    }
    pub fn transition_ends() -> NaiveDate {
        NaiveDate::from_ymd_opt(2028, 1, 1).unwrap_or_default()
    }
    pub fn seal_days() -> u32 {
        90
    }
    pub fn sweep_interval_secs() -> u64 {
        60
    }
    pub fn complaints_per_hour() -> u32 {
        10
    }
}

/// All settings of the service.
pub type Settings = platform::shell::Settings<Own>;

impl OwnSettings for Own {
    const SERVICE: &'static str = "housing";

    fn port(&self) -> u16 {
        self.port
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.transition_ends < self.integrated_from {
            return Err(ConfigError::Invalid(
                "ZEGEL_HOUSING_TRANSITION_ENDS: not before ZEGEL_HOUSING_INTEGRATED_FROM".into(),
            ));
        }
        if self.seal_days == 0 || self.sweep_interval_secs == 0 || self.complaints_per_hour == 0 {
            return Err(ConfigError::Invalid(
                "ZEGEL_HOUSING_SEAL_DAYS, _SWEEP_INTERVAL_SECS and _COMPLAINTS_PER_HOUR: at least 1".into(),
            ));
        }
        Ok(())
    }
}

impl zegel_attest::desk::SealSettings for Own {
    const REGISTER: zegel_attest::Register = zegel_attest::Register::Housing;

    fn seal_files(&self) -> (&str, &str, u32) {
        (&self.seal_key, &self.seal_cert, self.seal_days)
    }
}
