//! The request as every handler sees it: its id, the caller's address as a rate limit
//! counts it (through trusted proxies only), what a browser says of where it came from.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use warp::Filter;
use warp::http::{HeaderMap, Method};

/// Header carrying the request id, in both directions.
pub const REQUEST_ID: &str = "x-request-id";

/// Carries the request id on a call to another service, so that its access log names the
/// same request as ours, and the trace context, so that its span joins our trace.
pub trait ForwardRequestId {
    /// Sets [`REQUEST_ID`] to `id`, and `traceparent` to the current span when traces are on.
    fn request_id(self, id: &str) -> Self;
}

impl ForwardRequestId for reqwest::RequestBuilder {
    fn request_id(self, id: &str) -> Self {
        let mut headers = HeaderMap::new();
        crate::trace::inject_current(&mut headers);
        self.header(REQUEST_ID, id).headers(headers)
    }
}

/// What a handler needs to know about the request besides path and body.
#[derive(Clone)]
pub struct Request {
    /// The request id (the client's, if well-formed, else a fresh one).
    pub id: String,
    pub method: Method,
    pub path: String,
    /// The `Authorization` header, if any and readable.
    pub authorization: Option<String>,
    /// The `Idempotency-Key` header, as sent.
    pub idempotency_key: Option<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `Accept-Language` header.
    pub accept_language: Option<String>,
    /// The peer's address (a proxy, if there is one in front).
    pub remote: Option<SocketAddr>,
    /// The hops a proxy says the request came through (`Forwarded: for=` or
    /// `X-Forwarded-For`, left to right); believed only from a trusted proxy.
    pub forwarded: Option<String>,
    /// The query string as sent (empty without one); a route that takes parameters parses it.
    pub query: String,
    /// The `Cookie` header (the workbench's session; no other service reads cookies).
    pub cookie: Option<String>,
    /// Whether a browser says another site made it (`Sec-Fetch-Site: cross-site`, or an
    /// `Origin` other than the host it was sent to): a page of ours never does, so a form
    /// post that stores something refuses it.
    pub cross_site: bool,
}

// Written out so that the bearer token and the session cookie never reach a log line.
impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("id", &self.id)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("content_type", &self.content_type)
            .field("remote", &self.remote)
            .finish_non_exhaustive()
    }
}

/// The peer's address, as the server's accept loop puts it on each request
/// (`server::serve`).
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

/// Extracts the [`Request`]; never rejects.
pub fn request() -> impl Filter<Extract = (Request,), Error = Infallible> + Clone {
    let query = warp::query::raw().or(warp::any().map(String::new)).unify();
    let remote = warp::ext::optional::<Peer>().map(|peer: Option<Peer>| peer.map(|p| p.0));
    warp::method().and(warp::path::full()).and(warp::header::headers_cloned()).and(remote).and(query).map(
        |method: Method, path: warp::path::FullPath, headers: HeaderMap, remote: Option<SocketAddr>, query: String| {
            let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
            let id = text(REQUEST_ID)
                .filter(|id| {
                    !id.is_empty()
                        && id.len() <= 64
                        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                })
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            Request {
                id,
                method,
                path: path.as_str().to_string(),
                authorization: text("authorization"),
                idempotency_key: headers
                    .get(crate::idempotency::HEADER)
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
                content_type: text("content-type"),
                accept_language: text("accept-language"),
                remote,
                forwarded: forwarded_hops(&headers),
                query,
                cookie: text("cookie"),
                cross_site: cross_site(&headers),
            }
        },
    )
}

impl Request {
    /// The value of query parameter `name` as sent (not percent-decoded), if present.
    pub fn param(&self, name: &str) -> Option<&str> {
        query_param(&self.query, name)
    }

    /// The value of cookie `name`, if the request carries it.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookie.as_deref()?.split(';').find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then_some(v)
        })
    }

    /// Whether a browser's HTML form sent it (`application/x-www-form-urlencoded`): such a
    /// post is answered with a redirect to a page, never with JSON.
    pub fn is_form(&self) -> bool {
        self.content_type
            .as_deref()
            .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"))
    }
}

/// The value of parameter `name` in the query string `query` as sent, if present.
pub fn query_param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query.split('&').find_map(|kv| kv.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
}

/// Whether the browser that sent a request says another site made it: `Sec-Fetch-Site:
/// cross-site`, or (a browser without Fetch Metadata) an `Origin` whose host is not the
/// `Host` the request went to. Clients that are no browser send neither.
pub(crate) fn cross_site(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return site.eq_ignore_ascii_case("cross-site");
    }
    match (text("origin"), text("host")) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, h)| h) != Some(host),
        _ => false,
    }
}

/// The `for=` hops of RFC 7239 `Forwarded` headers, else `X-Forwarded-For`, as one
/// comma-separated list.
pub(crate) fn forwarded_hops(headers: &HeaderMap) -> Option<String> {
    let forwarded: Vec<String> = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                k.trim().eq_ignore_ascii_case("for").then(|| v.trim().trim_matches('"').to_string())
            })
        })
        .collect();
    if !forwarded.is_empty() {
        return Some(forwarded.join(","));
    }
    let xff: Vec<&str> = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    (!xff.is_empty()).then(|| xff.join(","))
}

/// One hop's address: `192.0.2.1`, `192.0.2.1:80`, `2001:db8::1`, `[2001:db8::1]:80`.
fn hop_address(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Ok(addr) = hop.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    hop.strip_prefix('[').and_then(|h| h.split_once(']')).and_then(|(ip, _)| ip.parse().ok())
}

/// Whom a rate limit counts a request against. The peer, unless the peer is a trusted
/// proxy: then the nearest hop it names that is not itself a trusted proxy (read from the
/// right, as each proxy appends; what the client wrote itself on the left is never
/// believed past an untrusted hop). An IPv6 client counts per /64, the network one
/// subscriber gets, so that it cannot take a fresh address per request.
pub fn client_key(remote: Option<IpAddr>, forwarded: Option<&str>, trusted: &[ipnet::IpNet]) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = remote?;
    if is_trusted(&client) {
        for hop in forwarded.unwrap_or_default().rsplit(',') {
            match hop_address(hop) {
                Some(ip) if is_trusted(&ip) => client = ip,
                Some(ip) => {
                    client = ip;
                    break;
                }
                // An unreadable hop: the last proxy we trust is as far as we can see.
                None => break,
            }
        }
    }
    Some(match client {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        },
        v4 => v4,
    })
}
