//! Consuming the event stream: a Redis consumer group per service, acknowledged only
//! after the service has committed what the event caused, and deduplicated by event id in
//! the same transaction ([`first_time`]), so delivery is at least once and effects are
//! exactly once. An event whose signature does not verify under the key of the register
//! that owns its type (see `provenance`) is never handed to the service: it goes to the
//! dead letter stream (`<prefix>:events:dead`), is counted, and acknowledged.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::GenericClient;
use redis::streams::{StreamReadOptions, StreamReadReply};
use tracing::Instrument;

use crate::bus::Bus;
use crate::event::Event;
use crate::provenance::{EventKeys, StreamFields, Unverified};

/// Records that `event` is being acted on; `false` when it was acted on before (the
/// caller then changes nothing). Call inside the transaction that applies the effect.
pub async fn first_time(tx: &impl GenericClient, event: &Event) -> Result<bool, tokio_postgres::Error> {
    let stmt = tx
        .prepare_cached(
            "insert into consumed_event (event_id, event_type) values ($1, $2) on conflict (event_id) do nothing",
        )
        .await?;
    Ok(tx.execute(&stmt, &[&event.event_id, &event.event_type]).await? == 1)
}

/// An event read by a consumer and not acknowledged for this long is taken over by another.
const CLAIM_IDLE: Duration = Duration::from_secs(60);
/// How often a consumer looks for such events.
const CLAIM_EVERY: Duration = Duration::from_secs(30);

/// A consumer in group `group` of the suite's event stream.
#[derive(Debug, Clone)]
pub struct Consumer {
    bus: Bus,
    keys: Arc<EventKeys>,
    dead: prometheus::IntCounter,
    group: String,
    name: String,
    claim_idle: Duration,
}

pub use crate::bus::DEAD_MAXLEN;

impl Consumer {
    /// A consumer of a service named `name` in `group` (one group per service; one name
    /// per replica), verifying events with the service's keys and counting what it refuses
    /// in the service's metrics.
    pub fn of(core: &crate::core::Core, group: &str, name: &str) -> Self {
        core.metrics.watch_group(group);
        Self::new(core.bus.clone(), core.event_keys.clone(), group, name).counting(core.metrics.events_dead())
    }

    /// A consumer verifying events with `keys`.
    pub fn new(bus: Bus, keys: Arc<EventKeys>, group: &str, name: &str) -> Self {
        let dead = prometheus::IntCounter::new("events_dead_lettered_total", "events refused")
            .unwrap_or_else(|_| unreachable!("static metric definition"));
        Self { bus, keys, dead, group: group.into(), name: name.into(), claim_idle: CLAIM_IDLE }
    }

    /// Counts refused events in `counter`.
    pub fn counting(mut self, counter: prometheus::IntCounter) -> Self {
        self.dead = counter;
        self
    }

    /// The entry's fields once its signature verified, or why it is not acted on: a field
    /// missing, or not signed by the register that owns its type.
    fn verified(&self, map: &HashMap<String, redis::Value>) -> Result<StreamFields, String> {
        let fields = StreamFields::read(map).ok_or("malformed: a field is missing")?;
        let signature = map.get("sig").and_then(|v| redis::from_redis_value_ref::<String>(v).ok());
        self.keys.verify(&fields.view(), signature.as_deref()).map_err(|e: Unverified| e.to_string())?;
        Ok(fields)
    }

    /// The span of acting on `event`: in the trace of the request that caused it, when its
    /// entry carries that request's `traceparent`.
    fn span_of(&self, event: &Event, map: &HashMap<String, redis::Value>) -> tracing::Span {
        let span = tracing::info_span!(
            "event",
            otel.name = %format_args!("consume {}", event.event_type),
            otel.kind = "consumer",
            otel.status_code = tracing::field::Empty,
            messaging.system = "redis",
            messaging.consumer.group.name = %self.group,
            messaging.message.id = %event.event_id,
        );
        let traceparent =
            map.get(crate::trace::TRACEPARENT).and_then(|v| redis::from_redis_value_ref::<String>(v).ok());
        crate::trace::continue_trace(&span, traceparent.as_deref());
        span
    }

    /// Moves a refused entry to the dead letter stream (best effort: the count and the log
    /// line remain if Redis refuses this too).
    async fn dead_letter(
        &self,
        conn: &mut redis::aio::ConnectionManager,
        id: &str,
        map: &HashMap<String, redis::Value>,
        why: &str,
    ) {
        self.dead.inc();
        let get = |k: &str| map.get(k).and_then(|v| redis::from_redis_value_ref::<String>(v).ok()).unwrap_or_default();
        tracing::error!(stream.id = id, consumer.group = %self.group, event.r#type = %get("type"), reason = why, "event refused: dead-lettered, not acted on");
        let _: Result<String, _> = redis::cmd("XADD")
            .arg(self.bus.key("events:dead"))
            .arg("MAXLEN")
            .arg("~")
            .arg(DEAD_MAXLEN)
            .arg("*")
            .arg("stream_id")
            .arg(id)
            .arg("group")
            .arg(&self.group)
            .arg("reason")
            .arg(why)
            .arg("event_id")
            .arg(get("event_id"))
            .arg("type")
            .arg(get("type"))
            .arg("subject")
            .arg(get("subject"))
            .query_async(conn)
            .await;
    }

    /// Takes over another consumer's unacknowledged events after `idle` (default 60 s).
    pub fn claim_after(mut self, idle: Duration) -> Self {
        self.claim_idle = idle;
        self
    }

    /// Reads events for ever, calling `handle` for each event addressed to `party` (others
    /// are acknowledged unread). An event is acknowledged only when `handle` succeeded;
    /// a failed one stays pending and is retried. Unacknowledged events of an earlier run
    /// are handled first.
    pub async fn run<H, Fut>(self, party: &str, handle: H)
    where
        H: Fn(Event) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        self.run_filtered(|e: &Event| e.addressed_to.iter().any(|p| p == party), handle).await;
    }

