//! Request plumbing shared by every service's routes.
//!
//! The rule (STYLE 8): once a route's path and method matched, it responds. Handlers take
//! the raw body as bytes and parse it themselves through [`parse_json`], so a malformed
//! body is a 400/422 problem from the route that owns it, never a rejection that warp
//! might merge with another branch into a confusing 405.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::{HeaderMap, HeaderValue, StatusCode, header};
use warp::reply::{Reply, Response};

use crate::problem::{FieldError, Problem, unsupported_media_type};

/// Largest request body any endpoint accepts, in bytes.
pub const BODY_LIMIT: u64 = 64 * 1024;

pub use crate::limiter::PublicLimiter;
pub use crate::request::{ForwardRequestId, Peer, REQUEST_ID, Request, client_key, query_param, request};

/// Most request headers a service reads; more answers 431 (our problem, with the security
/// headers). Browsers send about twenty.
pub const MAX_HEADERS: usize = 100;
/// Most bytes of request headers (names and values) a service reads; a bearer token is
/// about one kilobyte.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// The answer to a request whose headers are over [`MAX_HEADERS`] or [`MAX_HEADER_BYTES`],
/// or `None`.
pub fn headers_too_large(headers: &HeaderMap) -> Option<Response> {
    let bytes: usize = headers.iter().map(|(k, v)| k.as_str().len() + v.len()).sum();
    if headers.len() <= MAX_HEADERS && bytes <= MAX_HEADER_BYTES {
        return None;
    }
    let detail = format!("At most {MAX_HEADERS} request headers of {MAX_HEADER_BYTES} bytes together.");
    let mut res = Problem::of(crate::problem::Kind::HeadersTooLarge).with_detail(detail).into_response();
    secure(&mut res);
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    Some(res)
}

/// A bounded body, as bytes; parse it with [`parse_json`].
pub fn body() -> impl Filter<Extract = (Bytes,), Error = warp::Rejection> + Clone {
    warp::body::content_length_limit(BODY_LIMIT).and(warp::body::bytes())
}

/// Passes `state` to handlers.
pub fn with_state<S: Clone + Send + Sync + 'static>(
    state: S,
) -> impl Filter<Extract = (S,), Error = Infallible> + Clone {
    warp::any().map(move || state.clone())
}

/// Parses a JSON body: 415 unless it is sent as JSON, 400 unless it parses, 422 with the
/// offending field unless it has the expected shape.
pub fn parse_json<T: DeserializeOwned>(req: &Request, body: &[u8]) -> Result<T, Problem> {
    let is_json = req
        .content_type
        .as_deref()
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(unsupported_media_type());
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let pointer = json_pointer(e.path());
        let inner = e.into_inner();
        if inner.is_data() {
            Problem::validation(vec![FieldError::new(pointer, strip_position(&inner.to_string()))])
        } else {
            Problem::bad_request("The request body is not valid JSON.")
        }
    })?;
    de.end().map_err(|_| Problem::bad_request("The request body has trailing characters after the JSON value."))?;
    Ok(value)
}

fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => out.push_str(&format!("/{}", key.replace('~', "~0").replace('/', "~1"))),
            Segment::Enum { variant } => out.push_str(&format!("/{variant}")),
            Segment::Unknown => {}
        }
    }
    if out.is_empty() { "/".into() } else { out }
}

/// serde_json appends "at line 1 column 7"; the pointer already says where.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// A JSON reply with `status`.
pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let mut res = warp::reply::json(body).into_response();
    *res.status_mut() = status;
    res
}

/// The full version of the suite's API (NL API Design Rules: in every answer's
/// `API-Version`); every document in openapi/ carries it as `info.version`.
pub const API_VERSION: &str = "1.5.0";

/// Turns a handler's result into the response, tagged with the request id.
pub fn respond(req: &Request, result: Result<Response, Problem>) -> Response {
    tagged(&req.id, result)
}

