//! All SQL of the G-account register.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use platform::problem::Kind;
use serde::Serialize;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;
use uuid::Uuid;

use crate::domain::Status;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Serialize)]
pub struct GAccount {
    pub g_account_id: Uuid,
    pub kvk_number: String,
    pub iban: String,
    pub bank: String,
    pub status: Status,
    pub status_since: DateTime<Utc>,
}

const COLUMNS: &str = "g_account_id, kvk_number, iban, bank, status, status_since";

fn account(row: &Row) -> Result<GAccount> {
    Ok(GAccount {
        g_account_id: row.get(0),
        kvk_number: row.get(1),
        iban: row.get(2),
        bank: row.get(3),
        status: row.get(4),
        status_since: row.get(5),
    })
}

/// The agency's account that is not closed, if any; `lock` takes a row lock.
pub async fn open_account(c: &impl GenericClient, kvk: &str, lock: bool) -> Result<Option<GAccount>> {
    let sql = format!(
        "select {COLUMNS} from g_account where kvk_number = $1 and status <> 'closed'{}",
        if lock { " for update" } else { "" }
    );
    let stmt = c.prepare_cached(&sql).await?;
    c.query_opt(&stmt, &[&kvk]).await?.as_ref().map(account).transpose()
}

/// The agency's most recent account (open or closed).
pub async fn latest_account(c: &impl GenericClient, kvk: &str) -> Result<Option<GAccount>> {
    let sql = format!(
        "select {COLUMNS} from g_account where kvk_number = $1 order by created_at desc, g_account_id desc limit 1"
    );
    let stmt = c.prepare_cached(&sql).await?;
    c.query_opt(&stmt, &[&kvk]).await?.as_ref().map(account).transpose()
}

/// Stores a new account; 409 when the agency already has one open.
pub async fn insert_account(c: &impl GenericClient, a: &GAccount) -> Result<()> {
    let stmt = c
        .prepare_cached("insert into g_account (g_account_id, kvk_number, iban, bank, status, status_since) values ($1, $2, $3, $4, $5, $6)")
        .await?;
    c.execute(&stmt, &[&a.g_account_id, &a.kvk_number, &a.iban, &a.bank, &a.status, &a.status_since]).await.map_err(
        |e| match e.as_db_error() {
            Some(db)
                if db.code() == &SqlState::UNIQUE_VIOLATION && db.constraint() == Some("g_account_agency_open_key") =>
            {
                Error::Conflict {
                    kind: Kind::GAccountInUse,
                    detail:
                        "This agency already has a G-account; the tax authority closes it before another is registered."
                            .into(),
                }
            }
            _ => e.into(),
        },
    )?;
    Ok(())
}

/// Writes the mutable fields of `a`.
pub async fn update_account(c: &impl GenericClient, a: &GAccount) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "update g_account set iban = $2, bank = $3, status = $4, status_since = $5 where g_account_id = $1",
        )
        .await?;
    c.execute(&stmt, &[&a.g_account_id, &a.iban, &a.bank, &a.status, &a.status_since]).await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusChange {
    pub g_account_id: Uuid,
    pub from: Option<Status>,
    pub to: Status,
    pub at: DateTime<Utc>,
}

pub async fn insert_status_change(
    c: &impl GenericClient,
    id: Uuid,
    from: Option<Status>,
    to: Status,
    at: DateTime<Utc>,
) -> Result<()> {
    let stmt = c
        .prepare_cached("insert into g_account_status_change (g_account_id, from_status, to_status, changed_at) values ($1, $2, $3, $4)")
        .await?;
    c.execute(&stmt, &[&id, &from, &to, &at]).await?;
    Ok(())
}

/// The history of every account of the agency, oldest first.
pub async fn history(c: &impl GenericClient, kvk: &str) -> Result<Vec<StatusChange>> {
    let stmt = c
        .prepare_cached(
            "select h.g_account_id, h.from_status, h.to_status, h.changed_at
             from g_account_status_change h join g_account g on g.g_account_id = h.g_account_id
             where g.kvk_number = $1 order by h.g_account_status_change_id",
        )
        .await?;
    Ok(c.query(&stmt, &[&kvk])
        .await?
        .iter()
        .map(|r| StatusChange { g_account_id: r.get(0), from: r.get(1), to: r.get(2), at: r.get(3) })
        .collect())
}
