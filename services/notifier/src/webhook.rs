//! Webhooks: where they may go, how they are signed, and when a failed one is tried again.
//!
//! The signature is HMAC-SHA256 with the subscription's secret over `"{timestamp}.{body}"`,
//! sent as `Zegel-Signature: v1=<hex>` with `Zegel-Timestamp: <unix seconds>`; a receiver
//! recomputes it and rejects a timestamp older than 5 minutes (a replay). `Zegel-Event-Id`
//! names the event: delivery is at least once, so receivers dedupe on it.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;

pub const SIGNATURE: &str = "zegel-signature";
pub const TIMESTAMP: &str = "zegel-timestamp";
/// Header with the event id (receivers dedupe on it).
pub const EVENT_ID: &str = "zegel-event-id";
pub const DELIVERY_ID: &str = "zegel-delivery-id";
/// How old a signature a receiver should accept.
pub const REPLAY_WINDOW_SECS: i64 = 300;

/// `v1=<hex>` for `body` at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mac = platform::keyed::mac(secret.as_bytes(), &[timestamp.to_string().as_bytes(), b".", body]);
    format!("v1={}", platform::keyed::hex(&mac))
}

/// What a receiver does: the signature matches and is fresh at `now`.
pub fn verify(secret: &str, timestamp: i64, body: &[u8], signature: &str, now: i64) -> bool {
    let expected = sign(secret, timestamp, body);
    // Constant-time comparison of equal-length strings.
    let same = expected.len() == signature.len()
        && expected.bytes().zip(signature.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    same && (now - timestamp).abs() <= REPLAY_WINDOW_SECS
}

/// The signing secret of a subscription: HMAC-SHA256 of its id under the notifier's key,
/// hex. Derived when shown (once, at creation) and when signing; never stored.
pub fn secret_for(key: &[u8], subscription_id: uuid::Uuid) -> String {
    platform::keyed::hex(&platform::keyed::mac(key, &[b"zegel-webhook-secret:", subscription_id.as_bytes()]))
}

/// The wait before attempt `attempts + 1`: base × 2^(attempts − 1), at most `max`, with
/// ±50 % jitter so that receivers that failed together are not retried together.
pub fn backoff(attempts: i32, base: Duration, max: Duration) -> Duration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let plain = base.saturating_mul(2u32.saturating_pow(exp)).min(max);
    let factor: f64 = rand::rng().random_range(0.5..1.5);
    plain.mul_f64(factor).min(max)
}

/// Why a target is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Not an http(s) URL with a host.
    #[error("a webhook URL is an http or https URL with a host")]
    Malformed,
    #[error("a webhook URL carries no user name or password")]
    Credentials,
    #[error("the webhook host resolves to a loopback, private or link-local address, which is not allowed")]
    Private,
    /// Does not resolve.
    #[error("the webhook host does not resolve")]
    Unresolvable,
    #[error("a webhook URL is an https URL in production")]
    NotHttps,
}

/// What a webhook target must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    /// Loopback and private addresses allowed (development only).
    pub allow_private: bool,
    /// Only https (production).
    pub https_only: bool,
}

/// The client that sends webhooks: no redirects, and every host name resolved by
/// [`Resolver`], so that the connection goes to exactly the addresses that were checked —
/// a name that resolves to a public address at subscription and to a private one at
/// delivery (DNS rebinding) gets nowhere.
pub fn client(timeout: Duration, targets: Targets) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(timeout)
        // Never through a system proxy (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY): the proxy would
        // resolve and connect to the receiver itself, past every address check here.
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .https_only(targets.https_only)
        .dns_resolver(Arc::new(Resolver { allow_private: targets.allow_private }))
        .build()
}