fn tagged(request_id: &str, result: Result<Response, Problem>) -> Response {
    let mut res = match result {
        Ok(res) => res,
        Err(problem) => problem.with_request_id(request_id).into_response(),
    };
    if let Ok(v) = HeaderValue::from_str(request_id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    secure(&mut res);
    res
}

/// What every answer's page may do: no script at all, styles from the page itself, images
/// from this origin or inline, forms to this origin, never inside another site's frame.
/// A page that posts elsewhere (the complaint form) sets its own policy first.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The security headers of every answer, errors and warp's own rejections included (the
/// server's stack sets them once more on the way out). `no-referrer`: a seal in the URL
/// must not leak to another site through a link on its page. HSTS: the public host is
/// HTTPS only (a browser ignores the header on plain HTTP, as on a developer's machine).
pub(crate) fn secure(res: &mut Response) {
    let headers = res.headers_mut();
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("strict-transport-security", HeaderValue::from_static("max-age=63072000; includeSubDomains"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    if !headers.contains_key("content-security-policy") {
        headers.insert("content-security-policy", HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    }
}

/// [`finish`] for a handler that took the request: only its id is kept for the answer.
fn finish_as<E: crate::core::ServiceError>(request_id: &str, result: Result<Response, E>) -> Response {
    tagged(request_id, result.map_err(|e| e.to_problem(request_id)))
}

/// The single place a handler's result becomes a response: a problem for an error (its
/// cause logged once, by the service's error type), tagged with the request id.
pub fn finish<E: crate::core::ServiceError>(req: &Request, result: Result<Response, E>) -> Response {
    finish_as(&req.id, result)
}

/// What a route answers with, once its method and path matched.
pub type Routed = BoxedFilter<(Response,)>;

/// A matched path and its parameters as one value (`warp::path!` with one parameter, or
/// [`fixed`] and [`pair`] around one with none or two).
pub trait Path<P>: Filter<Extract = (P,), Error = warp::Rejection> + Clone + Send + Sync + 'static {}

impl<P, F> Path<P> for F where F: Filter<Extract = (P,), Error = warp::Rejection> + Clone + Send + Sync + 'static {}

/// A path without parameters, as a path with the one parameter `()`, so that every route
/// helper below takes its parameters as one value.
pub fn fixed(
    path: impl Filter<Extract = (), Error = warp::Rejection> + Clone + Send + Sync + 'static,
) -> BoxedFilter<((),)> {
    path.map(|| ()).boxed()
}

/// The route a response answered, as its template (`/api/v1/agencies/{}/check`): the one
/// label metrics and logs use for it, so that no client can mint new series by inventing
/// paths. Set by the route helpers; a response without one matched no route.
#[derive(Debug, Clone)]
pub struct RouteTemplate(pub Arc<str>);

/// Marks `res` as the answer of `template`.
pub fn answered_by(mut res: Response, template: &str) -> Response {
    res.extensions_mut().insert(RouteTemplate(Arc::from(template)));
    res
}

/// The parameters of a matched path, as the path segments they were read from.
pub trait PathParams {
    /// The raw values, in path order; `None` for a parameter whose segment is one of a
    /// few fixed words (an action), which may stay in the template.
    fn values(&self) -> Vec<Option<&str>>;
}

impl PathParams for () {
    fn values(&self) -> Vec<Option<&str>> {
        Vec::new()
    }
}

impl PathParams for String {
    fn values(&self) -> Vec<Option<&str>> {
        vec![Some(self.as_str())]
    }
}

pub trait PathValue {
    /// The value as read, or `None` when it is one of a few fixed words.
    fn path_value(&self) -> Option<&str>;
}

impl PathValue for String {
    fn path_value(&self) -> Option<&str> {
        Some(self.as_str())
    }
}

impl<A: PathValue, B: PathValue> PathParams for (A, B) {
    fn values(&self) -> Vec<Option<&str>> {
        vec![self.0.path_value(), self.1.path_value()]
    }
}

/// The template of `path` once `params` were read from it: each parameter's segment, left
/// to right, becomes `{}`. A value found in no segment (a path the template cannot be told
/// from) gives `None`, so that the caller labels it as unmatched rather than by its path.
pub fn template_of(path: &str, params: &[Option<&str>]) -> Option<String> {
    let mut wanted = params.iter().flatten().peekable();
    let mut out = Vec::new();
    for segment in path.split('/') {
        match wanted.peek() {
            Some(value) if segment == **value || percent_decoded(segment).as_deref() == Some(**value) => {
                out.push("{}");
                wanted.next();
            }
            _ => out.push(segment),
        }
    }
    wanted.peek().is_none().then(|| out.join("/"))
}

fn percent_decoded(segment: &str) -> Option<String> {
    segment
        .contains('%')
        .then(|| percent_encoding::percent_decode_str(segment).decode_utf8().ok().map(|s| s.into_owned()))
        .flatten()
}

pub fn pair<A: Send + 'static, B: Send + 'static>(
    path: impl Filter<Extract = (A, B), Error = warp::Rejection> + Clone + Send + Sync + 'static,
) -> BoxedFilter<((A, B),)> {
    path.map(|a, b| (a, b)).boxed()
}

/// A handler of a route without a body: `handler(state, request, parameters)`.
pub trait Handler<S: crate::core::State, P>: Fn(S, Request, P) -> Self::Answer + Clone + Send + Sync + 'static {
    type Answer: Future<Output = Result<Response, S::Error>> + Send + 'static;
}

impl<S: crate::core::State, P, F, Fut> Handler<S, P> for F
where
    F: Fn(S, Request, P) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Response, S::Error>> + Send + 'static,
{
    type Answer = Fut;
}

/// A handler of a route with a body: `handler(state, request, parameters, body)`.
pub trait BodyHandler<S: crate::core::State, P>:
    Fn(S, Request, P, Bytes) -> Self::Answer + Clone + Send + Sync + 'static
{
    type Answer: Future<Output = Result<Response, S::Error>> + Send + 'static;
}

impl<S: crate::core::State, P, F, Fut> BodyHandler<S, P> for F
where
    F: Fn(S, Request, P, Bytes) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Response, S::Error>> + Send + 'static,
{
    type Answer = Fut;
}

/// `GET path`.
pub fn get<S: crate::core::State, P: PathParams + Send + 'static>(
    path: impl Path<P>,
    state: &S,
    h: impl Handler<S, P>,
) -> Routed {
    no_body(warp::get().boxed(), path, state, h)
}

/// `DELETE path`.
pub fn delete<S: crate::core::State, P: PathParams + Send + 'static>(
    path: impl Path<P>,
    state: &S,
    h: impl Handler<S, P>,
) -> Routed {
    no_body(warp::delete().boxed(), path, state, h)
}

/// `POST path` with a body.
pub fn post<S: crate::core::State, P: PathParams + Send + 'static>(
    path: impl Path<P>,
    state: &S,
    h: impl BodyHandler<S, P>,
) -> Routed {
    with_body(warp::post().boxed(), path, state, h)
}

