//! Logs and metrics (traces: [`crate::trace`]).
//!
//! Logs go through `tracing`: JSON lines when stdout is not a terminal (or when asked),
//! readable lines otherwise. Metrics are Prometheus counters and histograms per service,
//! labelled by route template rather than raw path, so ids do not explode the series.
//!
//! Besides requests, what an operator watches: the outbox's backlog and the age of its
//! oldest unpublished event, each consumer group's pending and undelivered entries (both
//! read when scraped, so never stale), background task runs by outcome, dead-lettered
//! events, and what a service counts of its own (webhook deliveries, verdicts).

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus::{
    Encoder, Gauge, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer as _;

use crate::config::LogFormat;
use crate::trace::{Export, Exporter, TraceError};

/// One series of a [`Counter`], resolved once.
pub use prometheus::IntCounter;
/// The counter type services count their own outcomes in (see [`Metrics::counter`]).
pub use prometheus::IntCounterVec as Counter;

/// Installs the global subscriber once, logging in `format`; later calls do nothing.
pub fn init(format: LogFormat) {
    let _ = install(format, None);
}

/// Installs the global subscriber once: logs in `format` (filtered by `RUST_LOG`, `info`
/// by default), and the suite's spans to a collector when `export` names one (see
/// [`crate::trace`]). A later call installs nothing and exports nothing.
pub fn install(format: LogFormat, export: Option<&Export>) -> Result<Exporter, TraceError> {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;

    let logs = log_layer(format).with_filter(log_filter(std::env::var("RUST_LOG").ok().as_deref()));
    // The log filter is the logs' own: spans reach the trace layer whatever RUST_LOG says.
    let (spans, exporter) = crate::trace::layer(export)?;
    match tracing_subscriber::registry().with(logs).with(spans).try_init() {
        Ok(()) => Ok(exporter),
        Err(_) => Ok(Exporter::default()),
    }
}

/// The logs as lines in `format` on stdout, each naming the trace and span it belongs to.
fn log_layer<S>(format: LogFormat) -> Box<dyn tracing_subscriber::Layer<S> + Send + Sync>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    log_layer_to(format, std::io::stdout)
}

/// [`log_layer`] writing to `writer` (tests read what it writes).
pub fn log_layer_to<S, W>(format: LogFormat, writer: W) -> Box<dyn tracing_subscriber::Layer<S> + Send + Sync>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let json = match format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stdout().is_terminal(),
    };
    if json {
        // The request's span is named by its fields (method, route, status); the list of
        // every enclosing span would repeat them.
        let inner = tracing_subscriber::fmt::format().json().flatten_event(true).with_span_list(false);
        tracing_subscriber::fmt::layer()
            .with_writer(writer)
            .fmt_fields(tracing_subscriber::fmt::format::JsonFields::new())
            .event_format(Traced { inner, json: true })
            .boxed()
    } else {
        tracing_subscriber::fmt::layer()
            .with_writer(writer)
            .event_format(Traced { inner: tracing_subscriber::fmt::format(), json: false })
            .boxed()
    }
}

/// What is logged: `RUST_LOG`, `info` without it. warp's own lines about each request
/// ("processing request", "finished processing") stay out unless `RUST_LOG` names warp:
/// the access log's one line per request says it all.
pub fn log_filter(rust_log: Option<&str>) -> EnvFilter {
    let mut filter = rust_log.and_then(|v| EnvFilter::try_new(v).ok()).unwrap_or_else(|| EnvFilter::new("info"));
    if !rust_log.is_some_and(|v| v.contains("warp")) {
        filter = filter
            .add_directive("warp::filters::trace=warn".parse().unwrap_or_else(|_| unreachable!("a literal directive")));
    }
    filter
}

/// A log line in `inner`'s format with the `trace_id` and `span_id` of the span it was
/// written in (the innermost with ids, see [`crate::trace::layer`]): first in a JSON
/// object, a prefix of a readable line.
struct Traced<F> {
    inner: F,
    json: bool,
}

impl<S, N, F> tracing_subscriber::fmt::FormatEvent<S, N> for Traced<F>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    N: for<'a> tracing_subscriber::fmt::FormatFields<'a> + 'static,
    F: tracing_subscriber::fmt::FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &tracing_subscriber::fmt::FmtContext<'_, S, N>,
        mut writer: tracing_subscriber::fmt::format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let Some((trace_id, span_id)) = crate::trace::ids_of(ctx.lookup_current()) else {
            return self.inner.format_event(ctx, writer, event);
        };
        if !self.json {
            write!(writer, "trace_id={trace_id} span_id={span_id} ")?;
            return self.inner.format_event(ctx, writer, event);
        }
        let mut line = String::new();
        self.inner.format_event(ctx, tracing_subscriber::fmt::format::Writer::new(&mut line), event)?;
        match line.strip_prefix('{') {
            // Hex digits only: nothing to escape.
            Some(rest) => write!(writer, "{{\"trace_id\":\"{trace_id}\",\"span_id\":\"{span_id}\",{rest}"),
            None => writer.write_str(&line),
        }
    }
}

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    events_dead: IntCounter,
    outbox_unpublished: IntGauge,
    outbox_oldest: Gauge,
    consumer_pending: IntGaugeVec,
    consumer_lag: IntGaugeVec,
    task_runs: IntCounterVec,
    key_not_after: IntGaugeVec,
    trust_list_not_after: IntGauge,
    pool_connections: IntGaugeVec,
    pool_max: IntGauge,
    pool_waiting: IntGauge,
    /// The process's own (CPU, memory, open files, threads), under their standard names.
    process: Registry,
    /// The consumer groups of this service, whose backlog a scrape reads.
    groups: Arc<Mutex<BTreeSet<String>>>,
}