/// Resolves a webhook host for the connection and refuses it when any of its addresses is
/// not global unicast (unless private targets are allowed).
#[derive(Debug, Clone, Copy)]
pub struct Resolver {
    allow_private: bool,
}

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            if addrs.is_empty() {
                return Err(Box::new(TargetError::Unresolvable) as Box<dyn std::error::Error + Send + Sync>);
            }
            if !allow_private && addrs.iter().any(|a| is_private(a.ip())) {
                return Err(Box::new(TargetError::Private) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Networks a webhook may never reach: only global unicast addresses are targets.
const REFUSED: [&str; 24] = [
    "0.0.0.0/8",      // this network
    "10.0.0.0/8",     // private
    "100.64.0.0/10",  // carrier-grade NAT
    "127.0.0.0/8",    // loopback
    "169.254.0.0/16", // link local (cloud metadata)
    "172.16.0.0/12",  // private
    "192.0.0.0/24",   // IETF protocol assignments
    "192.168.0.0/16", // private
    "198.18.0.0/15",  // benchmarking
    "224.0.0.0/4",    // multicast
    "240.0.0.0/4",    // reserved, broadcast
    "::/128",         // unspecified
    "::1/128",        // loopback
    "fc00::/7",       // unique local
    "fe80::/10",      // link local
    "64:ff9b::/96",   // NAT64: an IPv4 address in disguise
    "64:ff9b:1::/48", // NAT64 for local use: likewise, into a private network
    "2002::/16",      // 6to4: likewise
    "2001::/32",      // Teredo: an IPv4 address and port in disguise
    "fec0::/10",      // site local (deprecated, still routed inside some networks)
    "100::/64",       // discard only
    "2001:db8::/32",  // documentation
    "2001:2::/48",    // benchmarking
    "2001:10::/28",   // ORCHID, not routable
];

static REFUSED_NETS: std::sync::LazyLock<Vec<ipnet::IpNet>> =
    std::sync::LazyLock::new(|| REFUSED.iter().filter_map(|n| n.parse().ok()).collect());

/// Whether an address is inside a network a subscriber must not reach: a refused network,
/// IPv6 multicast, or an IPv4-mapped (`::ffff:a.b.c.d`) or -compatible (`::a.b.c.d`)
/// address whose IPv4 address is refused.
pub fn is_private(ip: IpAddr) -> bool {
    if REFUSED_NETS.iter().any(|net| net.contains(&ip)) {
        return true;
    }
    match ip {
        IpAddr::V4(_) => false,
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let compatible = s[..6].iter().all(|x| *x == 0);
            v6.is_multicast()
                || v6.to_ipv4_mapped().is_some_and(|v4| is_private(IpAddr::V4(v4)))
                || (compatible && is_private(IpAddr::V4(std::net::Ipv4Addr::from(u128::from(v6) as u32))))
        }
    }
}

/// Checks a webhook URL: form, scheme, and — unless private targets are allowed — every
/// address its host resolves to. Checked at subscription (to answer the subscriber at once)
/// and at each delivery; the connection itself resolves again through [`Resolver`].
pub async fn check_target(raw: &str, targets: Targets) -> Result<url::Url, TargetError> {
    let url = url::Url::parse(raw).map_err(|_| TargetError::Malformed)?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() || raw.len() > 2000 {
        return Err(TargetError::Malformed);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetError::Credentials);
    }
    if targets.https_only && url.scheme() != "https" {
        return Err(TargetError::NotHttps);
    }
    if targets.allow_private {
        return Ok(url);
    }
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| TargetError::Unresolvable)?
            .map(|a| a.ip())
            .collect(),
    };
    if addrs.is_empty() {
        return Err(TargetError::Unresolvable);
    }
    if addrs.into_iter().any(is_private) {
        return Err(TargetError::Private);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: Targets = Targets { allow_private: false, https_only: false };

    #[test]
    fn only_global_unicast_addresses_are_targets() {
        for refused in [
            "0.1.2.3",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "224.0.0.1",
            "239.1.1.1",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "64:ff9b::a00:1",
            "2002:a00:1::",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "::10.0.0.1",
            "::127.0.0.1",
        ] {
            assert!(is_private(refused.parse().unwrap()), "{refused} must be refused");
        }
        for global in
            ["8.8.8.8", "1.1.1.1", "100.128.0.1", "172.32.0.1", "198.20.0.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"]
        {
            assert!(!is_private(global.parse().unwrap()), "{global} is a global address");
        }
    }

    #[test]
    fn signatures_verify_and_refuse_changes_and_replays() {
        let body = br#"{"event":"x"}"#;
        let sig = sign("s3cret", 1_800_000_000, body);
        assert!(sig.starts_with("v1=") && sig.len() == 67);
        assert!(verify("s3cret", 1_800_000_000, body, &sig, 1_800_000_100));
        assert!(!verify("other", 1_800_000_000, body, &sig, 1_800_000_100), "another secret");
        assert!(!verify("s3cret", 1_800_000_000, br#"{"event":"y"}"#, &sig, 1_800_000_100), "another body");
        assert!(!verify("s3cret", 1_800_000_001, body, &sig, 1_800_000_100), "another timestamp");
        assert!(!verify("s3cret", 1_800_000_000, body, &sig, 1_800_000_301), "older than 5 minutes");
    }

    #[test]
    fn secrets_are_derived_per_subscription_and_key() {
        let (a, b) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        assert_eq!(secret_for(b"key-one-0123456789", a), secret_for(b"key-one-0123456789", a), "stable");
        assert_eq!(secret_for(b"key-one-0123456789", a).len(), 64);
        assert_ne!(secret_for(b"key-one-0123456789", a), secret_for(b"key-one-0123456789", b), "per subscription");
        assert_ne!(secret_for(b"key-one-0123456789", a), secret_for(b"key-two-0123456789", a), "per key");
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_cap() {
        let (base, max) = (Duration::from_secs(1), Duration::from_secs(60));
        for _ in 0..100 {
            let first = backoff(1, base, max);
            assert!(first >= Duration::from_millis(500) && first <= Duration::from_millis(1500), "{first:?}");
            let fourth = backoff(4, base, max);
            assert!(fourth >= Duration::from_secs(4) && fourth <= Duration::from_secs(12), "{fourth:?}");
            assert!(backoff(30, base, max) <= max);
        }
    }

    #[tokio::test]
    async fn private_targets_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1:9000/hook",
            "http://10.1.2.3/hook",
            "http://192.168.0.10/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/hook",
            "http://[fd00::1]/hook",
            "http://[64:ff9b:1::a00:1]/hook",
            "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",
            "http://[fec0::1]/hook",
            "http://localhost:9000/hook",
        ] {
            assert_eq!(check_target(url, PUBLIC).await.err(), Some(TargetError::Private), "{url}");
        }
        assert!(
            check_target("http://127.0.0.1:9000/hook", Targets { allow_private: true, https_only: false })
                .await
                .is_ok()
        );
        assert!(check_target("https://203.0.113.7/hook", PUBLIC).await.is_ok(), "a public address");
        assert_eq!(check_target("ftp://example.org/x", PUBLIC).await.err(), Some(TargetError::Malformed));
        assert_eq!(check_target("https://u:p@203.0.113.7/x", PUBLIC).await.err(), Some(TargetError::Credentials));
        let production = Targets { allow_private: false, https_only: true };
        assert_eq!(check_target("http://203.0.113.7/hook", production).await.err(), Some(TargetError::NotHttps));
        assert!(check_target("https://203.0.113.7/hook", production).await.is_ok());
    }

    #[tokio::test]
    async fn the_connection_goes_only_where_the_check_allows() {
        // A receiver on loopback, reached by name: the resolver the connection uses refuses
        // the private address itself, whatever was checked before (DNS rebinding).
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = tokio::spawn(async move { listener.accept().await.is_ok() });
        let client = client(Duration::from_secs(2), PUBLIC).unwrap();
        let err = client.post(format!("http://localhost:{port}/hook")).send().await.unwrap_err();
        let chain = format!("{:?}", err);
        assert!(chain.contains("Private"), "refused for its address: {chain}");
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!accepted.is_finished(), "no connection was made");
        accepted.abort();

        // Allowed in development, the same name connects.
        let dev = client_for_test(true);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = tokio::spawn(async move { listener.accept().await.is_ok() });
        let _ = dev.post(format!("http://localhost:{port}/hook")).send().await;
        assert!(accepted.await.unwrap(), "connected");
    }

    fn client_for_test(allow_private: bool) -> reqwest::Client {
        client(Duration::from_millis(300), Targets { allow_private, https_only: false }).unwrap()
    }
}