/// `PUT path` with a body.
pub fn put<S: crate::core::State, P: PathParams + Send + 'static>(
    path: impl Path<P>,
    state: &S,
    h: impl BodyHandler<S, P>,
) -> Routed {
    with_body(warp::put().boxed(), path, state, h)
}

/// `method path` without reading a body (a POST that must work without one, like a bare
/// `curl -X POST`), answered by `handler(state, request, parameters)`.
pub fn no_body<S: crate::core::State, P: PathParams + Send + 'static>(
    method: BoxedFilter<()>,
    path: impl Path<P>,
    state: &S,
    handler: impl Handler<S, P>,
) -> Routed {
    path.and(method)
        .and(request())
        .and(with_state(state.clone()))
        .then(move |param: P, req: Request, state: S| {
            let handler = handler.clone();
            let route = template_of(&req.path, &param.values());
            async move {
                let id = req.id.clone();
                state.core().auth.ready(req.authorization.as_deref()).await;
                labelled(finish_as(&id, handler(state, req, param).await), route)
            }
        })
        .boxed()
}

fn labelled(res: Response, route: Option<String>) -> Response {
    match route {
        Some(route) => answered_by(res, &route),
        None => res,
    }
}

fn with_body<S: crate::core::State, P: PathParams + Send + 'static>(
    method: BoxedFilter<()>,
    path: impl Path<P>,
    state: &S,
    handler: impl BodyHandler<S, P>,
) -> Routed {
    path.and(method)
        .and(request())
        .and(body())
        .and(with_state(state.clone()))
        .then(move |param: P, req: Request, raw: Bytes, state: S| {
            let handler = handler.clone();
            let route = template_of(&req.path, &param.values());
            async move {
                let id = req.id.clone();
                state.core().auth.ready(req.authorization.as_deref()).await;
                labelled(finish_as(&id, handler(state, req, param, raw).await), route)
            }
        })
        .boxed()
}

/// The first of `routes` whose method and path match. They are combined as a balanced
/// tree, so that a request passes through as few boxed filters as a route table allows.
pub fn any_of(routes: impl IntoIterator<Item = Routed>) -> Routed {
    balanced(routes.into_iter().collect())
}

fn balanced(mut routes: Vec<Routed>) -> Routed {
    if routes.len() <= 1 {
        return routes
            .pop()
            .unwrap_or_else(|| warp::any().and_then(|| async { Err(warp::reject::not_found()) }).boxed());
    }
    let second = routes.split_off(routes.len() / 2);
    balanced(routes).or(balanced(second)).unify().boxed()
}

