//! Transactional outbox and the relay that publishes it to Redis Streams.
//!
//! A state change writes its event into `outbox` in the same transaction as the change
//! itself, so an event exists exactly when the change does. The relay then copies
//! unpublished rows to the stream `<prefix>:events`, oldest first, and marks them
//! published. If Redis is down nothing is marked and the relay simply tries again: no
//! event is lost. Publishing is at least once in general, but a Lua script also records
//! each event id in Redis (`<prefix>:published:<event_id>`, kept for a week) and skips an
//! id it has seen, so a relay that crashed between XADD and marking does not publish the
//! same event twice while Redis keeps its keys. Consumers still dedupe by `event_id`.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Pool};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::bus::Bus;

/// An event as written to the outbox and published on the stream.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Event {
    /// Stable id; consumers dedupe on it.
    pub event_id: Uuid,
    /// Kind, e.g. `certificate.revoked`.
    pub event_type: String,
    /// What it is about, e.g. a KvK number.
    pub subject: String,
    /// Parties that must act on it.
    pub addressed_to: Vec<String>,
    /// Details of the event (never personal data).
    pub payload: Value,
    /// When the change happened.
    pub occurred_at: DateTime<Utc>,
}

impl Event {
    /// A new event with a fresh id.
    pub fn new(
        event_type: &str,
        subject: &str,
        addressed_to: &[&str],
        payload: Value,
        occurred_at: DateTime<Utc>,
    ) -> Self {
        Self {
            event_id: Uuid::now_v7(),
            event_type: event_type.into(),
            subject: subject.into(),
            addressed_to: addressed_to.iter().map(|s| s.to_string()).collect(),
            payload,
            occurred_at,
        }
    }

    /// Reads an event from the fields of a stream entry.
    pub fn from_stream_fields(fields: &std::collections::HashMap<String, redis::Value>) -> Option<Self> {
        crate::provenance::StreamFields::read(fields)?.event()
    }
}

/// Writes `event` into the outbox of the current schema, inside the caller's transaction,
/// with the trace context of the current span (see [`crate::trace`]).
pub async fn enqueue(tx: &impl GenericClient, event: &Event) -> Result<(), tokio_postgres::Error> {
    let stmt = tx
        .prepare_cached(
            "insert into outbox (event_id, event_type, subject, addressed_to, payload, occurred_at, traceparent)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .await?;
    let traceparent = crate::trace::current_traceparent();
    tx.execute(
        &stmt,
        &[
            &event.event_id,
            &event.event_type,
            &event.subject,
            &event.addressed_to,
            &event.payload,
            &event.occurred_at,
            &traceparent,
        ],
    )
    .await?;
    Ok(())
}

/// Publishes at most once per event id while Redis keeps the marker key. The trace
/// context (ARGV[10]) is written only when there is one.
const PUBLISH_SCRIPT: &str = r"
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then
  local fields = {'event_id', ARGV[3], 'type', ARGV[4], 'subject', ARGV[5],
    'addressed_to', ARGV[6], 'occurred_at', ARGV[7], 'payload', ARGV[8], 'sig', ARGV[9]}
  if ARGV[10] ~= '' then
    table.insert(fields, 'traceparent')
    table.insert(fields, ARGV[10])
  end
  return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', unpack(fields))
else
  return false
end";

/// Seconds the marker of a published event id is kept.
const MARKER_TTL_SECS: u64 = 7 * 24 * 3600;
/// Approximate length the stream is trimmed to.
pub const STREAM_MAXLEN: u64 = 1_000_000;
/// The most one entry of the stream (or of the dead letter stream) may take in Redis's
/// memory; tests/tests/e2e/redis_replication.rs measures real entries against it.
pub const ENTRY_BYTES: u64 = 1024;
/// The most the marker of one published event id may take (measured by the same test).
pub const MARKER_BYTES: u64 = 160;

/// What Redis must be able to hold for the suite: both streams at their caps, and a marker
/// for as many events as the stream keeps (more than a week of events at today's rates).
/// The production overlay's `maxmemory` is checked against it
/// (tests/tests/e2e/k8s_manifests.rs); docs/OPERATIONS.md, "Redis memory", has the sum.
pub const fn redis_memory_needed() -> u64 {
    (STREAM_MAXLEN + crate::consumer::DEAD_MAXLEN) * ENTRY_BYTES + STREAM_MAXLEN * MARKER_BYTES
}
/// Rows published per round.
const BATCH: i64 = 200;
/// How long a round waits for the replicas to acknowledge what it published.
const REPLICATION_WAIT_MS: u64 = 1000;

/// Copies the outbox of one schema to the event stream.
#[derive(Clone)]
pub struct Relay {
    pool: Pool,
    bus: Bus,
    signer: crate::provenance::EventSigner,
    interval: Duration,
    wake: Arc<Notify>,
    script: Arc<redis::Script>,
    replicas: u32,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay").field("interval", &self.interval).finish()
    }
}

