//! Logs and metrics.
//!
//! Logs go through `tracing`: JSON lines when stdout is not a terminal (or when asked),
//! readable lines otherwise. Metrics are Prometheus counters and histograms per service,
//! labelled by route template rather than raw path, so ids do not explode the series.

use std::io::IsTerminal;
use std::time::Duration;

use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry, TextEncoder};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber once; later calls do nothing.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = match format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stdout().is_terminal(),
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = if json { builder.json().flatten_event(true).try_init() } else { builder.try_init() };
}

/// The metrics of one service.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    events_dead: IntCounter,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    /// Fresh metrics labelled with `service`.
    pub fn new(service: &str) -> Self {
        let registry =
            Registry::new_custom(Some("zegel".into()), Some([("service".to_string(), service.to_string())].into()))
                .unwrap_or_default();
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by route, method and status"),
            &["route", "method", "status"],
        )
        .unwrap_or_else(|_| unreachable!("static metric definition"));
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency by route and method")
                .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5]),
            &["route", "method"],
        )
        .unwrap_or_else(|_| unreachable!("static metric definition"));
        let events_dead = IntCounter::new(
            "events_dead_lettered_total",
            "Events this service refused to act on (unverifiable), moved to the dead letter stream",
        )
        .unwrap_or_else(|_| unreachable!("static metric definition"));
        let _ = registry.register(Box::new(requests.clone()));
        let _ = registry.register(Box::new(latency.clone()));
        let _ = registry.register(Box::new(events_dead.clone()));
        Self { registry, requests, latency, events_dead }
    }

    /// Records one finished request of `route` (a route template, or [`UNMATCHED`]).
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.requests.with_label_values(&[route, method, &status.to_string()]).inc();
        self.latency.with_label_values(&[route, method]).observe(elapsed.as_secs_f64());
    }

    /// The count of dead-lettered events.
    pub fn events_dead(&self) -> IntCounter {
        self.events_dead.clone()
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
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
        let m = Metrics::new("t");
        m.observe("GET", "/api/v1/agencies/{}/certificate", 200, Duration::from_millis(3));
        let text = m.render();
        assert!(text.contains(r#"zegel_http_requests_total{method="GET",route="/api/v1/agencies/{}/certificate",status="200",service="t"} 1"#), "{text}");
    }
}
