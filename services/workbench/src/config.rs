//! Settings of the workbench.

use platform::config::ConfigError;
use platform::shell::OwnSettings;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use zegel_contracts::register::Service;

pub type Settings = platform::shell::Settings<Own>;

/// The development provider's secret for the workbench (dev/oidc); refused in production.
pub const DEV_CLIENT_SECRET: &str = "zegel-workbench-dev-secret";

/// `ZEGEL_WORKBENCH_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Own {
    /// The OpenID provider people log in at; unset, the first of `ZEGEL_OIDC_ISSUERS`.
    pub issuer: Option<String>,
    /// How the workbench is registered there.
    pub client_id: String,
    pub client_secret: SecretString,
    /// Where people reach the workbench: the provider sends them back to
    /// `<it>/login/callback`, and to `<it>/` after logging out.
    pub public_url: String,
    /// Minutes without a request after which a session ends.
    pub idle_minutes: u64,
    /// Hours after the login at which a session ends whatever happens.
    pub session_hours: u64,
    /// Where the accessibility statement says to report a barrier (`mailto:` or `https://`).
    pub accessibility_contact: String,
    /// The certificates register, asked with the person's own token.
    pub certificates_url: String,
    /// The deposits register, asked with the person's own token.
    pub deposits_url: String,
    /// The housing register, asked with the person's own token.
    pub housing_url: String,
    /// The lookup: an agency's live standing, as a hirer sees it.
    pub lookup_url: String,
    /// The bans register, asked with the person's own token.
    pub bans_url: String,
    /// The G-account register, asked with the person's own token.
    pub gaccounts_url: String,
    /// The notifier: a hirer's subscriptions, with the person's own token.
    pub notifier_url: String,
}

impl Own {
    /// Every register the workbench asks, with where it is.
    pub fn registers(&self) -> [(Service, &str); 7] {
        [
            (Service::Certificates, &self.certificates_url),
            (Service::Deposits, &self.deposits_url),
            (Service::Housing, &self.housing_url),
            (Service::Lookup, &self.lookup_url),
            (Service::Bans, &self.bans_url),
            (Service::Gaccounts, &self.gaccounts_url),
            (Service::Notifier, &self.notifier_url),
        ]
    }
}

impl Default for Own {
    fn default() -> Self {
        Self {
            issuer: None,
            client_id: "zegel-workbench".into(),
            client_secret: SecretString::from(DEV_CLIENT_SECRET),
            public_url: "http://127.0.0.1:8088".into(),
            idle_minutes: 30,
            session_hours: 10,
            accessibility_contact: "mailto:toegankelijkheid@zegel.example.nl".into(),
            certificates_url: "http://127.0.0.1:8081".into(),
            deposits_url: "http://127.0.0.1:8083".into(),
            housing_url: "http://127.0.0.1:8085".into(),
            lookup_url: "http://127.0.0.1:8080".into(),
            bans_url: "http://127.0.0.1:8082".into(),
            gaccounts_url: "http://127.0.0.1:8084".into(),
            notifier_url: "http://127.0.0.1:8086".into(),
        }
    }
}

impl OwnSettings for Own {
    const SERVICE: &'static str = "workbench";
    const PORT: u16 = 8088;

    fn validate(&self) -> Result<(), ConfigError> {
        let url = reqwest::Url::parse(&self.public_url).ok().filter(|u| matches!(u.scheme(), "http" | "https"));
        if url.is_none() || self.public_url.ends_with('/') {
            return Err(ConfigError::Invalid(
                "ZEGEL_WORKBENCH_PUBLIC_URL: an http(s) URL without a trailing slash".into(),
            ));
        }
        for (service, url) in self.registers() {
            let name = format!("{}_URL", service.as_str().to_uppercase());
            let parsed = reqwest::Url::parse(url).ok().filter(|u| matches!(u.scheme(), "http" | "https"));
            if parsed.is_none() || url.ends_with('/') {
                return Err(ConfigError::Invalid(format!(
                    "ZEGEL_WORKBENCH_{name}: an http(s) URL without a trailing slash"
                )));
            }
        }
        let contact = &self.accessibility_contact;
        let uri = ["mailto:", "https://"].iter().any(|p| contact.starts_with(p));
        if !uri || contact.contains(['"', '<', '>', ' ']) {
            return Err(ConfigError::Invalid(
                "ZEGEL_WORKBENCH_ACCESSIBILITY_CONTACT: a mailto: or https:// URI".into(),
            ));
        }
        platform::config::at_least_one(
            Self::SERVICE,
            &[("IDLE_MINUTES", self.idle_minutes), ("SESSION_HOURS", self.session_hours)],
        )
    }

    fn production_faults(&self) -> Vec<String> {
        platform::config::faults(
            Self::SERVICE,
            &[
                ("CLIENT_SECRET", self.client_secret.expose_secret() == DEV_CLIENT_SECRET, "the development secret"),
                ("PUBLIC_URL", !self.public_url.starts_with("https://"), "not https (session cookies are Secure)"),
            ],
        )
    }
}