/// A metric definition known to be valid (names and labels are literals).
fn defined<T>(metric: prometheus::Result<T>) -> T {
    metric.unwrap_or_else(|_| unreachable!("static metric definition"))
}

/// A metric definition known to be valid (names and labels are literals), registered in
/// `registry` (a name is registered once: `Metrics::new` makes a fresh registry).
fn registered<T: prometheus::core::Collector + Clone + 'static>(
    registry: &Registry,
    metric: prometheus::Result<T>,
) -> T {
    let metric = defined(metric);
    let _ = registry.register(Box::new(metric.clone()));
    metric
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

type Described = (&'static str, &'static str);
const REQUESTS: Described = ("http_requests_total", "HTTP requests by route, method and status");
const LATENCY: Described = ("http_request_duration_seconds", "HTTP request latency by route and method");
const LATENCY_BUCKETS: [f64; 11] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];
const EVENTS_DEAD: Described = (
    "events_dead_lettered_total",
    "Events this service refused to act on (unverifiable), moved to the dead letter stream",
);
const OUTBOX_UNPUBLISHED: Described = ("outbox_unpublished", "Events in the outbox not yet published on the stream");
const OUTBOX_OLDEST: Described = (
    "outbox_oldest_unpublished_seconds",
    "Age of the oldest event not yet published on the stream (0 when none waits)",
);
const CONSUMER_PENDING: Described = ("consumer_pending", "Entries read by the consumer group and not yet acknowledged");
const CONSUMER_LAG: Described = ("consumer_lag", "Entries on the stream not yet delivered to the consumer group");
const TASK_RUNS: Described = ("task_runs_total", "Rounds of periodic tasks (sweeps, purges) by outcome");
const KEY_NOT_AFTER: Described =
    ("key_not_after_seconds", "When a signing certificate this service uses ends (seconds since the epoch)");
const TRUST_LIST_NOT_AFTER: Described = (
    "trust_list_not_after_seconds",
    "When the trust list this service verifies seals against ends (seconds since the epoch)",
);
const POOL_CONNECTIONS: Described = ("db_pool_connections", "Connections of the database pool by state (idle, in_use)");
const POOL_MAX: Described = ("db_pool_max_connections", "The most connections the database pool opens");
const POOL_WAITING: Described = ("db_pool_waiting", "Requests waiting for a connection of the database pool");

fn gauge(registry: &Registry, (name, help): Described) -> IntGauge {
    registered(registry, IntGauge::new(name, help))
}

fn gauge_vec(registry: &Registry, (name, help): Described, labels: &[&str]) -> IntGaugeVec {
    registered(registry, IntGaugeVec::new(Opts::new(name, help), labels))
}

