//! Reads from a streaming replica that never answer from before an acknowledged change.
//!
//! Why: every door, every hirer's check and the KvK's machines read; at national scale
//! that load outgrows one database machine before the writes do, so the scans' reads go
//! to a replica. A replica replays the primary's WAL some time after the primary
//! committed it, and a scan must never say `valid` after a register acknowledged a
//! revoke. So each read is fenced:
//!
//! 1. after the read was asked, the primary's WAL position is read
//!    (`pg_current_wal_lsn()`: one value, no table, nothing locked). Every change a
//!    register has acknowledged lies before it: the registers commit with
//!    `synchronous_commit` on, so a commit's record is written before its client hears;
//! 2. the replica is asked for its replay position (`pg_last_wal_replay_lsn()`) until it
//!    has passed that point, for at most `wait`;
//! 3. the read then runs on the same replica connection as a *later* statement, so its
//!    snapshot is taken after the change was replayed (a single statement would not do:
//!    its snapshot is taken before the position is read).
//!
//! A replica that lags more than `wait`, cannot be reached, or is not in recovery (a
//! promoted one, or a primary named by mistake: its position means nothing here) is not
//! read: the read goes to the primary, and is counted. It never guesses.
//!
//! The cost is a round trip to the primary per read (coalesced per batch of scans by
//! `reads`); the work of the read itself — the statuses and standings of six registers —
//! is the replica's. docs/DESIGN.md compares this with a published LSN per register.

use std::time::{Duration, Instant};

use anyhow::Context;
use deadpool_postgres::{Object, Pool};
use futures::future::BoxFuture;
use platform::core::Core;
use platform::telemetry::{IntCounter, Metrics};
use secrecy::ExposeSecret;
use tokio_postgres::types::PgLsn;

use crate::config::Settings;

/// The reads of `settings`: fenced on the replica it names (its new connections warmed by
/// `warm`, as the primary's are: [`platform::shell::Start::WARM`]), or all on the primary.
///
/// A replica that answers at start must be one of the primary's own cluster (the same
/// system identifier): positions of another cluster's WAL would fence nothing. One that
/// does not answer yet is used once it does (reads go to the primary meanwhile).
pub async fn fresh(core: &Core, settings: &Settings, warm: Option<platform::db::Warm>) -> anyhow::Result<Fresh> {
    let own = &settings.own;
    if own.replica_url.expose_secret().is_empty() {
        return Ok(Fresh::primary_only(core.pool.clone()));
    }
    let target = platform::db::Target::new(&own.replica_url, settings.common.database_password.as_ref())
        .context("ZEGEL_LOOKUP_REPLICA_URL")?;
    // The same schema, role and session as the primary's connections.
    let replica = platform::db::warmed_pool(&target, "lookup", settings.common.db_pool_size, warm)?;
    match (cluster_of(&core.pool).await, cluster_of(&replica).await) {
        (Ok(primary), Ok(theirs)) if primary != theirs => anyhow::bail!(
            "ZEGEL_LOOKUP_REPLICA_URL: not a replica of ZEGEL_DATABASE_URL's cluster (system {theirs}, primary {primary})"
        ),
        (_, Err(e)) => {
            tracing::warn!(error = %format!("{e:#}"), "replica not reachable at start; reads go to the primary")
        }
        _ => {}
    }
    let wait = Duration::from_millis(own.replica_wait_ms);
    Ok(Fresh::with_replica(core.pool.clone(), replica, wait, &core.metrics))
}

/// The system identifier of the cluster `pool` reads (a replica shares its primary's).
async fn cluster_of(pool: &Pool) -> anyhow::Result<i64> {
    let client = pool.get().await?;
    Ok(client.query_one("select system_identifier from pg_control_system()", &[]).await?.get(0))
}

/// Where fenced reads go: the replica when it has caught up, else the primary.
#[derive(Clone, Debug)]
pub struct Fresh {
    primary: Pool,
    replica: Option<Replica>,
}

#[derive(Clone, Debug)]
struct Replica {
    pool: Pool,
    wait: Duration,
    counts: Counts,
}

/// Reads by where they went (`zegel_fenced_reads_total{source, why}`).
#[derive(Clone, Debug)]
struct Counts {
    replica: IntCounter,
    lagging: IntCounter,
    unreachable: IntCounter,
    not_in_recovery: IntCounter,
}

