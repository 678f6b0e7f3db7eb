//! Typed settings from the environment.
//!
//! Every setting has a working local default, so `serve` runs on a developer machine
//! with nothing set. Settings shared by all services are read from `ZEGEL_<KEY>`, a
//! service's own from `ZEGEL_<SERVICE>_<KEY>`. A `ZEGEL_` variable that no service knows
//! stops the start: a typo in production must not silently fall back to a default.

use std::net::IpAddr;

use secrecy::SecretString;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Every name that may own `ZEGEL_<SERVICE>_*` variables: the services, and the suite that
/// runs them all in one process.
pub fn services() -> impl Iterator<Item = &'static str> {
    zegel_contracts::register::Service::ALL.iter().map(|s| s.as_str()).chain(["suite"])
}

/// Why the settings could not be loaded; shown to the operator as is.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A variable is unknown, missing or has a value of the wrong form.
    #[error("invalid setting: {0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// JSON when stdout is not a terminal, readable text when it is.
    #[default]
    Auto,
    /// One JSON object per line, for log collectors.
    Json,
    Pretty,
}

/// Where the suite runs: a developer's machine, or production (where the start is refused
/// while any development key, secret or shortcut is in use).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    #[default]
    Development,
    /// `ZEGEL_ENV=production`.
    Production,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommonSettings {
    /// Postgres connection URL; each service works in its own schema of this database.
    /// `?sslmode=verify-full&sslrootcert=<CA file>` turns TLS on (see `db::Target`).
    #[serde(default = "defaults::database_url")]
    pub database_url: SecretString,
    /// The database password, when it comes apart from the URL (a Kubernetes Secret's
    /// `password` key); it replaces the URL's.
    #[serde(default)]
    pub database_password: Option<SecretString>,
    /// Redis URL (cache and event bus, never the truth); `rediss://` for TLS.
    #[serde(default = "defaults::redis_url")]
    pub redis_url: String,
    /// The CA bundle (PEM) a `rediss://` server's certificate must chain to; without it,
    /// the system's trust store.
    #[serde(default)]
    pub redis_ca_file: Option<String>,
    /// How many Redis replicas must have an event before the outbox marks it published
    /// (`WAIT`); 0 (default) for a single Redis. With a replicated Redis, 1: an event the
    /// master acknowledged but had not passed on when it failed is published again.
    #[serde(default)]
    pub redis_min_replicas: u32,
    /// The Redis password, when it comes apart from the URL (a Kubernetes Secret); it
    /// replaces the URL's.
    #[serde(default)]
    pub redis_password: Option<SecretString>,
    /// Prefix of every Redis key, so that suites (and tests) can share one Redis.
    #[serde(default = "defaults::redis_prefix")]
    pub redis_prefix: String,
    /// Where the token verification keys come from: a JWKS file path or an http(s) URL.
    #[serde(default = "defaults::jwks")]
    pub jwks: String,
    /// The `iss` every accepted token must carry.
    #[serde(default = "defaults::jwt_issuer")]
    pub jwt_issuer: String,
    /// OpenID providers whose access tokens are accepted too, by issuer URL, separated by
    /// commas: the people who keep the registers log in there (the workbench), and their
    /// own tokens reach the registers. Each provider's keys come from its discovery document.
    #[serde(default)]
    pub oidc_issuers: Option<String>,
    /// The claim of a provider's tokens that lists the roles (dotted for a nested claim).
    #[serde(default = "defaults::oidc_roles_claim")]
    pub oidc_roles_claim: String,
    /// The claim of a provider's tokens that names the organisation acted for.
    #[serde(default = "defaults::oidc_org_claim")]
    pub oidc_org_claim: String,
    #[serde(default = "defaults::host")]
    pub host: IpAddr,
    #[serde(default)]
    pub log_format: LogFormat,
    /// Base URL of an OpenTelemetry collector's OTLP/HTTP receiver (e.g.
    /// `http://otel-collector:4318`); spans go to `<it>/v1/traces`. Unset: the standard
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT`, else no traces.
    #[serde(default)]
    pub otlp_endpoint: Option<String>,
    /// Share of traces recorded when they are exported, 0.0 to 1.0; decided by trace id,
    /// so every service keeps or drops a trace alike. Unset: the standard
    /// `OTEL_TRACES_SAMPLER` (and `_ARG`), else 1.0.
    #[serde(default)]
    pub trace_sample_ratio: Option<f64>,
    /// The standard OpenTelemetry variables (`OTEL_*`), read beside the suite's own.
    #[serde(skip)]
    pub otel: Otel,
    /// Requests per minute one client address may make to public endpoints.
    #[serde(default = "defaults::public_rate_per_minute")]
    pub public_rate_per_minute: u32,
    /// Writes one caller (a token's subject for its organisation, or an address) may make
    /// in an hour, over every write of the service: the busiest desk makes far fewer.
    #[serde(default = "defaults::writes_per_hour")]
    pub writes_per_hour: u32,
    /// How often the outbox relay looks for unpublished events.
    #[serde(default = "defaults::relay_interval_ms")]
    pub relay_interval_ms: u64,
    /// Public base URL of the lookup service; seals' QR codes point at `<it>/v/<seal>`.
    #[serde(default = "defaults::verify_url")]
    pub verify_url: String,
    /// Largest number of Postgres connections per service.
    #[serde(default = "defaults::db_pool_size")]
    pub db_pool_size: usize,
    /// Proxies (addresses or networks, comma-separated) whose `Forwarded` or
    /// `X-Forwarded-For` header names the client; from anyone else those headers are
    /// ignored. Empty: every peer is the client.
    #[serde(default)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The key request fingerprints of idempotency keys are made with (HMAC-SHA256), so
    /// that a stored fingerprint of a body with a BSN cannot be tested against guesses.
    #[serde(default = "defaults::idempotency_secret")]
    pub idempotency_secret: SecretString,
    /// The directory of event keys: this service's `<service>-key.pem` and every
    /// producer's verifying key in `public-keys.json` (see `provenance`).
    #[serde(default = "defaults::event_keys_dir")]
    pub event_keys_dir: String,
    /// `development` (default) or `production`.
    #[serde(default)]
    pub env: Environment,
}

/// The development idempotency secret; production sets its own.
pub const DEV_IDEMPOTENCY_SECRET: &str = "zegel-dev-idempotency-secret-not-for-production";

mod defaults {
    use std::net::{IpAddr, Ipv4Addr};

    use secrecy::SecretString;

    pub fn database_url() -> SecretString {
        SecretString::from("postgres://postgres@127.0.0.1:5432/zegel")
    }
    pub fn redis_url() -> String {
        "redis://127.0.0.1:6379".into()
    }
    pub fn redis_prefix() -> String {
        "zegel".into()
    }
    pub fn jwks() -> String {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../certs/dev/jwks.json").into()
    }
    pub fn oidc_roles_claim() -> String {
        "roles".into()
    }
    pub fn oidc_org_claim() -> String {
        "org".into()
    }
    pub fn jwt_issuer() -> String {
        "zegel-dev".into()
    }
    pub fn host() -> IpAddr {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    }
    pub fn public_rate_per_minute() -> u32 {
        600
    }
    pub fn writes_per_hour() -> u32 {
        3600
    }
    pub fn relay_interval_ms() -> u64 {
        200
    }
    pub fn verify_url() -> String {
        "http://127.0.0.1:8080".into()
    }
    pub fn db_pool_size() -> usize {
        16
    }
    pub fn event_keys_dir() -> String {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../certs/dev/events").into()
    }
    pub fn idempotency_secret() -> SecretString {
        SecretString::from(super::DEV_IDEMPOTENCY_SECRET)
    }
}

impl CommonSettings {
    pub fn redis(&self) -> crate::bus::Target<'_> {
        crate::bus::Target {
            url: &self.redis_url,
            ca_file: self.redis_ca_file.as_deref(),
            password: self.redis_password.as_ref(),
        }
    }

    pub fn database(&self) -> Result<crate::db::Target, crate::db::DbError> {
        crate::db::Target::new(&self.database_url, self.database_password.as_ref())
    }

    /// Where the spans of `service` go (`zegel-<service>`, or `OTEL_SERVICE_NAME`), when a
    /// collector is configured (`ZEGEL_OTLP_ENDPOINT` first, then the standard variables)
    /// and `OTEL_SDK_DISABLED` is not `true`.
    pub fn trace_export(&self, service: &str) -> Option<crate::trace::Export> {
        if self.otel.sdk_disabled {
            return None;
        }
        let traces_url = match (&self.otlp_endpoint, &self.otel.traces_endpoint, &self.otel.endpoint) {
            (Some(base), _, _) | (None, None, Some(base)) => format!("{}/v1/traces", base.trim_end_matches('/')),
            // The signal's own variable is the whole URL (OTLP exporter specification).
            (None, Some(url), _) => url.clone(),
            (None, None, None) => return None,
        };
        Some(crate::trace::Export {
            traces_url,
            sample_ratio: self.trace_sample_ratio.or(self.otel.sample_ratio).unwrap_or(1.0),
            service: self.otel.service_name.clone().unwrap_or_else(|| format!("zegel-{service}")),
        })
    }

    /// The defaults, as a developer machine gets them with nothing set.
    pub fn local() -> Self {
        load_from::<Empty>("suite", std::iter::empty())
            .map(|loaded| loaded.common)
            .unwrap_or_else(|_| unreachable!("defaults always parse"))
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.database().map_err(|e| ConfigError::Invalid(format!("ZEGEL_DATABASE_URL: {e}")))?;
        if self.redis_url.contains("#insecure") {
            return Err(ConfigError::Invalid("ZEGEL_REDIS_URL: TLS without verifying the server is refused".into()));
        }
        if self.redis_ca_file.is_some() && !self.redis_url.starts_with("rediss://") {
            return Err(ConfigError::Invalid("ZEGEL_REDIS_CA_FILE: set, but ZEGEL_REDIS_URL is not rediss://".into()));
        }
        crate::bus::client(self.redis())
            .map_err(|e| ConfigError::Invalid(format!("ZEGEL_REDIS_URL / ZEGEL_REDIS_CA_FILE: {e}")))?;
        if self.redis_prefix.is_empty() || self.redis_prefix.contains(char::is_whitespace) {
            return Err(ConfigError::Invalid("ZEGEL_REDIS_PREFIX: must be non-empty without spaces".into()));
        }
        if self.jwks.trim().is_empty() {
            return Err(ConfigError::Invalid("ZEGEL_JWKS: must name a file or URL".into()));
        }
        for issuer in self.openid_issuers() {
            let url = reqwest::Url::parse(issuer).ok().filter(|u| matches!(u.scheme(), "http" | "https"));
            if url.is_none_or(|u| u.query().is_some() || u.fragment().is_some()) {
                return Err(ConfigError::Invalid(format!(
                    "ZEGEL_OIDC_ISSUERS: {issuer:?} is not an issuer URL (http(s), no query or fragment)"
                )));
            }
        }
        if self.public_rate_per_minute == 0 {
            return Err(ConfigError::Invalid("ZEGEL_PUBLIC_RATE_PER_MINUTE: must be at least 1".into()));
        }
        if self.writes_per_hour == 0 {
            return Err(ConfigError::Invalid("ZEGEL_WRITES_PER_HOUR: must be at least 1".into()));
        }
        if !(self.verify_url.starts_with("http://") || self.verify_url.starts_with("https://"))
            || self.verify_url.ends_with('/')
        {
            return Err(ConfigError::Invalid("ZEGEL_VERIFY_URL: an http(s) URL without a trailing slash".into()));
        }
        for (name, endpoint) in [
            ("ZEGEL_OTLP_ENDPOINT", &self.otlp_endpoint),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &self.otel.endpoint),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", &self.otel.traces_endpoint),
        ] {
            let Some(endpoint) = endpoint else { continue };
            let url = reqwest::Url::parse(endpoint)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some() && u.query().is_none());
            if url.is_none() {
                return Err(ConfigError::Invalid(format!(
                    "{name}: the http(s) URL of a collector's OTLP receiver, e.g. http://otel-collector:4318"
                )));
            }
        }
        if self.trace_sample_ratio.is_some_and(|r| !(0.0..=1.0).contains(&r)) {
            return Err(ConfigError::Invalid("ZEGEL_TRACE_SAMPLE_RATIO: a share from 0.0 to 1.0".into()));
        }
        if self.db_pool_size == 0 {
            return Err(ConfigError::Invalid("ZEGEL_DB_POOL_SIZE: must be at least 1".into()));
        }
        secret_key("", "IDEMPOTENCY_SECRET", &self.idempotency_secret)?;
        Ok(())
    }
}

/// The path every issuer of the development OpenID provider ends in; production refuses it.
pub const DEV_OIDC_PATH: &str = "/zegel-dev-oidc";

impl CommonSettings {
    /// The OpenID providers of `ZEGEL_OIDC_ISSUERS`, as written.
    pub fn openid_issuers(&self) -> impl Iterator<Item = &str> {
        self.oidc_issuers.iter().flat_map(|list| list.split(',')).map(str::trim).filter(|i| !i.is_empty())
    }

    /// Every issuer whose tokens the services accept: the suite's own, then the OpenID
    /// providers with the claim names configured for them.
    pub fn issuers(&self) -> Vec<crate::auth::IssuerConfig> {
        let own = crate::auth::IssuerConfig::own(&self.jwt_issuer, &self.jwks);
        let providers = self
            .openid_issuers()
            .map(|i| crate::auth::IssuerConfig::openid(i, &self.oidc_roles_claim, &self.oidc_org_claim));
        std::iter::once(own).chain(providers).collect()
    }

    /// What must not be used in production, each naming its setting: the development token
    /// keys and issuer, secrets and event keys, and a verify URL on this machine.
    pub fn production_faults(&self) -> Vec<String> {
        use secrecy::ExposeSecret;
        let mut faults = Vec::new();
        if self.jwks == defaults::jwks() {
            faults.push("ZEGEL_JWKS: the development token keys".to_string());
        }
        if self.jwt_issuer == defaults::jwt_issuer() {
            faults.push("ZEGEL_JWT_ISSUER: the development issuer".into());
        }
        if self.openid_issuers().any(|i| i.trim_end_matches('/').ends_with(DEV_OIDC_PATH)) {
            faults.push("ZEGEL_OIDC_ISSUERS: the development OpenID provider".into());
        }
        if self.idempotency_secret.expose_secret() == DEV_IDEMPOTENCY_SECRET {
            faults.push("ZEGEL_IDEMPOTENCY_SECRET: the development secret".into());
        }
        if self.event_keys_dir == defaults::event_keys_dir() {
            faults.push("ZEGEL_EVENT_KEYS_DIR: the development event keys".into());
        }
        let local = reqwest::Url::parse(&self.verify_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .is_none_or(|host| {
                let host = host.trim_start_matches('[').trim_end_matches(']');
                host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
            });
        if local {
            faults
                .push("ZEGEL_VERIFY_URL: an address on this machine; QR codes must point at the public lookup".into());
        }
        faults
    }
}

/// The standard OpenTelemetry variables the suite honours (the exporter itself reads
/// `OTEL_EXPORTER_OTLP_HEADERS`, `_TIMEOUT` and `_COMPRESSION`, the resource
/// `OTEL_RESOURCE_ATTRIBUTES`, the batch processor `OTEL_BSP_*`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Otel {
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`: the receiver's base URL.
    pub endpoint: Option<String>,
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`: the traces URL itself.
    pub traces_endpoint: Option<String>,
    /// `OTEL_SERVICE_NAME`.
    pub service_name: Option<String>,
    /// `OTEL_TRACES_SAMPLER` with `OTEL_TRACES_SAMPLER_ARG`, as a share of traces.
    pub sample_ratio: Option<f64>,
    /// `OTEL_SDK_DISABLED=true`: no traces leave.
    pub sdk_disabled: bool,
}

impl Otel {
    /// Reads the variables among `vars` (`OTEL_*`, names as the specification writes them).
    fn read(vars: &std::collections::HashMap<String, String>) -> Result<Self, ConfigError> {
        let get = |name: &str| vars.get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let arg = get("OTEL_TRACES_SAMPLER_ARG");
        let ratio = || -> Result<f64, ConfigError> {
            match &arg {
                None => Ok(1.0),
                Some(arg) => arg
                    .parse::<f64>()
                    .ok()
                    .filter(|r| (0.0..=1.0).contains(r))
                    .ok_or_else(|| ConfigError::Invalid("OTEL_TRACES_SAMPLER_ARG: a share from 0.0 to 1.0".into())),
            }
        };
        // The suite samples by trace id in every service alike, so that a trace is whole
        // and a caller's flag cannot make a register record: a parent-based sampler is
        // read as its root sampler.
        let sample_ratio = match get("OTEL_TRACES_SAMPLER").as_deref() {
            None => None,
            Some("always_on" | "parentbased_always_on") => Some(1.0),
            Some("always_off" | "parentbased_always_off") => Some(0.0),
            Some("traceidratio" | "parentbased_traceidratio") => Some(ratio()?),
            Some(other) => {
                return Err(ConfigError::Invalid(format!(
                    "OTEL_TRACES_SAMPLER: {other:?} is not one the suite knows (always_on, always_off, traceidratio, \
                     or their parentbased_ forms)"
                )));
            }
        };
        Ok(Self {
            endpoint: get("OTEL_EXPORTER_OTLP_ENDPOINT"),
            traces_endpoint: get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
            service_name: get("OTEL_SERVICE_NAME"),
            sample_ratio,
            sdk_disabled: get("OTEL_SDK_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true")),
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// Loads the shared settings and the settings of `service` from the process environment.
pub fn load<S: DeserializeOwned>(service: &str) -> Result<Loaded<S>, ConfigError> {
    load_from(service, std::env::vars())
}

/// Checks that each of a service's own settings `(NAME, value)` is at least 1: an error
/// names the first that is not, as `ZEGEL_<SERVICE>_<NAME>`.
pub fn at_least_one(service: &str, settings: &[(&str, u64)]) -> Result<(), ConfigError> {
    match settings.iter().find(|(_, value)| *value == 0) {
        Some((name, _)) => {
            Err(ConfigError::Invalid(format!("ZEGEL_{}_{name}: must be at least 1", service.to_uppercase())))
        }
        None => Ok(()),
    }
}

/// Checks that each named setting is at most its bound (`(name, value, bound)`).
pub fn at_most(service: &str, settings: &[(&str, u64, u64)]) -> Result<(), ConfigError> {
    match settings.iter().find(|(_, value, bound)| value > bound) {
        Some((name, _, bound)) => {
            Err(ConfigError::Invalid(format!("ZEGEL_{}_{name}: must be at most {bound}", service.to_uppercase())))
        }
        None => Ok(()),
    }
}

/// The production faults among `checks` (`(setting, is at fault, what it is)`), each as
/// `ZEGEL_<SERVICE>_<SETTING>: <what>`.
pub fn faults(service: &str, checks: &[(&str, bool, &str)]) -> Vec<String> {
    checks
        .iter()
        .filter(|(_, at_fault, _)| *at_fault)
        .map(|(name, _, what)| format!("ZEGEL_{}_{name}: {what}", service.to_uppercase()))
        .collect()
}

/// Checks that a service's secret key setting has at least 16 characters.
/// An empty `service` names a shared setting (`ZEGEL_<name>`).
pub fn secret_key(service: &str, name: &str, key: &SecretString) -> Result<(), ConfigError> {
    if secrecy::ExposeSecret::expose_secret(key).chars().count() < 16 {
        let prefix = if service.is_empty() { String::new() } else { format!("{}_", service.to_uppercase()) };
        return Err(ConfigError::Invalid(format!("ZEGEL_{prefix}{name}: at least 16 characters")));
    }
    Ok(())
}

/// A service's settings as read: the shared ones, its port if set, and its own.
#[derive(Debug)]
pub struct Loaded<S> {
    /// `ZEGEL_*`.
    pub common: CommonSettings,
    /// `ZEGEL_<SERVICE>_PORT`, if set.
    pub port: Option<u16>,
    /// `ZEGEL_<SERVICE>_INTERNAL_PORT`, if set.
    pub internal_port: Option<u16>,
    /// The rest of `ZEGEL_<SERVICE>_*`.
    pub own: S,
}

/// Loads settings from the given variables (the testable core of [`load`]).
pub fn load_from<S: DeserializeOwned>(
    service: &str,
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<Loaded<S>, ConfigError> {
    let own_prefix = format!("ZEGEL_{}_", service.to_uppercase());
    let other_prefixes: Vec<String> = services().map(|s| format!("ZEGEL_{}_", s.to_uppercase())).collect();
    let mut common = Vec::new();
    let mut own = Vec::new();
    let mut otel = std::collections::HashMap::new();
    let mut port = None;
    let mut internal_port = None;
    let port_number = |key: &str, value: &str| {
        value.parse().map_err(|_| ConfigError::Invalid(format!("{key}: a port number (0 to 65535)")))
    };
    for (key, value) in vars {
        if key.starts_with("OTEL_") {
            otel.insert(key, value);
        } else if key.strip_prefix(&own_prefix) == Some("PORT") {
            // Every service has its ports; the shell, not the service, reads them.
            port = Some(port_number(&key, &value)?);
        } else if key.strip_prefix(&own_prefix) == Some("INTERNAL_PORT") {
            internal_port = Some(port_number(&key, &value)?);
        } else if let Some(rest) = key.strip_prefix(&own_prefix) {
            own.push((rest.to_string(), value));
        } else if other_prefixes.iter().any(|p| key.starts_with(p)) {
            // Another service's setting: that service checks it.
        } else if let Some(rest) = key.strip_prefix("ZEGEL_") {
            common.push((rest.to_string(), value));
        }
    }
    let mut common: CommonSettings =
        envy::from_iter(common).map_err(|e| ConfigError::Invalid(format!("ZEGEL_*: {}", e)))?;
    common.otel = Otel::read(&otel)?;
    common.validate()?;
    let own: S = envy::from_iter(own).map_err(|e| ConfigError::Invalid(format!("{own_prefix}*: {}", e)))?;
    Ok(Loaded { common, port, internal_port, own })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Own {
        #[serde(default)]
        days: u32,
    }

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn nothing_set_gives_working_local_defaults() {
        let loaded = load_from::<Own>("certificates", vars(&[])).unwrap();
        assert_eq!(loaded.common.redis_prefix, "zegel");
        assert_eq!((loaded.port, loaded.own.days), (None, 0));
    }

    #[test]
    fn own_and_shared_settings_are_read_and_other_services_ignored() {
        let loaded = load_from::<Own>(
            "certificates",
            vars(&[
                ("ZEGEL_CERTIFICATES_PORT", "9000"),
                ("ZEGEL_CERTIFICATES_DAYS", "7"),
                ("ZEGEL_BANS_PORT", "9001"),
                ("ZEGEL_REDIS_PREFIX", "t1"),
                ("PATH", "/bin"),
            ]),
        )
        .unwrap();
        assert_eq!((loaded.port, loaded.own.days), (Some(9000), 7));
        assert_eq!(loaded.common.redis_prefix, "t1");
    }

    #[test]
    fn openid_providers_are_trusted_beside_the_suite_s_own_issuer_and_the_development_one_never_in_production() {
        let issuers = |list: &str| {
            let loaded = load_from::<Own>(
                "housing",
                vars(&[("ZEGEL_OIDC_ISSUERS", list), ("ZEGEL_OIDC_ROLES_CLAIM", "realm_access.roles")]),
            )?;
            Ok::<_, ConfigError>((loaded.common.issuers(), loaded.common.production_faults()))
        };
        let (trusted, faults) = issuers("https://idp.example/realms/zegel , https://login.example/").unwrap();
        let names: Vec<_> = trusted.iter().map(|i| i.issuer.as_str()).collect();
        assert_eq!(names, ["zegel-dev", "https://idp.example/realms/zegel", "https://login.example/"], "as written");
        assert_eq!(trusted[1].roles_claim, "realm_access.roles");
        assert_eq!((trusted[1].org_claim.as_str(), trusted[1].jwks.as_deref()), ("org", None), "found by discovery");
        assert!(!faults.iter().any(|f| f.starts_with("ZEGEL_OIDC_ISSUERS")), "{faults:?}");
        let (_, faults) = issuers("http://localhost:8090/zegel-dev-oidc").unwrap();
        assert!(faults.contains(&"ZEGEL_OIDC_ISSUERS: the development OpenID provider".to_string()), "{faults:?}");
        for bad in ["idp.example", "ftp://idp.example", "https://idp.example/?realm=1"] {
            assert!(issuers(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn traces_are_off_until_a_collector_is_named() {
        let loaded = load_from::<Own>("certificates", vars(&[])).unwrap();
        assert_eq!(loaded.common.trace_export("certificates"), None);
        let loaded = load_from::<Own>(
            "certificates",
            vars(&[("ZEGEL_OTLP_ENDPOINT", "http://otel-collector:4318"), ("ZEGEL_TRACE_SAMPLE_RATIO", "0.25")]),
        )
        .unwrap();
        let export = loaded.common.trace_export("certificates").expect("on");
        assert_eq!(
            (export.traces_url.as_str(), export.sample_ratio, export.service.as_str()),
            ("http://otel-collector:4318/v1/traces", 0.25, "zegel-certificates")
        );
    }

    #[test]
    fn the_standard_opentelemetry_variables_are_honoured_after_the_suite_s_own() {
        let export = |pairs: &[(&str, &str)]| {
            load_from::<Own>("certificates", vars(pairs)).unwrap().common.trace_export("certificates")
        };
        let standard = export(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector.monitoring:4318/"),
            ("OTEL_SERVICE_NAME", "register-certificates"),
            ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.1"),
        ])
        .expect("on");
        assert_eq!(
            (standard.traces_url.as_str(), standard.sample_ratio, standard.service.as_str()),
            ("http://collector.monitoring:4318/v1/traces", 0.1, "register-certificates")
        );
        // The signal's own URL is taken whole; the suite's variables come first.
        let signal = export(&[("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://c:4318/otlp/traces")]).expect("on");
        assert_eq!(signal.traces_url, "https://c:4318/otlp/traces");
        let ours = export(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://theirs:4318"),
            ("ZEGEL_OTLP_ENDPOINT", "http://ours:4318"),
            ("OTEL_TRACES_SAMPLER", "always_off"),
            ("ZEGEL_TRACE_SAMPLE_RATIO", "0.5"),
        ])
        .expect("on");
        assert_eq!((ours.traces_url.as_str(), ours.sample_ratio), ("http://ours:4318/v1/traces", 0.5));
        assert_eq!(
            export(&[("OTEL_TRACES_SAMPLER", "always_off"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318")])
                .map(|e| e.sample_ratio),
            Some(0.0)
        );
        assert_eq!(export(&[("OTEL_SDK_DISABLED", "true"), ("ZEGEL_OTLP_ENDPOINT", "http://c:4318")]), None);
        for (pairs, expected) in [
            (vec![("OTEL_TRACES_SAMPLER", "jaeger_remote")], "OTEL_TRACES_SAMPLER"),
            (
                vec![("OTEL_TRACES_SAMPLER", "traceidratio"), ("OTEL_TRACES_SAMPLER_ARG", "2")],
                "OTEL_TRACES_SAMPLER_ARG",
            ),
            (vec![("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")], "OTEL_EXPORTER_OTLP_ENDPOINT"),
        ] {
            let err = load_from::<Own>("certificates", vars(&pairs)).unwrap_err().to_string();
            assert!(err.contains(expected), "{pairs:?}: {err}");
        }
    }

    #[test]
    fn invalid_settings_stop_the_start_with_a_clear_message() {
        let cases = [
            (vec![("ZEGEL_REDIS_PREFX", "x")], "unknown field", "a misspelt shared key"),
            (vec![("ZEGEL_CERTIFICATES_PROT", "1")], "unknown field", "a misspelt own key"),
            (vec![("ZEGEL_CERTIFICATES_PORT", "http")], "ZEGEL_CERTIFICATES_PORT", "a port that is no number"),
            (vec![("ZEGEL_CERTIFICATES_DAYS", "-1")], "ZEGEL_CERTIFICATES_", "a negative number of days"),
            (vec![("ZEGEL_DATABASE_URL", "nonsense://")], "ZEGEL_DATABASE_URL", "a bad database URL"),
            (vec![("ZEGEL_REDIS_URL", "ftp://x")], "ZEGEL_REDIS_URL", "a bad redis URL"),
            (vec![("ZEGEL_PUBLIC_RATE_PER_MINUTE", "0")], "at least 1", "a zero rate limit"),
            (vec![("ZEGEL_IDEMPOTENCY_SECRET", "short")], "ZEGEL_IDEMPOTENCY_SECRET: at least 16", "a short secret"),
            (vec![("ZEGEL_OTLP_ENDPOINT", "otel-collector:4318")], "ZEGEL_OTLP_ENDPOINT", "a collector without scheme"),
            (vec![("ZEGEL_OTLP_ENDPOINT", "grpc://collector:4317")], "ZEGEL_OTLP_ENDPOINT", "a collector over gRPC"),
            (vec![("ZEGEL_TRACE_SAMPLE_RATIO", "1.5")], "ZEGEL_TRACE_SAMPLE_RATIO", "a share above 1"),
            (vec![("ZEGEL_TRACE_SAMPLE_RATIO", "NaN")], "ZEGEL_TRACE_SAMPLE_RATIO", "a share that is no number"),
        ];
        for (pairs, expected, case) in cases {
            let err = load_from::<Own>("certificates", vars(&pairs)).unwrap_err().to_string();
            assert!(err.contains(expected), "{case}: got {err}");
        }
    }
}