fn counter_vec(registry: &Registry, (name, help): Described, labels: &[&str]) -> IntCounterVec {
    registered(registry, IntCounterVec::new(Opts::new(name, help), labels))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Fresh metrics. No constant label names the service: Prometheus labels every series
    /// with the target it scraped (`service`, `pod`, `namespace`), and a second, constant
    /// `service` label would clash with that one.
    pub fn new() -> Self {
        let registry = Registry::new_custom(Some("zegel".into()), None).unwrap_or_default();
        let process = Registry::new();
        #[cfg(target_os = "linux")]
        let _ = process.register(Box::new(prometheus::process_collector::ProcessCollector::for_self()));
        let r = &registry;
        let latency = HistogramOpts::new(LATENCY.0, LATENCY.1).buckets(LATENCY_BUCKETS.to_vec());
        Self {
            requests: counter_vec(r, REQUESTS, &["route", "method", "status"]),
            latency: registered(r, HistogramVec::new(latency, &["route", "method"])),
            events_dead: registered(r, IntCounter::new(EVENTS_DEAD.0, EVENTS_DEAD.1)),
            outbox_unpublished: gauge(r, OUTBOX_UNPUBLISHED),
            outbox_oldest: registered(r, Gauge::new(OUTBOX_OLDEST.0, OUTBOX_OLDEST.1)),
            consumer_pending: gauge_vec(r, CONSUMER_PENDING, &["group"]),
            consumer_lag: gauge_vec(r, CONSUMER_LAG, &["group"]),
            task_runs: counter_vec(r, TASK_RUNS, &["task", "outcome"]),
            key_not_after: gauge_vec(r, KEY_NOT_AFTER, &["kind"]),
            trust_list_not_after: gauge(r, TRUST_LIST_NOT_AFTER),
            pool_connections: gauge_vec(r, POOL_CONNECTIONS, &["state"]),
            pool_max: gauge(r, POOL_MAX),
            pool_waiting: gauge(r, POOL_WAITING),
            registry,
            process,
            groups: Arc::default(),
        }
    }

    /// Records when a signing certificate of `kind` this service uses ends.
    pub fn key_not_after(&self, kind: &str, not_after: i64) {
        self.key_not_after.with_label_values(&[kind]).set(not_after);
    }

    /// Records when the trust list this service verifies against ends.
    pub fn trust_list_not_after(&self, not_after: i64) {
        self.trust_list_not_after.set(not_after);
    }

    /// A counter of the service's own, by `labels` (registered once; a second call with
    /// the same name gets a counter that is not exposed, so call it at start).
    pub fn counter(&self, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
        let counter = defined(IntCounterVec::new(Opts::new(name, help), labels));
        if let Err(e) = self.registry.register(Box::new(counter.clone())) {
            tracing::warn!(metric = name, error = %e, "metric not registered");
        }
        counter
    }

    /// A gauge of the service's own (registered once, like [`Metrics::counter`]).
    pub fn gauge(&self, name: &str, help: &str) -> IntGauge {
        let gauge = defined(IntGauge::new(name, help));
        if let Err(e) = self.registry.register(Box::new(gauge.clone())) {
            tracing::warn!(metric = name, error = %e, "metric not registered");
        }
        gauge
    }

    /// Counts one round of the periodic task `task`.
    pub fn task_run(&self, task: &str, ok: bool) {
        self.task_runs.with_label_values(&[task, if ok { "ok" } else { "failed" }]).inc();
    }

    /// Watches the backlog of consumer group `group`.
    pub fn watch_group(&self, group: &str) {
        if let Ok(mut groups) = self.groups.lock() {
            groups.insert(group.to_string());
        }
    }

    /// Reads what a scrape must show fresh: the outbox's backlog (from `pool`) and the
    /// watched consumer groups' (from `bus`). What cannot be read in time keeps its last value.
    pub async fn refresh(&self, pool: &deadpool_postgres::Pool, bus: &crate::bus::Bus) {
        const WITHIN: Duration = Duration::from_secs(1);
        let status = pool.status();
        self.pool_connections.with_label_values(&["idle"]).set(status.available as i64);
        self.pool_connections.with_label_values(&["in_use"]).set(status.size.saturating_sub(status.available) as i64);
        self.pool_max.set(status.max_size as i64);
        self.pool_waiting.set(status.waiting as i64);
        let outbox = async {
            let client = pool.get().await.map_err(|e| e.to_string())?;
            client
                .query_one(
                    "select count(*), coalesce(extract(epoch from now() - min(occurred_at))::float8, 0)
                     from outbox where published_at is null",
                    &[],
                )
                .await
                .map_err(|e| e.to_string())
        };
        match tokio::time::timeout(WITHIN, outbox).await {
            Ok(Ok(row)) => {
                self.outbox_unpublished.set(row.get(0));
                self.outbox_oldest.set(row.get::<_, f64>(1).max(0.0));
            }
            Ok(Err(e)) => tracing::debug!(error = %e, "metrics: the outbox could not be read"),
            Err(_) => tracing::debug!("metrics: the outbox was not read in time"),
        }
        let groups = self.groups.lock().map(|g| g.clone()).unwrap_or_default();
        if groups.is_empty() {
            return;
        }
        match tokio::time::timeout(WITHIN, bus.groups()).await {
            Ok(Ok(found)) => {
                for (name, pending, lag) in found.into_iter().filter(|(name, _, _)| groups.contains(name)) {
                    self.consumer_pending.with_label_values(&[&name]).set(pending);
                    self.consumer_lag.with_label_values(&[&name]).set(lag);
                }
            }
            Ok(Err(e)) => tracing::debug!(error = %e, "metrics: the consumer groups could not be read"),
            Err(_) => tracing::debug!("metrics: the consumer groups were not read in time"),
        }
    }

    /// Records one finished request of `route` (a route template, or [`UNMATCHED`]).
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.requests.with_label_values(&[route, method, &status.to_string()]).inc();
        self.latency.with_label_values(&[route, method]).observe(elapsed.as_secs_f64());
    }

    pub fn events_dead(&self) -> IntCounter {
        self.events_dead.clone()
    }

    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let mut families = self.registry.gather();
        families.extend(self.process.gather());
        let _ = TextEncoder::new().encode(&families, &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

/// The label of every request that matched no route: however many paths clients invent,
/// they add no series.
pub const UNMATCHED: &str = "unmatched";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observed_requests_appear_in_the_exposition() {
        let m = Metrics::new();
        m.observe("GET", "/api/v1/agencies/{}/certificate", 200, Duration::from_millis(3));
        let text = m.render();
        assert!(
            text.contains(
                r#"zegel_http_requests_total{method="GET",route="/api/v1/agencies/{}/certificate",status="200"} 1"#
            ),
            "{text}"
        );
        assert!(!text.contains("service="), "no constant label: {text}");
    }
}