impl Counts {
    fn counted_in(metrics: &Metrics) -> Self {
        let c = metrics.counter(
            "fenced_reads_total",
            "Status reads by where they went: the replica, or the primary and why",
            &["source", "why"],
        );
        Self {
            replica: c.with_label_values(&["replica", "caught_up"]),
            lagging: c.with_label_values(&["primary", "replica_lagging"]),
            unreachable: c.with_label_values(&["primary", "replica_unreachable"]),
            not_in_recovery: c.with_label_values(&["primary", "replica_not_in_recovery"]),
        }
    }
}

/// Why a replica was passed over.
enum Passed {
    Lagging,
    Unreachable(anyhow::Error),
    NotInRecovery,
}

/// How many reads went where since start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub replica: u64,
    pub lagging: u64,
    pub unreachable: u64,
    pub not_in_recovery: u64,
}

impl Fresh {
    /// The reads so far by where they went (none counted without a replica).
    pub fn tally(&self) -> Tally {
        self.replica.as_ref().map_or_else(Tally::default, |r| Tally {
            replica: r.counts.replica.get(),
            lagging: r.counts.lagging.get(),
            unreachable: r.counts.unreachable.get(),
            not_in_recovery: r.counts.not_in_recovery.get(),
        })
    }

    /// Every read from `primary`.
    pub fn primary_only(primary: Pool) -> Self {
        Self { primary, replica: None }
    }

    /// Reads from `replica` once it has replayed what `primary` had written when the read
    /// was asked, waiting `wait` at most.
    pub fn with_replica(primary: Pool, replica: Pool, wait: Duration, metrics: &Metrics) -> Self {
        let counts = Counts::counted_in(metrics);
        Self { primary, replica: Some(Replica { pool: replica, wait, counts }) }
    }

    /// `read` on a connection whose statements see every change acknowledged before this
    /// call. When the replica fails between its fence and the read (it was stopped just
    /// then), the read is made again on the primary rather than answered with an error.
    pub async fn read<'a, T>(&self, read: impl Fn(Object) -> BoxFuture<'a, anyhow::Result<T>>) -> anyhow::Result<T> {
        let (client, on_replica) = self.connection().await?;
        match read(client).await {
            Err(e) if on_replica => {
                if let Some(replica) = &self.replica {
                    replica.counts.unreachable.inc();
                }
                tracing::warn!(error = %format!("{e:#}"), "read failed on the replica; read from the primary");
                read(self.primary.get().await?).await
            }
            answered => answered,
        }
    }

    /// A connection whose next statement sees every change acknowledged before this call.
    pub async fn get(&self) -> anyhow::Result<Object> {
        Ok(self.connection().await?.0)
    }

    /// [`Fresh::get`], and whether the connection is the replica's.
    async fn connection(&self) -> anyhow::Result<(Object, bool)> {
        let Some(replica) = &self.replica else {
            return Ok((self.primary.get().await?, false));
        };
        // The primary's connection is given back while the replica catches up: a lagging
        // replica must not hold the primary's pool for its wait.
        let written: PgLsn = self.primary.get().await?.query_one("select pg_current_wal_lsn()", &[]).await?.get(0);
        match replica.caught_up(written).await {
            Ok(client) => {
                replica.counts.replica.inc();
                Ok((client, true))
            }
            Err(passed) => {
                let counts = &replica.counts;
                match passed {
                    Passed::Lagging => counts.lagging.inc(),
                    Passed::NotInRecovery => counts.not_in_recovery.inc(),
                    Passed::Unreachable(e) => {
                        counts.unreachable.inc();
                        tracing::warn!(error = %format!("{e:#}"), "replica unreachable; read from the primary");
                    }
                }
                Ok((self.primary.get().await?, false))
            }
        }
    }
}

impl Replica {
    /// A replica connection once its replay has passed `written`.
    async fn caught_up(&self, written: PgLsn) -> Result<Object, Passed> {
        let deadline = Instant::now() + self.wait;
        let client = self.pool.get().await.map_err(|e| Passed::Unreachable(e.into()))?;
        let mut pause = Duration::from_millis(1);
        loop {
            // NULL when the server is not replaying (it is a primary): never read then.
            let replayed: Option<PgLsn> = client
                .query_one("select pg_last_wal_replay_lsn()", &[])
                .await
                .map_err(|e| Passed::Unreachable(e.into()))?
                .get(0);
            match replayed {
                None => return Err(Passed::NotInRecovery),
                Some(at) if at >= written => return Ok(client),
                Some(_) if Instant::now() + pause > deadline => return Err(Passed::Lagging),
                Some(_) => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(10));
                }
            }
        }
    }
}
