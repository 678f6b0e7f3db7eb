//! The server skeleton: operational endpoints, the filter stack around a service's API,
//! binding on a chosen (or random) port, and graceful shutdown.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use deadpool_postgres::Pool;
use futures::future::BoxFuture;
use tokio::net::TcpListener;
use tokio::sync::watch;
use warp::Filter;
use warp::http::{HeaderValue, Method, StatusCode, header};
use warp::reply::{Reply, Response};

use crate::bus::Bus;
use crate::http::{RouteTemplate, answered_by};
use crate::problem::recover;
use crate::telemetry::{Metrics, UNMATCHED};

/// `/healthz` and `/readyz`, on both ports (the public one for load balancers, the
/// internal one for the orchestrator's probes).
pub fn health(pool: Pool, bus: Bus) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let healthz = warp::path!("healthz")
        .and(warp::get())
        .map(|| answered_by(crate::http::json(StatusCode::OK, &serde_json::json!({ "status": "ok" })), "/healthz"));
    let readyz = warp::path!("readyz").and(warp::get()).then(move || {
        let pool = pool.clone();
        let bus = bus.clone();
        async move { answered_by(readiness(&pool, &bus).await, "/readyz") }
    });
    healthz.or(readyz).unify()
}

/// `GET /api/v1/openapi.json`: the service's OpenAPI document (kept as YAML in openapi/,
/// built into the binary), as JSON, readable from any origin. A document that does not
/// parse is a 500 here — and a failing test long before (`the_documents_parse_…`).
pub fn document(yaml: &'static str) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let json: Option<std::sync::Arc<String>> = serde_yaml_ng::from_str::<serde_json::Value>(yaml)
        .ok()
        .and_then(|doc| serde_json::to_string(&doc).ok())
        .map(std::sync::Arc::new);
    warp::path!("api" / "v1" / "openapi.json").and(warp::get()).map(move || {
        let mut res = match &json {
            Some(body) => {
                let mut res = Response::new(body.as_str().to_owned().into());
                res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
                res
            }
            None => crate::problem::Problem::internal().into_response(),
        };
        res.headers_mut().insert("access-control-allow-origin", HeaderValue::from_static("*"));
        answered_by(res, "/api/v1/openapi.json")
    })
}

/// The CORS preflight a browser sends before a cross-site read that carries a header of its
/// own (`If-None-Match` for the trust list, say). Answered 204 for the operations the
/// service's document marks `x-zegel-cors: any-origin` (the public reads, and the document
/// itself) — the document is the one list, and a test holds the code's answers to it. Any
/// other preflight finds no route: the browser never sends the write that would follow.
pub fn preflight(yaml: &'static str) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let templates: std::sync::Arc<Vec<Vec<String>>> = std::sync::Arc::new(cross_site_reads(yaml));
    // The method is read, not filtered: a `warp::options()` refusal would turn every
    // unknown path into a 405 instead of a 404.
    warp::method().and(warp::path::full()).and_then(move |method: Method, path: warp::path::FullPath| {
        let templates = templates.clone();
        async move {
            if method != Method::OPTIONS {
                return Err(warp::reject::not_found());
            }
            let segments: Vec<&str> = path.as_str().split('/').collect();
            let matches = |template: &Vec<String>| {
                template.len() == segments.len()
                    && template.iter().zip(&segments).all(|(t, s)| (t.starts_with('{') && !s.is_empty()) || t == s)
            };
            match templates.iter().find(|t| matches(t)) {
                Some(template) => {
                    let mut res = Response::new(Default::default());
                    *res.status_mut() = warp::http::StatusCode::NO_CONTENT;
                    let headers = res.headers_mut();
                    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
                    headers.insert("access-control-allow-methods", HeaderValue::from_static("GET, HEAD"));
                    headers.insert(
                        "access-control-allow-headers",
                        HeaderValue::from_static("Accept, Accept-Language, If-None-Match"),
                    );
                    headers.insert("access-control-max-age", HeaderValue::from_static("86400"));
                    Ok(answered_by(res, &template.join("/")))
                }
                None => Err(warp::reject::not_found()),
            }
        }
    })
}

/// The path templates (split at `/`) whose GET the document marks readable from any origin.
pub fn cross_site_reads(yaml: &str) -> Vec<Vec<String>> {
    let doc: serde_json::Value = serde_yaml_ng::from_str(yaml).unwrap_or_default();
    doc["paths"]
        .as_object()
        .map(|paths| {
            paths
                .iter()
                .filter(|(_, item)| item["get"]["x-zegel-cors"] == "any-origin")
                .map(|(path, _)| path.split('/').map(str::to_string).collect())
                .collect()
        })
        .unwrap_or_default()
}