impl Relay {
    /// A relay polling every `interval`, and at once when [`Relay::nudge`]d, signing each
    /// event with `signer`.
    pub fn new(pool: Pool, bus: Bus, signer: crate::provenance::EventSigner, interval: Duration) -> Self {
        Self {
            pool,
            bus,
            signer,
            interval,
            wake: Arc::new(Notify::new()),
            script: Arc::new(redis::Script::new(PUBLISH_SCRIPT)),
            replicas: 0,
        }
    }

    /// Marks events published only once `replicas` Redis replicas have them too (`WAIT`):
    /// a master that fails over before its replicas have an event then loses nothing,
    /// because the outbox still has it. 0: once the master has it.
    pub fn replicated_to(mut self, replicas: u32) -> Self {
        self.replicas = replicas;
        self
    }

    /// Asks the relay to look now (after a commit that wrote an event).
    pub fn nudge(&self) {
        self.wake.notify_one();
    }

    /// Runs until the task is dropped.
    pub async fn run(self) {
        loop {
            match self.publish_pending().await {
                // A full batch: there may be more, go on at once.
                Ok(n) if n as i64 == BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "outbox relay round failed; retrying"),
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(self.interval) => {}
            }
        }
    }

    /// One round: publishes what is pending, oldest first; returns how many were marked.
    pub async fn publish_pending(&self) -> anyhow::Result<usize> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // One relay per schema at a time keeps the stream in outbox order.
        let locked: bool = tx
            .query_one("select pg_try_advisory_xact_lock(hashtext(current_schema() || '.outbox'))", &[])
            .await?
            .get(0);
        if !locked {
            return Ok(0);
        }
        let rows = tx
            .query(
                "select outbox_id, event_id, event_type, subject, addressed_to, payload, occurred_at, traceparent
                 from outbox where published_at is null order by outbox_id limit $1",
                &[&BATCH],
            )
            .await?;
        let mut done: Vec<i64> = Vec::with_capacity(rows.len());
        let mut conn = self.bus.conn();
        let stream = self.bus.events_stream();
        let mut failure = None;
        for row in &rows {
            let event = Event {
                event_id: row.get(1),
                event_type: row.get(2),
                subject: row.get(3),
                addressed_to: row.get(4),
                payload: row.get(5),
                occurred_at: row.get(6),
            };
            let fields = crate::provenance::StreamFields::of(&event);
            let signature = self.signer.sign(&fields.view());
            let mut invocation = self.script.key(&stream);
            invocation
                .key(self.bus.key(&format!("published:{}", event.event_id)))
                .arg(MARKER_TTL_SECS)
                .arg(STREAM_MAXLEN);
            for (_, value) in fields.stream_args(Some(&signature)) {
                invocation.arg(value);
            }
            invocation.arg(row.get::<_, Option<String>>(7).unwrap_or_default());
            let result: Result<Option<String>, _> = invocation.invoke_async(&mut conn).await;
            match result {
                Ok(_) => done.push(row.get(0)),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        if !done.is_empty() && self.replicas > 0 {
            // Every write of this connection so far, ours included, on enough replicas?
            let acknowledged: Result<u32, _> =
                redis::cmd("WAIT").arg(self.replicas).arg(REPLICATION_WAIT_MS).query_async(&mut conn).await;
            match acknowledged {
                Ok(n) if n >= self.replicas => {}
                Ok(n) => {
                    // Published, not yet safe: left unmarked, tried again (the stream's
                    // marker keeps the next round from adding them twice).
                    done.clear();
                    failure.get_or_insert(redis::RedisError::from((
                        redis::ErrorKind::Io,
                        "events not yet on enough replicas",
                        format!("{n} of {} replicas acknowledged", self.replicas),
                    )));
                }
                Err(e) => {
                    done.clear();
                    failure.get_or_insert(e);
                }
            }
        }
        if !done.is_empty() {
            tx.execute("update outbox set published_at = now() where outbox_id = any($1)", &[&done]).await?;
        }
        tx.commit().await?;
        if let Some(e) = failure {
            anyhow::bail!("publishing to Redis: {e}");
        }
        if !done.is_empty() {
            tracing::debug!(outbox.published = done.len(), "events published");
        }
        Ok(done.len())
    }
}
