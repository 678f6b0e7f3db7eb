//! Transactional outbox and the relay that publishes it to Redis Streams.
//!
//! A state change writes its event into `outbox` in the same transaction as the change
//! itself, so an event exists exactly when the change does. The relay then copies
//! unpublished rows to the stream `<prefix>:events`, oldest first, and marks them
//! published with the entry's id. If Redis is down nothing is marked and the relay simply
//! tries again. Publishing is at least once in general, but a Lua script also records each
//! event id in Redis (`<prefix>:published:<event_id>`, kept for a week, holding the entry's
//! id) and returns the entry it wrote before, so a relay that crashed between XADD and
//! marking does not publish the same event twice while Redis keeps its keys. Consumers
//! still dedupe by `event_id`.
//!
//! A published row stays in the relay's care until every consumer group on the stream has
//! acknowledged its entry (`delivered_at`). Each round the relay asks the groups how far
//! they have acknowledged; an undelivered row whose entry is no longer on the stream — a
//! Redis that restarted without it, or trimmed it before a group read it — is published
//! again. So a Redis that loses entries no group had finished loses no event; a group
//! that is created later reads the stream from its start.

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{GenericClient, Pool};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::bus::Bus;

pub use crate::event::Event;

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
local seen = redis.call('GET', KEYS[2])
if seen then
  return seen
end
local fields = {'event_id', ARGV[3], 'type', ARGV[4], 'subject', ARGV[5],
  'addressed_to', ARGV[6], 'occurred_at', ARGV[7], 'payload', ARGV[8], 'sig', ARGV[9]}
if ARGV[10] ~= '' then
  table.insert(fields, 'traceparent')
  table.insert(fields, ARGV[10])
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', unpack(fields))
redis.call('SET', KEYS[2], id, 'EX', ARGV[1])
return id";

/// Seconds the marker of a published event id is kept.
const MARKER_TTL_SECS: u64 = 7 * 24 * 3600;
pub const STREAM_MAXLEN: u64 = 1_000_000;
/// The most one entry of the stream (or of the dead letter stream) may take in Redis's
/// memory; tests/tests/e2e/redis_replication.rs measures real entries against it.
pub const ENTRY_BYTES: u64 = 1024;
/// The most the marker of one published event id may take (measured by the same test).
pub const MARKER_BYTES: u64 = 192;

