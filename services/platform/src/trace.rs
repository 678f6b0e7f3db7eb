//! Traces: OpenTelemetry spans, exported over OTLP (HTTP, protobuf) when
//! `ZEGEL_OTLP_ENDPOINT` names a collector, and the W3C trace context carried on every hop.
//!
//! A trace follows a change through the suite: the request span of the service that
//! received it (continuing the caller's `traceparent`), the request spans of the registers
//! it asked on the way (the context goes out with the request id, see
//! [`crate::http::ForwardRequestId`]), and the spans of the consumers that acted on the
//! events it caused: the outbox keeps the `traceparent` of the request that wrote an event
//! and the relay puts it on the stream entry beside the signed fields.
//!
//! What goes to the collector is kept to what an operator needs to follow time: span names
//! are route templates (`GET /v/{}`), never paths, so no seal, KvK number or BSN leaves in
//! a trace; log lines stay in the logs (the trace layer sees spans only). The
//! `traceparent` on a stream entry is not signed: it decides nothing but which trace a
//! consumer's span joins.
//!
//! Sampling is by trace id at the configured ratio in every service alike, so a trace is
//! recorded whole or not at all, and a caller's "sampled" flag cannot make a service record.

use std::time::Duration;

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{TraceContextExt, TracerProvider as _};
use opentelemetry::{Context, KeyValue};
use opentelemetry_http::{HeaderExtractor, HeaderInjector};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::Layer;
use tracing_subscriber::registry::LookupSpan;
use warp::http::HeaderMap;

/// The W3C header (and stream field) carrying the trace context.
pub const TRACEPARENT: &str = "traceparent";

#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    /// The collector's OTLP/HTTP traces URL (`<receiver>/v1/traces`).
    pub traces_url: String,
    /// Share of traces recorded, 0.0 to 1.0.
    pub sample_ratio: f64,
    /// `service.name` of the spans (`zegel-<service>`, or `zegel-suite` for all in one).
    pub service: String,
}

/// The span exporter of the process (nothing when traces are off). Flush it before the
/// process ends, or the last spans are lost.
#[derive(Debug, Default)]
pub struct Exporter {
    provider: Option<SdkTracerProvider>,
}

impl Exporter {
    /// Sends what is waiting now. Blocks the calling thread until the collector answered
    /// (call it from a blocking context).
    pub fn flush(&self) {
        if let Some(provider) = &self.provider
            && let Err(e) = provider.force_flush()
        {
            tracing::warn!(error = %e, "traces: flushing failed");
        }
    }

    /// Sends what is waiting and stops exporting. Blocks like [`Exporter::flush`].
    pub fn shutdown(self) {
        if let Some(provider) = self.provider
            && let Err(e) = provider.shutdown_with_timeout(Duration::from_secs(5))
        {
            tracing::warn!(error = %e, "traces: shutting the exporter down failed");
        }
    }

    pub fn is_on(&self) -> bool {
        self.provider.is_some()
    }
}

/// Why traces could not be set up; the start stops with it.
#[derive(Debug, thiserror::Error)]
#[error("traces: {0}")]
pub struct TraceError(String);

/// The layer that turns the suite's own spans into OpenTelemetry spans, and the exporter
/// that batches them to the collector (on a thread of its own, so exporting never holds
/// up a request). [`crate::telemetry::install`] puts it beside the logs.
///
/// Without `export` the layer is there all the same, exporting nothing and recording
/// nothing: every span still gets its trace and span id, so every log line of a request
/// names them and a caller's `traceparent` still joins the logs of the services it went
/// through.
pub fn layer<S>(export: Option<&Export>) -> Result<(impl Layer<S> + use<S>, Exporter), TraceError>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    let provider = match export {
        Some(export) => {
            use opentelemetry_otlp::WithExportConfig;
            // Timeout, headers and compression as the standard OTEL_EXPORTER_OTLP_* say.
            let exporter = opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                .with_endpoint(export.traces_url.clone())
                .build()
                .map_err(|e| TraceError(e.to_string()))?;
            // OTEL_RESOURCE_ATTRIBUTES are read by the builder's detectors.
            let resource = Resource::builder()
                .with_service_name(export.service.clone())
                .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
                .build();
            SdkTracerProvider::builder()
                .with_batch_exporter(exporter)
                .with_sampler(Sampler::TraceIdRatioBased(export.sample_ratio))
                .with_resource(resource)
                .build()
        }
        None => SdkTracerProvider::builder().with_sampler(Sampler::AlwaysOff).build(),
    };
    let tracer = provider.tracer("zegel");
    // Spans only (log lines stay in the logs), and only the suite's own.
    let layer =
        tracing_opentelemetry::layer().with_tracer(tracer).with_filter(tracing_subscriber::filter::filter_fn(|meta| {
            meta.is_span() && meta.target().starts_with("zegel")
        }));
    Ok((layer, Exporter { provider: export.map(|_| provider) }))
}

