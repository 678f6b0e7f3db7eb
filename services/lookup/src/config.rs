//! Settings of the lookup service.

use platform::config::ConfigError;
use platform::shell::OwnSettings;
use serde::Deserialize;

/// Days a receipt stays verifiable: the advice counts repeat offences over five years.
pub const RECEIPT_DAYS: u32 = 5 * 366;

pub type Settings = platform::shell::Settings<Own>;

/// `ZEGEL_LOOKUP_*`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Own {
    /// The signed trust list (compact JWS).
    pub trust_list: String,
    /// The suite CA certificate (PEM) that anchors the trust list.
    pub trust_anchor: String,
    /// Seconds between checks of the trust list file for a new version.
    pub trust_reload_secs: u64,
    /// Milliseconds to wait for a register's live status before answering `unavailable`.
    pub status_timeout_ms: u64,
    /// Status statements in flight per register at most: scans that arrive meanwhile share
    /// the next one (see `reads`).
    pub status_readers: u64,
    pub status_batch: u64,
    /// A streaming replica of the registers' database (CloudNativePG's `-rw`'s sibling
    /// `-ro`): the scans' status and standing reads go there once it has replayed what the
    /// primary had written when each was asked (`replica`). Empty: every read goes to the
    /// primary. The password, where the URL names none, is the primary's.
    pub replica_url: secrecy::SecretString,
    /// Milliseconds a read waits for the replica to catch up before it goes to the primary.
    pub replica_wait_ms: u64,
    /// Seals kept as found genuine (their signature checked) under the trust list in force,
    /// at most: a seal scanned again is not checked again. Its time window, the list's
    /// expiry and its live status are checked at every scan.
    pub genuine_seals: u64,
    /// Seconds between two publications of each register's status list (its `ttl`): a
    /// revocation reaches offline verifiers within this, plus their own fetch interval.
    pub status_list_secs: u64,
    /// The housing register's public base URL: the complaint form on a building's page
    /// posts there (a plain HTML form, so no JavaScript and no proxy in between).
    pub housing_url: String,
    /// The deposits register's public base URL: a worker's wage claim form posts there.
    pub deposits_url: String,
    /// The certificates register's public base URL: a worker's complaint about work posts there.
    pub certificates_url: String,
    /// The lookup's own signing key for hirer-check receipts (PKCS#8 Ed25519, PEM).
    pub seal_key: String,
    /// Its certificate (PEM), under the suite CA and on the trust list as `lookup`.
    pub seal_cert: String,
    /// The bans register, asked about the officers of a KvK registration check.
    pub bans_url: String,
    /// The secret BSNs of KvK checks are kept hashed with (HMAC-SHA256), never in clear.
    pub bsn_key: secrecy::SecretString,
    /// Where a vulnerability is reported (`Contact:` of /.well-known/security.txt, RFC
    /// 9116): a `mailto:`, `https:` or `tel:` URI.
    pub security_contact: String,
    /// The disclosure policy (`Policy:`), a `https:` URL; none when empty.
    pub security_policy: String,
    /// When security.txt stops being trusted (`Expires:`, RFC 3339, at most a year ahead
    /// by the RFC's advice): someone must look at the contact again by then. Empty on a
    /// developer machine, where it is 90 days after the start; production must name it.
    pub security_expires: String,
    /// Where a visitor reports an accessibility barrier (the statement at /accessibility):
    /// a `mailto:` or `https:` URI.
    pub accessibility_contact: String,
}

impl Default for Own {
    /// What a developer machine runs with when nothing is set.
    fn default() -> Self {
        Self {
            trust_list: concat!(env!("CARGO_MANIFEST_DIR"), "/../../certs/dev/trust-list.jws").into(),
            trust_anchor: concat!(env!("CARGO_MANIFEST_DIR"), "/../../certs/dev/ca.pem").into(),
            trust_reload_secs: 60,
            status_timeout_ms: 2000,
            status_readers: 4,
            status_batch: 256,
            replica_url: secrecy::SecretString::from(""),
            replica_wait_ms: 100,
            // About 1 KB each: 50 MB at most.
            genuine_seals: 50_000,
            status_list_secs: 60,
            housing_url: "http://127.0.0.1:8085".into(),
            deposits_url: "http://127.0.0.1:8083".into(),
            certificates_url: "http://127.0.0.1:8081".into(),
            seal_key: Default::default(),
            seal_cert: Default::default(),
            bans_url: "http://127.0.0.1:8082".into(),
            bsn_key: secrecy::SecretString::from(DEV_BSN_KEY),
            security_contact: "mailto:security@zegel.example.nl".into(),
            security_policy: "https://git.zegel.example.nl/zegel/zegel/-/blob/main/SECURITY.md".into(),
            security_expires: String::new(),
            accessibility_contact: "mailto:toegankelijkheid@zegel.example.nl".into(),
        }
    }
}

