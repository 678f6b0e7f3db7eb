//! Settings of the lookup service.

use platform::config::ConfigError;
use platform::shell::OwnSettings;
use serde::Deserialize;

/// `ZEGEL_LOOKUP_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Own {
    /// HTTP port (0 picks a free one).
    #[serde(default = "defaults::port")]
    pub port: u16,
    /// The signed trust list (compact JWS).
    #[serde(default = "defaults::trust_list")]
    pub trust_list: String,
    /// The suite CA certificate (PEM) that anchors the trust list.
    #[serde(default = "defaults::trust_anchor")]
    pub trust_anchor: String,
    /// Seconds between checks of the trust list file for a new version.
    #[serde(default = "defaults::trust_reload_secs")]
    pub trust_reload_secs: u64,
    /// Milliseconds to wait for a register's live status before answering `unavailable`.
    #[serde(default = "defaults::status_timeout_ms")]
    pub status_timeout_ms: u64,
    /// The housing register's public base URL: the complaint form on a building's page
    /// posts there (a plain HTML form, so no JavaScript and no proxy in between).
    #[serde(default = "defaults::housing_url")]
    pub housing_url: String,
    /// The lookup's own signing key for hirer-check receipts (PKCS#8 Ed25519, PEM).
    #[serde(default)]
    pub seal_key: String,
    /// Its certificate (PEM), under the suite CA and on the trust list as `lookup`.
    #[serde(default)]
    pub seal_cert: String,
    /// The bans register, asked about the officers of a KvK registration check.
    #[serde(default = "defaults::bans_url")]
    pub bans_url: String,
    /// The secret BSNs of KvK checks are kept hashed with (HMAC-SHA256), never in clear.
    #[serde(default = "defaults::bsn_key")]
    pub bsn_key: secrecy::SecretString,
}

mod defaults {
    pub fn port() -> u16 {
        8080
    }
    pub fn trust_list() -> String {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../certs/dev/trust-list.jws").into()
    }
    pub fn trust_anchor() -> String {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../certs/dev/ca.pem").into()
    }
    pub fn trust_reload_secs() -> u64 {
        60
    }
    pub fn status_timeout_ms() -> u64 {
        2000
    }
    pub fn housing_url() -> String {
        "http://127.0.0.1:8085".into()
    }
    pub fn bans_url() -> String {
        "http://127.0.0.1:8082".into()
    }
    pub fn bsn_key() -> secrecy::SecretString {
        secrecy::SecretString::from("zegel-dev-lookup-bsn-key-not-for-production")
    }
}

/// All settings of the service.
pub type Settings = platform::shell::Settings<Own>;

impl OwnSettings for Own {
    const SERVICE: &'static str = "lookup";

    fn port(&self) -> u16 {
        self.port
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if secrecy::ExposeSecret::expose_secret(&self.bsn_key).len() < 16 {
            return Err(ConfigError::Invalid("ZEGEL_LOOKUP_BSN_KEY: at least 16 characters".into()));
        }
        if self.trust_reload_secs == 0 || self.status_timeout_ms == 0 {
            return Err(ConfigError::Invalid(
                "ZEGEL_LOOKUP_TRUST_RELOAD_SECS and ZEGEL_LOOKUP_STATUS_TIMEOUT_MS: at least 1".into(),
            ));
        }
        Ok(())
    }
}

impl zegel_attest::desk::SealSettings for Own {
    const REGISTER: zegel_attest::Register = zegel_attest::Register::Lookup;

    /// Receipts live as long as a hirer must keep its records.
    fn seal_files(&self) -> (&str, &str, u32) {
        (&self.seal_key, &self.seal_cert, crate::agency::RECEIPT_DAYS)
    }
}