/// What Redis must be able to hold for the suite: both streams at their caps, and a marker
/// for as many events as the stream keeps (more than a week of events at today's rates).
/// The production overlay's `maxmemory` is checked against it
/// (tests/tests/e2e/k8s_manifests.rs); docs/OPERATIONS.md, "Redis memory", has the sum.
pub const fn redis_memory_needed() -> u64 {
    (STREAM_MAXLEN + crate::bus::DEAD_MAXLEN) * ENTRY_BYTES + STREAM_MAXLEN * MARKER_BYTES
}
const BATCH: i64 = 200;
/// How long a round waits for the replicas to acknowledge what it published.
const REPLICATION_WAIT_MS: u64 = 1000;

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

    /// One round: lets go of what every group has acknowledged and makes pending again what
    /// the stream lost, then publishes what is pending, oldest first; returns how many
    /// were marked published.
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
        let mut conn = self.bus.conn();
        if let Err(e) = self.follow_up(&tx, &mut conn).await {
            // Redis is away: what is pending is not published either; the next round tries.
            tracing::debug!(error = %e, "outbox relay: delivery not confirmed this round");
        }
        let rows = tx
            .query(
                "select outbox_id, event_id, event_type, subject, addressed_to, payload, occurred_at, traceparent
                 from outbox where published_at is null order by outbox_id limit $1",
                &[&BATCH],
            )
            .await?;
        let (mut done, mut entries, mut failure) = self.publish(&mut conn, &rows).await;
        if !done.is_empty()
            && let Err(e) = self.replicated(&mut conn).await
        {
            // Published, not yet safe: left unmarked, tried again (the stream's marker keeps
            // the next round from adding them twice).
            done.clear();
            entries.clear();
            failure.get_or_insert(e);
        }
        if !done.is_empty() {
            tx.execute(
                "update outbox set published_at = now(), stream_id = d.stream_id
                   from unnest($1::bigint[], $2::text[]) as d(outbox_id, stream_id)
                  where outbox.outbox_id = d.outbox_id",
                &[&done, &entries],
            )
            .await?;
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

    /// Publishes `rows` in order, each signed, through the script that adds an event to the
    /// stream once: the ids of the rows published and their stream entries, and what stopped
    /// it (the rest waits for the next round).
    async fn publish(
        &self,
        conn: &mut redis::aio::ConnectionManager,
        rows: &[tokio_postgres::Row],
    ) -> (Vec<i64>, Vec<String>, Option<redis::RedisError>) {
        let mut done: Vec<i64> = Vec::with_capacity(rows.len());
        let mut entries: Vec<String> = Vec::with_capacity(rows.len());
        let stream = self.bus.events_stream();
        for row in rows {
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
            match invocation.invoke_async::<String>(conn).await {
                Ok(entry) => {
                    done.push(row.get(0));
                    entries.push(entry);
                }
                Err(e) => return (done, entries, Some(e)),
            }
        }
        (done, entries, None)
    }

    /// Whether every write of this connection so far, ours included, is on enough Redis
    /// replicas (always, when none is asked for).
    async fn replicated(&self, conn: &mut redis::aio::ConnectionManager) -> Result<(), redis::RedisError> {
        if self.replicas == 0 {
            return Ok(());
        }
        let acknowledged: u32 =
            redis::cmd("WAIT").arg(self.replicas).arg(REPLICATION_WAIT_MS).query_async(conn).await?;
        if acknowledged >= self.replicas {
            return Ok(());
        }
        Err(redis::RedisError::from((
            redis::ErrorKind::Io,
            "events not yet on enough replicas",
            format!("{acknowledged} of {} replicas acknowledged", self.replicas),
        )))
    }

    /// The published rows not yet delivered, oldest first: those every consumer group has
    /// acknowledged are marked delivered; those whose entry the stream no longer holds are
    /// made pending again (their marker removed), to be published anew this round.
    async fn follow_up(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
        conn: &mut redis::aio::ConnectionManager,
    ) -> anyhow::Result<()> {
        let rows = tx
            .query(
                "select outbox_id, event_id, stream_id from outbox
                  where published_at is not null and delivered_at is null order by outbox_id limit $1",
                &[&BATCH],
            )
            .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let stream = self.bus.events_stream();
        let acknowledged = acknowledged_by_every_group(conn, &stream).await?;
        let mut delivered: Vec<i64> = Vec::new();
        let mut waiting: Vec<(i64, Uuid, String)> = Vec::new();
        for row in &rows {
            let (outbox_id, event_id, stream_id): (i64, Uuid, Option<String>) = (row.get(0), row.get(1), row.get(2));
            match stream_id.as_deref().and_then(EntryId::parse) {
                Some(id) if acknowledged.is_some_and(|upto| id <= upto) => delivered.push(outbox_id),
                Some(_) => waiting.push((outbox_id, event_id, stream_id.unwrap_or_default())),
                // Published before entries were recorded: nothing to follow.
                None => delivered.push(outbox_id),
            }
        }
        let mut lost: Vec<i64> = Vec::new();
        if !waiting.is_empty() {
            let mut on_stream = redis::pipe();
            for (_, _, id) in &waiting {
                on_stream.cmd("XRANGE").arg(&stream).arg(id).arg(id);
            }
            let found: Vec<Vec<redis::Value>> = on_stream.query_async(conn).await?;
            let mut markers = redis::pipe();
            for ((outbox_id, event_id, _), entries) in waiting.iter().zip(found) {
                if entries.is_empty() {
                    lost.push(*outbox_id);
                    markers.cmd("DEL").arg(self.bus.key(&format!("published:{event_id}"))).ignore();
                }
            }
            if !lost.is_empty() {
                let () = markers.query_async(conn).await?;
            }
        }
        if !delivered.is_empty() {
            tx.execute("update outbox set delivered_at = now() where outbox_id = any($1)", &[&delivered]).await?;
        }
        if !lost.is_empty() {
            tracing::warn!(
                outbox.lost = lost.len(),
                "the event stream lost entries not every consumer group had acknowledged; publishing them again"
            );
            tx.execute("update outbox set published_at = null, stream_id = null where outbox_id = any($1)", &[&lost])
                .await?;
        }
        Ok(())
    }
}