/// The caller's principal, or a bare 401 problem in the service's error type.
pub fn authenticate<S: crate::core::State>(state: &S, req: &Request) -> Result<crate::auth::Principal, S::Error> {
    Ok(state.core().authenticate(req)?)
}

/// A UUID from a path segment; `what` names it in the 400 problem.
pub fn uuid_in_path(raw: &str, what: &str) -> Result<uuid::Uuid, Problem> {
    raw.parse().map_err(|_| Problem::bad_request(format!("Malformed {what} id: expected a UUID.")))
}

/// A word of a closed vocabulary from a client: the value, or a field error that lists
/// every word it may be. `pointer` names the field.
pub fn word<T: crate::vocab::Vocabulary>(raw: &str, pointer: &str) -> Result<T, FieldError> {
    T::parse(raw).ok_or_else(|| {
        let words: Vec<&str> = T::ALL.iter().map(|w| w.as_str()).collect();
        FieldError::new(pointer, format!("one of {}", words.join(", ")))
    })
}

/// Free text from a client, trimmed: not empty, at most `max` characters, no control
/// characters (line breaks and tabs allowed where `multiline`). `pointer` names the field.
pub fn bounded_text(raw: &str, pointer: &str, max: usize, multiline: bool) -> Result<String, FieldError> {
    let t = raw.trim();
    let control = |c: char| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'));
    if t.is_empty() {
        Err(FieldError::new(pointer, "must not be empty"))
    } else if t.chars().count() > max {
        Err(FieldError::new(pointer, format!("at most {max} characters")))
    } else if t.chars().any(control) {
        Err(FieldError::new(pointer, "must not contain control characters"))
    } else if t.chars().any(invisible_format) {
        Err(FieldError::new(pointer, "must not contain invisible formatting characters (such as direction overrides)"))
    } else {
        Ok(t.to_string())
    }
}

