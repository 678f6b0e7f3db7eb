//! Traces: one trace follows a certification from its caller through the register asked on
//! the way and through the event stream to the consumer that acted on what it caused. The
//! spans go over OTLP/HTTP to a stand-in collector, which decodes them as a real one does.
//!
//! The exporter is process-wide, so this file holds one test: its binary is its own.

use std::sync::Arc;
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use prost::Message;
use serde_json::json;
use tracing_subscriber::layer::SubscriberExt as _;
use zegel_e2e::Suite;
use zegel_testkit::Receiver;

/// The trace and span of the caller, as its `traceparent` names them.
const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER: &str = "00f067aa0ba902b7";
const KVK: &str = "11223344";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn text_of(attributes: &[KeyValue], key: &str) -> Option<String> {
    let value = attributes.iter().find(|kv| kv.key == key)?.value.as_ref()?.value.as_ref()?;
    Some(match value {
        Value::StringValue(s) => s.clone(),
        Value::IntValue(i) => i.to_string(),
        other => format!("{other:?}"),
    })
}

/// Every span the collector has received, with the `service.name` of its resource.
fn received(collector: &Receiver) -> Vec<(String, Span)> {
    let mut spans = Vec::new();
    for request in collector.received().into_iter().filter(|r| r.path == "/v1/traces") {
        assert_eq!(request.headers.get("content-type").map(String::as_str), Some("application/x-protobuf"));
        let export = ExportTraceServiceRequest::decode(&request.body[..]).expect("an OTLP protobuf request");
        for resource_spans in export.resource_spans {
            let service = resource_spans
                .resource
                .as_ref()
                .and_then(|r| text_of(&r.attributes, "service.name"))
                .unwrap_or_default();
            for scope in resource_spans.scope_spans {
                spans.extend(scope.spans.into_iter().map(|span| (service.clone(), span)));
            }
        }
    }
    spans
}

#[tokio::test]
async fn one_trace_follows_a_certification_through_the_registers_and_the_event_stream() {
    let collector = Receiver::start().await;
    let export = platform::trace::Export {
        traces_url: format!("{}/v1/traces", collector.base().trim_end_matches('/')),
        sample_ratio: 1.0,
        service: "zegel-suite".into(),
    };
    // The spans only (the logs would go past the test harness to stdout).
    let (layer, traces) = platform::trace::layer(Some(&export)).expect("an exporter");
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer)).expect("the first subscriber");
    let traces = Arc::new(traces);
    assert!(traces.is_on());
    let suite = Suite::start().await;
    let (body, id) = suite.ready_for_certification(KVK).await;

    let res = suite
        .http
        .post(format!("{}/api/v1/certificates/{id}/certification", suite.certificates.address))
        .bearer_auth(&body)
        .header("traceparent", format!("00-{TRACE}-{CALLER}-01"))
        .json(&json!({}))
        .send()
        .await
        .expect("sent");
    assert!(res.status().is_success(), "{}", res.status());

    // The notifier acts on the event a moment later, and spans leave in batches.
    let deadline = Instant::now() + Duration::from_secs(20);
    let (all, ours) = loop {
        let exporter = traces.clone();
        tokio::task::spawn_blocking(move || exporter.flush()).await.expect("flushed");
        let all = received(&collector);
        let ours: Vec<Span> = all.iter().filter(|(_, s)| hex(&s.trace_id) == TRACE).map(|(_, s)| s.clone()).collect();
        if ours.iter().any(|s| s.name == "consume certificate.certified") || Instant::now() > deadline {
            break (all, ours);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let names: Vec<&str> = ours.iter().map(|s| s.name.as_str()).collect();
    let find = |name: &str, service: &str| {
        ours.iter()
            .find(|s| s.name == name && text_of(&s.attributes, "zegel.service").as_deref() == Some(service))
            .unwrap_or_else(|| panic!("no span {name:?} of {service} in the trace: {names:?}"))
    };

    let certification = find("POST /api/v1/certificates/{}/certification", "certificates");
    assert_eq!(hex(&certification.parent_span_id), CALLER, "the register continues the caller's trace");
    assert_eq!(certification.kind, SpanKind::Server as i32);
    assert_eq!(text_of(&certification.attributes, "http.response.status_code").as_deref(), Some("200"));
    assert_eq!(
        text_of(&certification.attributes, "http.route").as_deref(),
        Some("/api/v1/certificates/{}/certification")
    );

    let ban_check = find("GET /api/v1/agencies/{}/ban-status", "bans");
    assert_eq!(
        hex(&ban_check.parent_span_id),
        hex(&certification.span_id),
        "the live check in the bans register is part of the certification's trace"
    );

    let consumed = ours
        .iter()
        .find(|s| {
            s.name == "consume certificate.certified"
                && text_of(&s.attributes, "messaging.consumer.group.name").as_deref() == Some("notifier")
        })
        .unwrap_or_else(|| panic!("the notifier's span is not in the trace: {names:?}"));
    assert_eq!(
        hex(&consumed.parent_span_id),
        hex(&certification.span_id),
        "the event stream carried the trace from the request that wrote the event"
    );
    assert_eq!(consumed.kind, SpanKind::Consumer as i32);
    assert!(all.iter().all(|(service, _)| service == "zegel-suite"), "every span names its service");

    // Need to know: the collector learns the route and the outcome, never a path with an
    // id in it, a KvK number or a token.
    assert!(all.len() > ours.len(), "the suite's other requests are traced too, each in a trace of its own");
    for (_, span) in &all {
        let seen = format!("{span:?}");
        assert!(!seen.contains(KVK) && !seen.contains(&id) && !seen.contains(&body), "leaked: {seen}");
    }
}