/// A stream entry's id (`<milliseconds>-<sequence>`), ordered as Redis orders them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct EntryId(u64, u64);

impl EntryId {
    fn parse(text: &str) -> Option<Self> {
        let (ms, seq) = text.split_once('-')?;
        Some(Self(ms.parse().ok()?, seq.parse().ok()?))
    }

    /// The id just before this one (`None` before the first possible).
    fn before(self) -> Option<Self> {
        match self {
            Self(0, 0) => None,
            Self(ms, 0) => Some(Self(ms - 1, u64::MAX)),
            Self(ms, seq) => Some(Self(ms, seq - 1)),
        }
    }
}

/// The entry up to which every consumer group on `stream` has acknowledged every entry it
/// was given: for each group, the entry before its oldest pending one, or the last one it
/// was given when none is pending; the least of those. `None` when there is no group (or
/// no stream): then nothing counts as delivered.
async fn acknowledged_by_every_group(
    conn: &mut redis::aio::ConnectionManager,
    stream: &str,
) -> redis::RedisResult<Option<EntryId>> {
    use redis::streams::{StreamInfoGroupsReply, StreamPendingReply};
    let groups: StreamInfoGroupsReply = match redis::cmd("XINFO").arg("GROUPS").arg(stream).query_async(conn).await {
        Ok(groups) => groups,
        // No stream: a Redis that lost it; every undelivered entry is gone with it.
        Err(e) if e.to_string().contains("no such key") => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut upto: Option<EntryId> = None;
    let mut any = false;
    for group in &groups.groups {
        let group_upto = if group.pending == 0 {
            EntryId::parse(&group.last_delivered_id)
        } else {
            let pending: StreamPendingReply =
                redis::cmd("XPENDING").arg(stream).arg(&group.name).query_async(conn).await?;
            match pending {
                StreamPendingReply::Data(data) => EntryId::parse(&data.start_id).and_then(EntryId::before),
                _ => EntryId::parse(&group.last_delivered_id),
            }
        };
        any = true;
        // A group that has acknowledged nothing holds everything back.
        let Some(group_upto) = group_upto else { return Ok(None) };
        upto = Some(upto.map_or(group_upto, |u| u.min(group_upto)));
    }
    Ok(if any { upto } else { None })
}

#[cfg(test)]
mod entry_tests {
    use super::EntryId;

    #[test]
    fn entry_ids_order_as_redis_orders_them() {
        let id = |t: &str| EntryId::parse(t).expect("an id");
        assert!(id("1700000000000-1") > id("1700000000000-0"));
        assert!(id("1700000000001-0") > id("1700000000000-99"));
        assert_eq!(id("1700000000001-0").before(), Some(EntryId(1_700_000_000_000, u64::MAX)));
        assert_eq!(id("5-3").before(), Some(EntryId(5, 2)));
        assert_eq!(id("0-0").before(), None);
        for bad in ["", "1", "a-1", "1-", "1-2-3"] {
            assert_eq!(EntryId::parse(bad), None, "{bad}");
        }
    }
}
