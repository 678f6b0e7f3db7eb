//! Settings of the housing register.

use chrono::NaiveDate;
use platform::config::{CommonSettings, ConfigError};
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
        let (common, own) = platform::config::load::<Own>("housing")?;
        if own.transition_ends < own.integrated_from {
            return Err(ConfigError::Invalid(
                "ZEGEL_HOUSING_TRANSITION_ENDS: not before ZEGEL_HOUSING_INTEGRATED_FROM".into(),
            ));
        }
        Ok(Self { common, own })
    }

    /// Local defaults.
    pub fn local() -> Self {
        let own: Own = serde_json::from_value(serde_json::json!({})).unwrap_or_else(|_| unreachable!("defaults parse"));
        Self { common: CommonSettings::local(), own }
    }
}