/// `/metrics`: on the internal port only, which no public ingress exposes. The outbox's
/// and the consumer groups' backlogs are read for each scrape.
pub fn metrics(
    metrics: Metrics,
    pool: Pool,
    bus: Bus,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    warp::path!("metrics").and(warp::get()).then(move || {
        let (metrics, pool, bus) = (metrics.clone(), pool.clone(), bus.clone());
        async move {
            metrics.refresh(&pool, &bus).await;
            let mut res = Response::new(metrics.render().into());
            res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
            answered_by(res, "/metrics")
        }
    })
}

/// Readiness is the pod's own: a process that answers here can serve, so it stays in
/// service. What it depends on is reported, not obeyed: while Postgres is away every
/// replica answers a request that needs it with 503 `unavailable` (a problem document the
/// client can act on), where taking every pod out of service at once (one failover would
/// do it) leaves the gateway answering with no document at all.
async fn readiness(pool: &Pool, bus: &Bus) -> Response {
    let postgres = match tokio::time::timeout(Duration::from_secs(2), async {
        let client = pool.get().await.map_err(|e| e.to_string())?;
        client.simple_query("select 1").await.map_err(|e| e.to_string())
    })
    .await
    {
        Ok(Ok(_)) => "ok",
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: postgres unavailable");
            "unavailable"
        }
        Err(_) => "unavailable",
    };
    let redis = match tokio::time::timeout(Duration::from_secs(2), bus.ping()).await {
        Ok(Ok(())) => "ok",
        _ => "unavailable",
    };
    crate::http::json(StatusCode::OK, &serde_json::json!({ "postgres": postgres, "redis": redis }))
}

/// Wraps a service's API and ops routes in the one `recover`, metrics, logs and a span.
/// Metrics, the access log and the span name a request by the template of the route that
/// answered it ([`RouteTemplate`]), or `unmatched`; the span continues the caller's trace
/// (`traceparent`) and carries no path, so no id in one reaches the trace collector.
pub fn stack<F>(
    service: &'static str,
    routes: F,
    metrics: Metrics,
) -> impl Filter<Extract = (impl Reply,), Error = std::convert::Infallible> + Clone + Send + Sync + 'static
where
    F: Filter<Extract = (Response,), Error = warp::Rejection> + Clone + Send + Sync + 'static,
{
    warp::any()
        .map(Instant::now)
        .and(warp::method())
        .and(has_token())
        .and(routes.recover(recover).unify())
        .map(move |started: Instant, method: Method, has_token: bool, res: Response| {
            let elapsed = started.elapsed();
            let route = res.extensions().get::<RouteTemplate>().map(|r| r.0.clone());
            let route = route.as_deref().unwrap_or(UNMATCHED);
            metrics.observe(method.as_str(), route, res.status().as_u16(), elapsed);
            // The id the answer carries (the caller's, when well-formed); none for an answer
            // that bypassed the handlers' tagging.
            let request_id = res.headers().get(crate::http::REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            name_span(&method, route, res.status().as_u16());
            tracing::info!(
                request_id,
                http.method = %method,
                http.route = route,
                http.status = res.status().as_u16(),
                duration_ms = elapsed.as_secs_f64() * 1000.0,
                "request"
            );
            let mut res = res;
            // NL API Design Rules: every answer names the full version of the API.
            res.headers_mut().insert("api-version", HeaderValue::from_static(crate::http::API_VERSION));
            // Every answer carries the security headers, warp's own 404/405/411/413 too; an
            // answer to a caller with a token, and every error, is never stored by a cache
            // (issue 32: certificate details, audit trails, bans, the access log).
            crate::http::secure(&mut res);
            let personal = has_token || res.status().as_u16() >= 400;
            if personal && !res.headers().contains_key(warp::http::header::CACHE_CONTROL) {
                res.headers_mut().insert(warp::http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            }
            res
        })
        .with(warp::trace(move |info: warp::trace::Info| request_span(service, &info)))
}

/// The request's span, once the route is known: its name (only where traces are exported,
/// so a scan pays no formatting for it otherwise), route and status.
fn name_span(method: &Method, route: &str, status: u16) {
    use opentelemetry::trace::TraceContextExt;
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    let span = tracing::Span::current();
    if span.is_disabled() {
        return;
    }
    let context = span.context();
    let exported = context.span();
    if exported.span_context().is_valid() {
        exported.update_name(format!("{method} {route}"));
    }
    span.record("http.route", route);
    span.record("http.response.status_code", status);
    if status >= 500 {
        span.record("otel.status_code", "error");
    }
}

/// Whether the request carries an `Authorization` header, without copying the request's
/// headers (every scan passes here). One that is not text counts as a token too.
fn has_token() -> impl Filter<Extract = (bool,), Error = std::convert::Infallible> + Clone {
    warp::header::optional::<String>("authorization")
        .map(|h: Option<String>| h.is_some())
        .or(warp::any().map(|| true))
        .unify()
}

/// The span of one request: named once the route is known (`GET /v/{}`), with the service
/// and the outcome; a child of the caller's span when it sent a `traceparent`.
fn request_span(service: &'static str, info: &warp::trace::Info) -> tracing::Span {
    use tracing::field::Empty;
    let span = tracing::info_span!(
        "request",
        otel.kind = "server",
        otel.status_code = Empty,
        zegel.service = service,
        http.request.method = %info.method(),
        http.route = Empty,
        http.response.status_code = Empty,
    );
    if let Some(parent) = crate::trace::parent_from(info.request_headers()) {
        use tracing_opentelemetry::OpenTelemetrySpanExt;
        // Fails only when traces are off: the logs keep the span, nothing to continue.
        let _ = span.set_parent(parent);
    }
    span
}

/// Asks a running server and its background tasks to stop.
#[derive(Debug, Clone)]
pub struct Shutdown {
    tx: watch::Sender<bool>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self { tx: watch::channel(false).0 }
    }
}

impl Shutdown {
    pub fn trigger(&self) {
        let _ = self.tx.send(true);
    }

    pub fn wait(&self) -> BoxFuture<'static, ()> {
        let mut rx = self.tx.subscribe();
        Box::pin(async move {
            let _ = rx.wait_for(|stop| *stop).await;
        })
    }
}

