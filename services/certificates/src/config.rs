//! Settings of the certificates service.

use platform::config::ConfigError;
use platform::shell::OwnSettings;
use serde::Deserialize;

pub type Settings = platform::shell::Settings<Own>;

/// `ZEGEL_CERTIFICATES_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Own {
    /// Seconds between sweeps of the time-based transitions.
    pub sweep_interval_secs: u64,
    /// Days a certificate may run past its audit due date before it lapses.
    pub audit_grace_days: u32,
    /// The register's seal signing key (PKCS#8 Ed25519, PEM).
    pub seal_key: String,
    /// Its certificate, issued by the suite CA (PEM).
    pub seal_cert: String,
    /// Days an agency gets to remedy a suspension caused by another register (a ban, a
    /// blocked or closed G-account).
    pub auto_remedy_days: u32,
    /// Base URL of the bans register, asked live at certification (empty: use the recorded requirement).
    pub bans_url: String,
    /// Base URL of the G-account register, asked live at certification (empty: recorded).
    pub gaccounts_url: String,
    /// Base URL of the deposits register, asked live at certification (empty: recorded).
    pub deposits_url: String,
    /// Base URL of the housing register, asked live at certification (empty: recorded).
    pub housing_url: String,
    /// Base URL of the lookup, where receipts of the hirer check shown against a fine are
    /// verified (empty: the suite's verify URL).
    pub lookup_url: String,
    /// Days a seal lives at most (never past the certificate's validity).
    pub seal_days: u32,
    /// Hours an agency has to report a notifiable accident to the Labour Authority after a
    /// hirer reported it (advice 2.1 G: immediately; flagged after this).
    pub accident_report_hours: u32,
    /// Complaints about work one client address may file per hour.
    pub complaints_per_hour: u32,
    /// Days an agency gets to bring fresh evidence once evidence expired or an audit found
    /// a requirement unmet (the deficiency's deadline), and to remedy a suspension for a
    /// deficiency past its deadline.
    pub evidence_remedy_days: u32,
}

impl Default for Own {
    /// What a developer machine runs with when nothing is set.
    fn default() -> Self {
        Self {
            sweep_interval_secs: 60,
            audit_grace_days: 30,
            seal_key: Default::default(),
            seal_cert: Default::default(),
            auto_remedy_days: 30,
            bans_url: "http://127.0.0.1:8082".into(),
            gaccounts_url: "http://127.0.0.1:8084".into(),
            deposits_url: "http://127.0.0.1:8083".into(),
            housing_url: "http://127.0.0.1:8085".into(),
            lookup_url: String::new(),
            seal_days: 365,
            accident_report_hours: 24,
            complaints_per_hour: 10,
            evidence_remedy_days: 30,
        }
    }
}

impl OwnSettings for Own {
    const SERVICE: &'static str = "certificates";
    const PORT: u16 = 8081;

    fn production_faults(&self) -> Vec<String> {
        platform::config::faults(Self::SERVICE, &[("SEAL_KEY", self.seal_key.is_empty(), "the development seal key")])
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let days = u64::from(self.seal_days);
        platform::config::at_least_one(
            Self::SERVICE,
            &[
                ("SEAL_DAYS", days),
                ("SWEEP_INTERVAL_SECS", self.sweep_interval_secs),
                ("ACCIDENT_REPORT_HOURS", u64::from(self.accident_report_hours)),
                ("COMPLAINTS_PER_HOUR", u64::from(self.complaints_per_hour)),
                ("EVIDENCE_REMEDY_DAYS", u64::from(self.evidence_remedy_days)),
            ],
        )
    }
}

impl zegel_desk::SealSettings for Own {
    const REGISTER: zegel_attest::Register = zegel_attest::Register::Certificates;

    fn seal_files(&self) -> (&str, &str, u32) {
        (&self.seal_key, &self.seal_cert, self.seal_days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_names_the_development_seal_key() {
        assert_eq!(Own::default().production_faults(), ["ZEGEL_CERTIFICATES_SEAL_KEY: the development seal key"]);
        let own = Own { seal_key: "/etc/zegel/seal/key.pem".into(), ..Own::default() };
        assert!(own.production_faults().is_empty());
    }
}
