//! Settings of the housing register.

use chrono::NaiveDate;
use platform::config::ConfigError;
use platform::shell::OwnSettings;
use serde::Deserialize;

/// The longest a mark runs (12 months), in days: the shortest a building's seal may live.
pub const MARK_DAYS: u32 = 366;

pub type Settings = platform::shell::Settings<Own>;

/// `ZEGEL_HOUSING_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Own {
    /// When the integrated norm took effect: buildings registered before it are "existing".
    pub integrated_from: NaiveDate,
    /// Until when existing buildings may keep the SNF norm.
    pub transition_ends: NaiveDate,
    /// The register's seal signing key (PKCS#8 Ed25519, PEM).
    pub seal_key: String,
    /// Its certificate (PEM), issued under the suite CA.
    pub seal_cert: String,
    /// Days a seal lives at most, never beyond the mark it shows. At least a mark's year
    /// (366 days), so that a poster hung at the door lives as long as the mark.
    pub seal_days: u32,
    /// Seconds between sweeps (overdue deficiencies, marks past their year, the norm).
    pub sweep_interval_secs: u64,
    /// Complaints one client address may file per hour.
    pub complaints_per_hour: u32,
}

impl Default for Own {
    /// What a developer machine runs with when nothing is set.
    fn default() -> Self {
        Self {
            integrated_from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            transition_ends: NaiveDate::from_ymd_opt(2028, 1, 1).unwrap_or_default(),
            seal_key: Default::default(),
            seal_cert: Default::default(),
            seal_days: MARK_DAYS,
            sweep_interval_secs: 60,
            complaints_per_hour: 10,
        }
    }
}

impl OwnSettings for Own {
    const SERVICE: &'static str = "housing";
    const PORT: u16 = 8085;

    fn production_faults(&self) -> Vec<String> {
        platform::config::faults(Self::SERVICE, &[("SEAL_KEY", self.seal_key.is_empty(), "the development seal key")])
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.transition_ends < self.integrated_from {
            return Err(ConfigError::Invalid(
                "ZEGEL_HOUSING_TRANSITION_ENDS: not before ZEGEL_HOUSING_INTEGRATED_FROM".into(),
            ));
        }
        if self.seal_days < MARK_DAYS {
            return Err(ConfigError::Invalid(format!(
                "ZEGEL_HOUSING_SEAL_DAYS: at least {MARK_DAYS}, so that a poster lives as long as the mark it shows"
            )));
        }
        let (days, complaints) = (u64::from(self.seal_days), u64::from(self.complaints_per_hour));
        platform::config::at_least_one(
            Self::SERVICE,
            &[
                ("SEAL_DAYS", days),
                ("SWEEP_INTERVAL_SECS", self.sweep_interval_secs),
                ("COMPLAINTS_PER_HOUR", complaints),
            ],
        )
    }
}

impl zegel_desk::SealSettings for Own {
    const REGISTER: zegel_attest::Register = zegel_attest::Register::Housing;

    fn seal_files(&self) -> (&str, &str, u32) {
        (&self.seal_key, &self.seal_cert, self.seal_days)
    }
}