/// Unicode format characters that change how text around them is shown without being
/// seen: direction embeddings, overrides and isolates (which can make a name or a
/// complaint read like a verdict), marks, zero-width spaces and joiners, the byte order
/// mark. None is needed to write a name, an address or a complaint in the suite's languages.
fn invisible_format(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// Free text on one line ([`bounded_text`] without line breaks).
pub fn text(raw: &str, pointer: &str, max: usize) -> Result<String, FieldError> {
    bounded_text(raw, pointer, max, false)
}

/// The reason given for a change in a register, as its audit entry and events keep it:
/// at most 1000 characters, at `/reason`; it may run over several lines.
pub fn reason(raw: &str) -> Result<String, FieldError> {
    bounded_text(raw, "/reason", 1000, true)
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonIn {
    pub reason: String,
}

/// A body that may carry a reason and nothing else.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaybeReasonIn {
    #[serde(default)]
    pub reason: Option<String>,
}

impl MaybeReasonIn {
    /// The reason, checked as [`reason`], if one was given.
    pub fn checked(&self) -> Result<Option<String>, FieldError> {
        self.reason.as_deref().map(reason).transpose()
    }
}

/// An image that never changes for its URL (a seal's QR code).
pub fn immutable_image(bytes: Vec<u8>, media_type: &'static str) -> Response {
    let mut res = Response::new(bytes.into());
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400, immutable"));
    res
}

/// A public read that any web page may make (CORS): verifying a seal, the hirer check, the
/// trust list, the yearly report. Never for a write: a browser on another site cannot act
/// for its visitor here. The headers a reader needs are exposed.
pub fn readable_anywhere(mut res: Response) -> Response {
    let headers = res.headers_mut();
    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    headers.insert("access-control-expose-headers", HeaderValue::from_static("API-Version, Zegel-Seal, ETag"));
    res
}

/// `Cache-Control: no-store`, for answers that must never be served stale.
pub fn no_store(mut res: Response) -> Response {
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// A `303 See Other` to `location`, never stored: where a browser's form post lands.
pub fn see_other(location: &str) -> Response {
    let mut res = Response::new(Default::default());
    *res.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    no_store(res)
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, SocketAddr};

    use warp::http::Method;

    use super::*;
    use crate::request::{cross_site, forwarded_hops};

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields exist to be parsed")]
    struct Body {
        name: String,
        items: Vec<u8>,
    }

    fn req(ct: Option<&str>) -> Request {
        Request {
            cookie: None,
            id: "r".into(),
            method: Method::POST,
            path: "/".into(),
            authorization: None,
            idempotency_key: None,
            content_type: ct.map(str::to_string),
            accept_language: None,
            remote: None,
            forwarded: None,
            query: String::new(),
            cross_site: false,
        }
    }

    #[test]
    fn a_browser_says_when_another_site_sent_it() {
        let of = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, HeaderValue::from_static(v));
            }
            cross_site(&h)
        };
        assert!(of(&[("sec-fetch-site", "cross-site")]));
        assert!(!of(&[("sec-fetch-site", "same-origin"), ("origin", "https://evil.example")]), "fetch metadata rules");
        assert!(!of(&[("sec-fetch-site", "none")]), "typed in the address bar");
        assert!(of(&[("origin", "https://evil.example"), ("host", "check.zegel.nl")]));
        assert!(!of(&[("origin", "https://check.zegel.nl"), ("host", "check.zegel.nl")]));
        assert!(of(&[("origin", "null"), ("host", "check.zegel.nl")]), "a sandboxed frame");
        assert!(!of(&[]), "no browser");
    }

    #[test]
    fn the_client_is_the_peer_unless_a_trusted_proxy_names_it() {
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap(), "2001:db8:ffff::/48".parse().unwrap()];
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        let cases: [(&str, Option<&str>, &str, &str); 9] = [
            ("192.0.2.7", None, "192.0.2.7", "no proxy"),
            ("192.0.2.7", Some("198.51.100.1"), "192.0.2.7", "an untrusted peer's header is ignored"),
            ("10.0.0.2", Some("198.51.100.1"), "198.51.100.1", "a trusted proxy names the client"),
            ("10.0.0.2", Some("203.0.113.9, 198.51.100.1, 10.0.0.3"), "198.51.100.1", "the nearest untrusted hop"),
            ("10.0.0.2", None, "10.0.0.2", "a trusted proxy that names no one"),
            ("10.0.0.2", Some("not-an-address"), "10.0.0.2", "an unreadable hop"),
            ("10.0.0.2", Some("[2001:db8:1:2:3:4:5:6]:4711"), "2001:db8:1:2::", "IPv6 per /64, from Forwarded"),
            ("2001:db8:1:2:aaaa::1", None, "2001:db8:1:2::", "two addresses of one /64 are one client"),
            ("::ffff:192.0.2.7", None, "192.0.2.7", "an IPv4-mapped peer is its IPv4 address"),
        ];
        for (peer, hops, client, case) in cases {
            assert_eq!(client_key(ip(peer), hops, &trusted), ip(client), "{case}");
        }
        assert_eq!(client_key(None, Some("198.51.100.1"), &trusted), None, "no peer, no key");
        let mut headers = HeaderMap::new();
        headers.insert("forwarded", HeaderValue::from_static("for=192.0.2.60;proto=http, for=\"[2001:db8::1]:4711\""));
        assert_eq!(forwarded_hops(&headers).as_deref(), Some("192.0.2.60,[2001:db8::1]:4711"));
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9, 198.51.100.1"));
        assert_eq!(forwarded_hops(&headers).as_deref(), Some("203.0.113.9, 198.51.100.1"));
    }

    #[test]
    fn behind_a_trusted_proxy_each_client_has_its_own_bucket() {
        let limiter = PublicLimiter::per_minute(1).behind(Arc::new(vec!["10.0.0.0/8".parse().unwrap()]));
        let via = |client: &str| Request {
            remote: Some(SocketAddr::new("10.0.0.2".parse().unwrap(), 1)),
            forwarded: Some(client.to_string()),
            ..req(None)
        };
        assert!(limiter.check(&via("192.0.2.1")).is_ok());
        assert!(limiter.check(&via("192.0.2.2")).is_ok(), "another client through the same proxy");
        assert!(limiter.check(&via("192.0.2.1")).is_err(), "the first one again");
    }

    #[test]
    fn a_limiter_remembers_an_address_until_it_has_been_quiet() {
        let limiter = PublicLimiter::per_minute(600_000);
        let from = |ip: &str| Request { remote: Some(SocketAddr::new(ip.parse().unwrap(), 1)), ..req(None) };
        assert!(limiter.check(&from("192.0.2.1")).is_ok() && limiter.check(&from("192.0.2.2")).is_ok());
        assert!(limiter.check(&req(None)).is_ok(), "no address, nothing to remember");
        assert_eq!(limiter.remembered(), 2);
        std::thread::sleep(std::time::Duration::from_millis(20));
        limiter.forget_quiet();
        assert_eq!(limiter.remembered(), 0);
    }

    #[test]
    fn a_route_template_replaces_the_parameters_segments_and_nothing_else() {
        let id = "12345678".to_string();
        assert_eq!(
            template_of("/api/v1/agencies/12345678/check", &id.values()).as_deref(),
            Some("/api/v1/agencies/{}/check")
        );
        let pair = ("0192f1a4".to_string(), "g account".to_string());
        assert_eq!(
            template_of("/api/v1/certificates/0192f1a4/requirements/g%20account", &pair.values()).as_deref(),
            Some("/api/v1/certificates/{}/requirements/{}"),
            "a percent-encoded segment is found by its decoded value"
        );
        assert_eq!(template_of("/check", &().values()).as_deref(), Some("/check"));
        assert_eq!(template_of("/v/x", &"y".to_string().values()), None, "a value in no segment: no template");
        // A fixed word stays in the template (four actions are four series, not one per request).
        assert_eq!(template_of("/a/1/block", &[Some("1"), None]).as_deref(), Some("/a/{}/block"));
    }

    #[test]
    fn a_bulk_request_is_charged_per_item() {
        let limiter = PublicLimiter::per_minute(10);
        let from = |ip: &str| Request { remote: Some(SocketAddr::new(ip.parse().unwrap(), 1)), ..req(None) };
        assert!(limiter.charge(&from("192.0.2.1"), 8).is_ok());
        assert_eq!(limiter.charge(&from("192.0.2.1"), 3).unwrap_err().status, 429, "8 + 3 is over 10");
        assert!(limiter.charge(&from("192.0.2.1"), 2).is_ok(), "8 + 2 is not");
        assert!(limiter.check(&from("192.0.2.1")).is_err(), "the single requests share the count");
        assert_eq!(limiter.charge(&from("192.0.2.2"), 11).unwrap_err().status, 429, "more than a whole burst");
    }

    const INVISIBLE: &str = "must not contain invisible formatting characters (such as direction overrides)";

    #[test]
    fn free_text_is_trimmed_and_bounded_with_a_reason_per_fault() {
        assert_eq!(text("  ok ", "/r", 5).unwrap(), "ok");
        assert_eq!(text("Łódź Ștefan", "/r", 20).unwrap(), "Łódź Ștefan", "letters of the suite's languages pass");
        assert_eq!(bounded_text("a\nb", "/r", 5, true).unwrap(), "a\nb");
        let cases = [
            ("   ", false, "must not be empty", "only spaces"),
            ("toolong", false, "at most 5 characters", "too long"),
            ("a\u{0}b", true, "must not contain control characters", "a NUL even where multiline"),
            ("a\nb", false, "must not contain control characters", "a line break on one line"),
            ("a\u{202E}b", true, INVISIBLE, "a right-to-left override"),
            ("a\u{2067}b", true, INVISIBLE, "a right-to-left isolate"),
            ("a\u{200B}b", false, INVISIBLE, "a zero-width space"),
            ("\u{FEFF}ab", false, INVISIBLE, "a byte order mark"),
        ];
        for (raw, multiline, reason, case) in cases {
            let e = bounded_text(raw, "/r", 5, multiline).unwrap_err();
            assert_eq!((e.pointer.as_str(), e.detail.as_str()), ("/r", reason), "{case}");
        }
    }

    #[test]
    fn bodies_are_parsed_with_the_right_problem_for_each_fault() {
        let json = Some("application/json; charset=utf-8");
        assert!(parse_json::<Body>(&req(json), br#"{"name":"a","items":[1]}"#).is_ok());
        let cases: [(Option<&str>, &[u8], u16, &str); 6] = [
            (None, br#"{"name":"a","items":[]}"#, 415, "no content type"),
            (Some("text/plain"), br#"{"name":"a","items":[]}"#, 415, "text"),
            (json, b"{", 400, "truncated"),
            (json, br#"{"name":"a","items":[]} x"#, 400, "trailing"),
            (json, br#"{"name":"a","items":[300]}"#, 422, "out of range"),
            (json, br#"{"name":"a","items":[],"x":1}"#, 422, "unknown field"),
        ];
        for (ct, body, status, case) in cases {
            assert_eq!(parse_json::<Body>(&req(ct), body).unwrap_err().status, status, "{case}");
        }
        let p = parse_json::<Body>(&req(json), br#"{"name":"a","items":[1,"x"]}"#).unwrap_err();
        assert_eq!(p.errors[0].pointer, "/items/1");
    }
}