    /// Like [`Consumer::run`], for every event `accept` takes (the notifier takes them all).
    pub async fn run_filtered<A, H, Fut>(self, accept: A, handle: H)
    where
        A: Fn(&Event) -> bool,
        H: Fn(Event) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        let stream = self.bus.events_stream();
        let mut pending_first = true;
        let mut conn = match self.bus.blocking_conn() {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "no Redis connection for the consumer; events are not consumed");
                return;
            }
        };
        let mut last_claim: Option<std::time::Instant> = None;
        loop {
            if last_claim.is_none_or(|t| t.elapsed() >= CLAIM_EVERY) {
                last_claim = Some(std::time::Instant::now());
                pending_first |= self.take_over(&mut conn, &stream).await;
            }
            self.ensure_group(&mut conn, &stream).await;
            let id = if pending_first { "0" } else { ">" };
            let mut options = StreamReadOptions::default().group(&self.group, &self.name).count(100);
            if !pending_first {
                options = options.block(1000);
            }
            let reply: Result<StreamReadReply, _> =
                redis::AsyncCommands::xread_options(&mut conn, &[&stream], &[id], &options).await;
            let reply = match reply {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(error = %e, consumer.group = %self.group, "event stream unavailable; retrying");
                    // A read whose reply was lost on the way still delivered its entries to
                    // this consumer: read its own pending entries first once the stream is back.
                    pending_first = true;
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    continue;
                }
            };
            let entries: Vec<_> = reply.keys.into_iter().flat_map(|k| k.ids).collect();
            if pending_first && entries.is_empty() {
                pending_first = false;
                continue;
            }
            let mut failed = false;
            for entry in entries {
                failed |= !self.consume(&mut conn, &stream, &entry, &accept, &handle).await;
            }
            if failed {
                // Go back to the pending entries after a pause.
                pending_first = true;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }

    /// Takes over what another consumer of the group (a replica that crashed, or this
    /// service before a restart under another name) read and never acknowledged; whether
    /// there was any.
    async fn take_over(&self, conn: &mut redis::aio::ConnectionManager, stream: &str) -> bool {
        let claimed: Result<redis::Value, _> = redis::cmd("XAUTOCLAIM")
            .arg(stream)
            .arg(&self.group)
            .arg(&self.name)
            .arg(u64::try_from(self.claim_idle.as_millis()).unwrap_or(u64::MAX))
            .arg("0-0")
            .arg("COUNT")
            .arg(100)
            .query_async(conn)
            .await;
        let took = matches!(&claimed, Ok(redis::Value::Array(parts))
            if matches!(parts.get(1), Some(redis::Value::Array(entries)) if !entries.is_empty()));
        if took {
            tracing::info!(consumer.group = %self.group, "took over unacknowledged events of another consumer");
        }
        took
    }

    /// Creates the group (from the start of the stream) once; "already exists" is fine.
    async fn ensure_group(&self, conn: &mut redis::aio::ConnectionManager, stream: &str) {
        let _: Result<(), _> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(stream)
            .arg(&self.group)
            .arg("0")
            .arg("MKSTREAM")
            .query_async(conn)
            .await;
    }

    /// One entry: a forged one to the dead letters, an unreadable one skipped, one that
    /// `accept` takes handled; acknowledged unless handling failed (then `false`: it stays
    /// pending and is retried).
    async fn consume<A, H, Fut>(
        &self,
        conn: &mut redis::aio::ConnectionManager,
        stream: &str,
        entry: &redis::streams::StreamId,
        accept: &A,
        handle: &H,
    ) -> bool
    where
        A: Fn(&Event) -> bool,
        H: Fn(Event) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        let event = match self.verified(&entry.map) {
            Err(why) => {
                self.dead_letter(conn, &entry.id, &entry.map, &why).await;
                None
            }
            Ok(fields) => fields.event().or_else(|| {
                tracing::error!(stream.id = %entry.id, "unreadable event on the stream; acknowledged and skipped");
                None
            }),
        };
        let outcome = match &event {
            Some(e) if accept(e) => {
                let span = self.span_of(e, &entry.map);
                let outcome = handle(e.clone()).instrument(span.clone()).await;
                if outcome.is_err() {
                    span.record("otel.status_code", "error");
                }
                outcome
            }
            _ => Ok(()),
        };
        if let Err(e) = outcome {
            tracing::error!(error = format!("{e:#}"), stream.id = %entry.id, "event not handled; it stays pending");
            return false;
        }
        let _: Result<i64, _> = redis::cmd("XACK").arg(stream).arg(&self.group).arg(&entry.id).query_async(conn).await;
        true
    }
}