pub async fn termination_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => futures::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = futures::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Binds `addr` (port 0 picks a free port).
pub async fn bind(addr: SocketAddr) -> std::io::Result<(TcpListener, u16)> {
    let listener = TcpListener::bind(addr).await?;
    let port = listener.local_addr()?.port();
    Ok((listener, port))
}

/// hyper's own limits, far above ours ([`crate::http::MAX_HEADERS`]): below them a
/// request with too many headers reaches us and gets our 431; hyper's bare 431 (no body, no
/// headers to speak of) is left for what no client sends.
const HYPER_MAX_HEADERS: usize = 1000;
const HYPER_MAX_BUF: usize = 1024 * 1024;

/// Serves `filter` on `listener` until `shutdown` fires, then finishes requests in flight.
/// warp's server loop, with two things of ours: each request carries its peer's address
/// ([`crate::http::Peer`]), and headers over our limits are answered by us.
pub async fn serve<F, R>(filter: F, listener: TcpListener, shutdown: Shutdown)
where
    F: Filter<Extract = (R,), Error = std::convert::Infallible> + Clone + Send + Sync + 'static,
    R: Reply,
{
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut stop = std::pin::pin!(shutdown.wait());
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let service = warp::service(filter.clone());
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                let mut service = service.clone();
                let too_large = crate::http::headers_too_large(req.headers());
                req.extensions_mut().insert(crate::http::Peer(peer));
                async move {
                    match too_large {
                        Some(res) => Ok(res),
                        None => tower_service::Service::call(&mut service, req).await,
                    }
                }
            });
            let mut builder = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
            builder.http1().max_headers(HYPER_MAX_HEADERS).max_buf_size(HYPER_MAX_BUF);
            let conn = builder.serve_connection_with_upgrades(hyper_util::rt::TokioIo::new(stream), service);
            if let Err(e) = watcher.watch(conn).await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// An accept that failed: a connection that went away is nothing; anything else (out of