/// The trace and span id of the innermost span around the current event that has them
/// (see [`layer`]), as the W3C trace context writes them (32 and 16 hex digits).
pub fn ids_of<S>(span: Option<tracing_subscriber::registry::SpanRef<'_, S>>) -> Option<(String, String)>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    span?.scope().find_map(|span| {
        let extensions = span.extensions();
        let data = extensions.get::<tracing_opentelemetry::OtelData>()?;
        Some((data.trace_id()?.to_string(), data.span_id()?.to_string()))
    })
}

/// The trace context a request arrived with, if it sent a well-formed one.
pub fn parent_from(headers: &HeaderMap) -> Option<Context> {
    if !headers.contains_key(TRACEPARENT) {
        return None;
    }
    let context = TraceContextPropagator::new().extract(&HeaderExtractor(headers));
    context.span().span_context().is_valid().then_some(context)
}

/// Makes `span` continue the trace whose context `traceparent` carries (a W3C
/// `traceparent` value); without one, or with a malformed one, `span` starts a trace.
pub fn continue_trace(span: &Span, traceparent: Option<&str>) {
    let Some(value) = traceparent.filter(|v| !v.is_empty()) else { return };
    let carrier = std::collections::HashMap::from([(TRACEPARENT.to_string(), value.to_string())]);
    let parent = TraceContextPropagator::new().extract(&carrier);
    if parent.span().span_context().is_valid() {
        // Fails only when traces are off (no layer): nothing to continue then.
        let _ = span.set_parent(parent);
    }
}

/// The `traceparent` of the current span, when traces are on and it is recorded.
pub fn current_traceparent() -> Option<String> {
    let context = Span::current().context();
    if !context.span().span_context().is_valid() {
        return None;
    }
    let mut carrier = std::collections::HashMap::new();
    TraceContextPropagator::new().inject_context(&context, &mut carrier);
    carrier.remove(TRACEPARENT)
}

/// Adds the trace context of the current span to the `headers` of a call to another
/// service (nothing when traces are off).
pub fn inject_current(headers: &mut HeaderMap) {
    let context = Span::current().context();
    if context.span().span_context().is_valid() {
        TraceContextPropagator::new().inject_context(&context, &mut HeaderInjector(headers));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_traces_nothing_is_carried_and_nothing_breaks() {
        let span = tracing::info_span!("request");
        continue_trace(&span, Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        continue_trace(&span, Some("not a traceparent"));
        let _entered = span.enter();
        assert_eq!(current_traceparent(), None);
        let mut headers = HeaderMap::new();
        inject_current(&mut headers);
        assert!(headers.is_empty());
    }

    #[test]
    fn a_malformed_traceparent_from_a_caller_gives_no_parent() {
        let mut headers = HeaderMap::new();
        headers.insert(TRACEPARENT, "00-zz-yy-01".parse().expect("header"));
        assert!(parent_from(&headers).is_none());
        assert!(parent_from(&HeaderMap::new()).is_none());
        headers.insert(TRACEPARENT, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".parse().expect("header"));
        let parent = parent_from(&headers).expect("well-formed");
        assert_eq!(parent.span().span_context().trace_id().to_string(), "0af7651916cd43dd8448eb211c80319c");
    }
}
