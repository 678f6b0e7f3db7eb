//! Settings of the bans register.

use platform::config::ConfigError;
use platform::shell::OwnSettings;
use secrecy::SecretString;
use serde::Deserialize;

pub type Settings = platform::shell::Settings<Own>;

/// `ZEGEL_BANS_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Own {
    /// The key BSNs are hashed with (HMAC-SHA256). Production sets its own; it never
    /// leaves the service, so a dump of the database alone reveals no BSN.
    pub bsn_key: SecretString,
    /// Seconds between sweeps that publish bans whose start date has come.
    pub sweep_interval_secs: u64,
}

/// The development key; the service warns when it runs with it.
pub const DEV_BSN_KEY: &str = "zegel-dev-bsn-key-not-for-production";

impl Default for Own {
    /// What a developer machine runs with when nothing is set.
    fn default() -> Self {
        Self { bsn_key: SecretString::from(DEV_BSN_KEY), sweep_interval_secs: 60 }
    }
}

impl OwnSettings for Own {
    const SERVICE: &'static str = "bans";
    const PORT: u16 = 8082;

    fn production_faults(&self) -> Vec<String> {
        use secrecy::ExposeSecret;
        platform::config::faults(
            Self::SERVICE,
            &[("BSN_KEY", self.bsn_key.expose_secret() == DEV_BSN_KEY, "the development key")],
        )
    }

    fn validate(&self) -> Result<(), ConfigError> {
        platform::config::secret_key(Self::SERVICE, "BSN_KEY", &self.bsn_key)?;
        platform::config::at_least_one(Self::SERVICE, &[("SWEEP_INTERVAL_SECS", self.sweep_interval_secs)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_names_the_development_bsn_key() {
        assert_eq!(Own::default().production_faults(), ["ZEGEL_BANS_BSN_KEY: the development key"]);
        let own = Own { bsn_key: SecretString::from("a-production-bsn-key-0123"), ..Own::default() };
        assert!(own.production_faults().is_empty());
    }
}