/// file descriptors) is logged and waited out, as hyper's own server did.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(e.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset) {
        return;
    }
    tracing::error!(error = %e, "accept failed; waiting a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// The two listeners of a service: the public API and the internal operations port.
#[derive(Debug)]
pub struct Listeners {
    /// The API, `/healthz` and `/readyz`.
    pub public: TcpListener,
    /// `/metrics`, `/healthz` and `/readyz`.
    pub internal: TcpListener,
}

/// Serves a service's API with `/healthz` and `/readyz` on the public listener, and
/// `/metrics` with the same probes on the internal one, inside the shared stack, until
/// `shutdown` fires or the process gets SIGINT/SIGTERM.
pub async fn run(
    service: &'static str,
    api: warp::filters::BoxedFilter<(Response,)>,
    pool: Pool,
    bus: Bus,
    metrics: Metrics,
    listeners: Listeners,
    shutdown: Shutdown,
) {
    let signal = shutdown.clone();
    tokio::spawn(async move {
        termination_signal().await;
        signal.trigger();
    });
    let port = listeners.public.local_addr().map(|a| a.port()).unwrap_or_default();
    let internal_port = listeners.internal.local_addr().map(|a| a.port()).unwrap_or_default();
    let public = api.or(health(pool.clone(), bus.clone())).unify();
    let internal = self::metrics(metrics.clone(), pool.clone(), bus.clone()).or(health(pool, bus)).unify();
    tracing::info!(service, port, internal_port, "listening");
    tokio::join!(
        serve(stack(service, public, metrics.clone()), listeners.public, shutdown.clone()),
        serve(stack(service, internal, metrics), listeners.internal, shutdown),
    );
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn the_documents_parse_and_carry_one_version_a_contact_and_a_licence() {
        for name in ["bans", "certificates", "deposits", "gaccounts", "housing", "lookup", "notifier"] {
            let path = format!("{}/../../openapi/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let doc: serde_json::Value = serde_yaml_ng::from_str(&text).unwrap_or_default();
            assert_eq!(doc["info"]["version"], crate::http::API_VERSION, "{name}");
            assert!(doc["info"]["contact"]["email"].is_string(), "{name}: contact");
            assert_eq!(doc["info"]["license"]["identifier"], "EUPL-1.2", "{name}: licence");
            assert!(doc["paths"]["/api/v1/openapi.json"]["get"].is_object(), "{name}: publishes itself");
        }
    }

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_request_is_one_log_line_with_its_trace_and_no_path() {
        use tracing_subscriber::Layer as _;
        use tracing_subscriber::layer::SubscriberExt as _;
        let lines = Lines::default();
        let writer = lines.clone();
        // The layers a service installs, with traces off: the ids are there all the same.
        let (spans, exporter) = crate::trace::layer(None).expect("the trace layer");
        assert!(!exporter.is_on());
        let logs = crate::telemetry::log_layer_to(crate::config::LogFormat::Json, move || writer.clone())
            .with_filter(crate::telemetry::log_filter(None));
        let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(logs).with(spans));
        let routes =
            warp::path!("hello" / String).and(crate::http::request()).map(|_: String, req: crate::http::Request| {
                tracing::info!("inside the handler");
                crate::http::respond(&req, Ok(crate::http::json(StatusCode::OK, &serde_json::json!({}))))
            });
        let stack = stack("test", routes.boxed(), Metrics::new());
        const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
        let given = warp::test::request()
            .path("/hello/eyJhbGciOiJFZERTQSJ9.secret-seal")
            .header("x-request-id", "abc-123")
            .header("traceparent", format!("00-{TRACE}-00f067aa0ba902b7-01"))
            .reply(&stack)
            .await;
        assert_eq!(given.headers()["x-request-id"], "abc-123");
        let fresh = warp::test::request().path("/hello/another-seal").reply(&stack).await;
        let minted = fresh.headers()["x-request-id"].to_str().expect("ascii").to_string();

        let text = String::from_utf8(lines.0.lock().expect("lock").clone()).expect("utf-8");
        let logged: Vec<serde_json::Value> =
            text.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
        // Two requests: each its handler's line and its one access line, nothing of warp's.
        assert_eq!(logged.len(), 4, "{text}");
        let access: Vec<&serde_json::Value> = logged.iter().filter(|v| v["message"] == "request").collect();
        assert_eq!(access.len(), 2, "{text}");
        assert_eq!(access[0]["request_id"], "abc-123");
        assert_eq!(access[1]["request_id"], minted.as_str());
        // The caller's trace continues; a request without one starts its own.
        assert_eq!(access[0]["trace_id"], TRACE);
        let hex = |v: &serde_json::Value, n: usize| {
            v.as_str().is_some_and(|s| {
                s.len() == n && s.chars().all(|c| c.is_ascii_hexdigit()) && s.chars().any(|c| c != '0')
            })
        };
        for line in &logged {
            assert!(hex(&line["trace_id"], 32) && hex(&line["span_id"], 16), "every line names its trace: {line}");
        }
        assert_ne!(access[0]["span_id"], "00f067aa0ba902b7", "the service's own span, a child of the caller's");
        assert_ne!(access[1]["trace_id"], TRACE);
        // The handler's line is in the same span as the request's.
        assert_eq!(logged[0]["span_id"], access[0]["span_id"]);
        // The route's template only: no seal, no path.
        assert!(!text.contains("seal") && !text.contains("/hello"), "{text}");
        assert_eq!(access[0]["http.route"], UNMATCHED);
    }
}