/// The development BSN key.
const DEV_BSN_KEY: &str = "zegel-dev-lookup-bsn-key-not-for-production";

impl OwnSettings for Own {
    const SERVICE: &'static str = "lookup";
    const PORT: u16 = 8080;

    fn production_faults(&self) -> Vec<String> {
        use secrecy::ExposeSecret;
        let dev = Own::default();
        platform::config::faults(
            Self::SERVICE,
            &[
                ("BSN_KEY", self.bsn_key.expose_secret() == DEV_BSN_KEY, "the development key"),
                ("SEAL_KEY", self.seal_key.is_empty(), "the development receipt key"),
                ("TRUST_LIST", self.trust_list == dev.trust_list, "the development trust list"),
                ("TRUST_ANCHOR", self.trust_anchor == dev.trust_anchor, "the development CA"),
                ("SECURITY_EXPIRES", self.security_expires.is_empty(), "no expiry of security.txt"),
            ],
        )
    }

    fn validate(&self) -> Result<(), ConfigError> {
        platform::config::secret_key(Self::SERVICE, "BSN_KEY", &self.bsn_key)?;
        let invalid = |name: &str, why: &str| ConfigError::Invalid(format!("ZEGEL_LOOKUP_{name}: {why}"));
        if !uri_of(&self.security_contact, &["mailto:", "https://", "tel:"]) {
            return Err(invalid("SECURITY_CONTACT", "a mailto:, https:// or tel: URI"));
        }
        if !self.security_policy.is_empty() && !uri_of(&self.security_policy, &["https://"]) {
            return Err(invalid("SECURITY_POLICY", "an https:// URL or empty"));
        }
        if !self.security_expires.is_empty() && self.security_expiry().is_none() {
            return Err(invalid("SECURITY_EXPIRES", "an RFC 3339 moment (2027-06-30T00:00:00Z)"));
        }
        if !uri_of(&self.accessibility_contact, &["mailto:", "https://"]) {
            return Err(invalid("ACCESSIBILITY_CONTACT", "a mailto: or https:// URI"));
        }
        platform::config::at_least_one(
            Self::SERVICE,
            &[
                ("TRUST_RELOAD_SECS", self.trust_reload_secs),
                ("STATUS_TIMEOUT_MS", self.status_timeout_ms),
                ("STATUS_READERS", self.status_readers),
                ("STATUS_BATCH", self.status_batch),
                ("GENUINE_SEALS", self.genuine_seals),
                ("STATUS_LIST_SECS", self.status_list_secs),
                ("REPLICA_WAIT_MS", self.replica_wait_ms),
            ],
        )?;
        // Each reader may hold a pooled connection; a batch is one statement's arrays.
        platform::config::at_most(
            Self::SERVICE,
            &[
                ("STATUS_READERS", self.status_readers, 64),
                ("STATUS_BATCH", self.status_batch, 4096),
                // A scan waits at most this plus the primary's read: within its timeout.
                ("REPLICA_WAIT_MS", self.replica_wait_ms, 1000),
                ("GENUINE_SEALS", self.genuine_seals, 10_000_000),
                // A list is kept a day at most (status_lists::LIFETIME_SECS).
                ("STATUS_LIST_SECS", self.status_list_secs, 3600),
            ],
        )
    }
}

impl Own {
    /// `security_expires` as a moment; `None` when empty or not RFC 3339.
    pub fn security_expiry(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        chrono::DateTime::parse_from_rfc3339(&self.security_expires).ok().map(|at| at.with_timezone(&chrono::Utc))
    }
}

/// Whether `value` is one line that starts with one of `schemes` and names something
/// after it (it is written into a header-like line and an `href`).
fn uri_of(value: &str, schemes: &[&str]) -> bool {
    schemes.iter().any(|s| value.strip_prefix(s).is_some_and(|rest| !rest.is_empty()))
        && !value.chars().any(|c| c.is_control() || c.is_whitespace() || c == '"' || c == '<' || c == '>')
}

