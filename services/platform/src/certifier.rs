//! What a register keeps of which certification body holds which agency: the rule is
//! `zegel_contracts::certifier` (a new certificate starts a hold, an ending ends it, a
//! withdrawn accreditation voids every hold of that body); this is where a register applies
//! it to its own tables and asks them. A body may then see what concerns its own agencies
//! and no others (advice 2.1 A: the body assesses the agencies it certifies) — their
//! officers in the bans register, the buildings where they house workers in the housing
//! register. A body's rights end with their ground: once its accreditation is withdrawn,
//! [`certifies`] answers no for every agency it holds, at the moment of reading, until an
//! accreditation is recorded again.
//!
//! Each register keeps the tables in its own schema (`certifier (kvk_number primary key,
//! certification_body_id, certificate_id, since)` and `body_accreditation
//! (certification_body_id primary key, accredited, since)`, created by its migrations).

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use uuid::Uuid;
use zegel_contracts::certifier::{self as rule, Hold};

use crate::event::Event;

/// What `event` says about who certifies whom, applied inside the caller's transaction
/// (which has recorded the event as consumed); `Ok(false)` for an event that says nothing
/// about it.
pub async fn learn(tx: &impl GenericClient, event: &Event) -> anyhow::Result<bool> {
    let body = event
        .body()
        .map_err(|e| anyhow::anyhow!("{} {}: unreadable payload: {e}", event.event_type, event.event_id))?;
    let Some(hold) = body.as_ref().and_then(rule::hold) else {
        return Ok(false);
    };
    match hold {
        Hold::Starts { kvk_number, certification_body_id, certificate_id } => {
            record(tx, kvk_number, certification_body_id, certificate_id, event.occurred_at).await?
        }
        Hold::Ends { certificate_id } => end(tx, certificate_id).await?,
        Hold::Accredited { certification_body_id, accredited } => {
            accredit(tx, certification_body_id, accredited, event.occurred_at).await?
        }
    }
    Ok(true)
}

/// A register's whole handling of a certificate event addressed to it: once per event id
/// (`consumer::first_time`, in the same transaction), what it says learned.
pub async fn consume(pool: &deadpool_postgres::Pool, event: &Event) -> anyhow::Result<()> {
    if !concerns(event) {
        return Ok(());
    }
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    if crate::consumer::first_time(&tx, event).await? {
        learn(&tx, event).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Whether `event` is one [`learn`] reads.
pub fn concerns(event: &Event) -> bool {
    event.kind().is_some_and(rule::concerns)
}

/// The holds that give reading rights now, as a subquery (`kvk_number`,
/// `certification_body_id`) for a register's own SQL: a hold of a body whose accreditation
/// was withdrawn gives none.
pub const HOLDING: &str = "(select c.kvk_number, c.certification_body_id from certifier c
      where not exists (select 1 from body_accreditation a
                        where a.certification_body_id = c.certification_body_id and not a.accredited))";

/// Whether any certification body (accredited or not) holds an application or a
/// certificate of agency `kvk`: a register then knows it as a registered agency.
pub async fn held(c: &impl GenericClient, kvk: &str) -> Result<bool, tokio_postgres::Error> {
    let stmt = c.prepare_cached("select exists (select 1 from certifier where kvk_number = $1)").await?;
    Ok(c.query_one(&stmt, &[&kvk]).await?.get(0))
}

/// Whether `body`'s accreditation stands (no withdrawal heard since the last grant).
pub async fn accredited(c: &impl GenericClient, body: &str) -> Result<bool, tokio_postgres::Error> {
    let stmt = c
        .prepare_cached(
            "select not exists (select 1 from body_accreditation where certification_body_id = $1 and not accredited)",
        )
        .await?;
    Ok(c.query_one(&stmt, &[&body]).await?.get(0))
}

/// Records whether `body` is accredited since `since` (an older event never overwrites a
/// newer).
async fn accredit(
    c: &impl GenericClient,
    body: &str,
    accredited: bool,
    since: DateTime<Utc>,
) -> Result<(), tokio_postgres::Error> {
    let stmt = c
        .prepare_cached(
            "insert into body_accreditation (certification_body_id, accredited, since) values ($1, $2, $3)
             on conflict (certification_body_id) do update
             set accredited = excluded.accredited, since = excluded.since
             where body_accreditation.since <= excluded.since",
        )
        .await?;
    c.execute(&stmt, &[&body, &accredited, &since]).await?;
    Ok(())
}

/// Records that `body` holds the application or certificate `certificate_id` of `kvk` (a
/// later certificate replaces an earlier one; an older event never overwrites a newer).
async fn record(
    c: &impl GenericClient,
    kvk: &str,
    body: &str,
    certificate_id: Uuid,
    since: DateTime<Utc>,
) -> Result<(), tokio_postgres::Error> {
    let stmt = c
        .prepare_cached(
            "insert into certifier (kvk_number, certification_body_id, certificate_id, since) values ($1, $2, $3, $4)
             on conflict (kvk_number) do update
             set certification_body_id = excluded.certification_body_id, certificate_id = excluded.certificate_id,
                 since = excluded.since
             where certifier.since <= excluded.since",
        )
        .await?;
    c.execute(&stmt, &[&kvk, &body, &certificate_id, &since]).await?;
    Ok(())
}

/// Forgets the body of certificate `certificate_id` once it has ended.
async fn end(c: &impl GenericClient, certificate_id: Uuid) -> Result<(), tokio_postgres::Error> {
    let stmt = c.prepare_cached("delete from certifier where certificate_id = $1").await?;
    c.execute(&stmt, &[&certificate_id]).await?;
    Ok(())
}

/// Whether `body` holds an application or certificate of agency `kvk` now, and is still
/// accredited (a body of which no accreditation event was heard was accredited when it
/// issued: the certificates register lets only accredited bodies issue).
pub async fn certifies(c: &impl GenericClient, body: &str, kvk: &str) -> Result<bool, tokio_postgres::Error> {
    let sql = format!("select exists (select 1 from {HOLDING} h where certification_body_id = $1 and kvk_number = $2)");
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query_one(&stmt, &[&body, &kvk]).await?.get(0))
}