impl zegel_desk::SealSettings for Own {
    const REGISTER: zegel_attest::Register = zegel_attest::Register::Lookup;

    /// Receipts live as long as a hirer must keep its records.
    fn seal_files(&self) -> (&str, &str, u32) {
        (&self.seal_key, &self.seal_cert, RECEIPT_DAYS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_names_the_development_keys_and_trust_list() {
        let faults = Own::default().production_faults().join("; ");
        for setting in [
            "ZEGEL_LOOKUP_BSN_KEY:",
            "ZEGEL_LOOKUP_SEAL_KEY:",
            "ZEGEL_LOOKUP_TRUST_LIST:",
            "ZEGEL_LOOKUP_TRUST_ANCHOR:",
            "ZEGEL_LOOKUP_SECURITY_EXPIRES:",
        ] {
            assert!(faults.contains(setting), "{setting} missing: {faults}");
        }
        let own = Own {
            bsn_key: secrecy::SecretString::from("a-production-bsn-key-0123"),
            seal_key: "/etc/zegel/seal/key.pem".into(),
            trust_list: "/etc/zegel/trust/trust-list.jws".into(),
            trust_anchor: "/etc/zegel/trust/ca.pem".into(),
            security_expires: "2027-06-30T00:00:00Z".into(),
            ..Own::default()
        };
        assert_eq!(own.production_faults(), Vec::<String>::new());
    }

    #[test]
    fn status_reads_are_bounded_both_ways() {
        assert!(Own::default().validate().is_ok());
        for (readers, batch, named) in [
            (0, 256, "ZEGEL_LOOKUP_STATUS_READERS: must be at least 1"),
            (4, 0, "ZEGEL_LOOKUP_STATUS_BATCH: must be at least 1"),
            (65, 256, "ZEGEL_LOOKUP_STATUS_READERS: must be at most 64"),
            (4, 4097, "ZEGEL_LOOKUP_STATUS_BATCH: must be at most 4096"),
        ] {
            let own = Own { status_readers: readers, status_batch: batch, ..Own::default() };
            let e = own.validate().expect_err("out of range");
            assert!(e.to_string().contains(named), "{e}");
        }
        // A read waits for the replica for a moment, never not at all nor for seconds.
        for (wait, named) in [
            (0, "ZEGEL_LOOKUP_REPLICA_WAIT_MS: must be at least 1"),
            (1001, "ZEGEL_LOOKUP_REPLICA_WAIT_MS: must be at most 1000"),
        ] {
            let e = Own { replica_wait_ms: wait, ..Own::default() }.validate().expect_err("out of range");
            assert!(e.to_string().contains(named), "{e}");
        }
    }

    #[test]
    fn the_public_contacts_are_uris_that_cannot_break_their_line() {
        for (own, named) in [
            (Own { security_contact: "security@zegel.nl".into(), ..Own::default() }, "SECURITY_CONTACT"),
            (Own { security_contact: "mailto:".into(), ..Own::default() }, "SECURITY_CONTACT"),
            (Own { security_contact: "mailto:a@b.nl\nExpires: never".into(), ..Own::default() }, "SECURITY_CONTACT"),
            (Own { security_policy: "http://zegel.nl/policy".into(), ..Own::default() }, "SECURITY_POLICY"),
            (Own { security_expires: "30 June 2027".into(), ..Own::default() }, "SECURITY_EXPIRES"),
            (Own { accessibility_contact: "javascript:alert(1)".into(), ..Own::default() }, "ACCESSIBILITY_CONTACT"),
            (
                Own { accessibility_contact: "https://zegel.nl/\"onmouseover".into(), ..Own::default() },
                "ACCESSIBILITY_CONTACT",
            ),
        ] {
            let e = own.validate().expect_err(named);
            assert!(e.to_string().contains(&format!("ZEGEL_LOOKUP_{named}:")), "{e}");
        }
        let own = Own {
            security_contact: "tel:+31-70-000-0000".into(),
            security_policy: String::new(),
            security_expires: "2027-06-30T02:00:00+02:00".into(),
            ..Own::default()
        };
        assert!(own.validate().is_ok());
        assert_eq!(own.security_expiry().map(|at| at.to_rfc3339()), Some("2027-06-30T00:00:00+00:00".into()));
    }
}
