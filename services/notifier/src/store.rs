//! All SQL of the notifier.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde::Serialize;
use serde_json::Value;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::Result;

platform::text_enum! {
    pub enum DeliveryStatus {
        /// Not yet delivered; tried again at `next_attempt_at`.
        Pending = "pending",
        Delivered = "delivered",
        /// Given up after the last attempt, or its subscription was deleted.
        Dead = "dead",
    }
}

/// A subscription (its signing secret is derived, never stored: see `webhook::secret_for`).
#[derive(Debug, Clone, Serialize)]
pub struct Subscription {
    pub subscription_id: Uuid,
    /// Who owns it (token subject).
    #[serde(skip)]
    pub owner: String,
    pub owner_role: String,
    pub owner_org: Option<String>,
    /// Agencies (KvK numbers) whose changes it receives.
    pub agencies: Vec<String>,
    pub topics: Vec<String>,
    pub url: String,
    pub created_at: DateTime<Utc>,
}

const SUBSCRIPTION: &str =
    "select subscription_id, owner, owner_role, owner_org, agencies, topics, url, created_at from subscription";

fn subscription(r: &Row) -> Subscription {
    Subscription {
        subscription_id: r.get(0),
        owner: r.get(1),
        owner_role: r.get(2),
        owner_org: r.get(3),
        agencies: r.get(4),
        topics: r.get(5),
        url: r.get(6),
        created_at: r.get(7),
    }
}

pub async fn insert_subscription(c: &impl GenericClient, s: &Subscription) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into subscription (subscription_id, owner, owner_role, owner_org, agencies, topics, url, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .await?;
    c.execute(
        &stmt,
        &[&s.subscription_id, &s.owner, &s.owner_role, &s.owner_org, &s.agencies, &s.topics, &s.url, &s.created_at],
    )
    .await?;
    Ok(())
}

/// Holds the organisation's lock until the transaction ends: its subscriptions are
/// counted and added one transaction at a time.
pub async fn lock_payer(c: &impl GenericClient, payer: &str) -> Result<()> {
    let stmt = c.prepare_cached("select pg_advisory_xact_lock(hashtext($1))").await?;
    c.execute(&stmt, &[&payer]).await?;
    Ok(())
}

/// How many live subscriptions the organisation (or the subscriber without one) holds.
pub async fn live_subscriptions(c: &impl GenericClient, payer: &str) -> Result<i64> {
    let stmt = c
        .prepare_cached(
            "select count(*) from subscription where coalesce(owner_org, owner) = $1 and deleted_at is null",
        )
        .await?;
    Ok(c.query_one(&stmt, &[&payer]).await?.get(0))
}

/// Moves a delivery's next attempt to `until` without counting an attempt (its
/// subscriber's delivery budget is spent for now).
pub async fn postpone(c: &impl GenericClient, delivery_id: Uuid, until: DateTime<Utc>) -> Result<()> {
    let stmt = c.prepare_cached("update delivery set next_attempt_at = $2 where delivery_id = $1").await?;
    c.execute(&stmt, &[&delivery_id, &until]).await?;
    Ok(())
}

pub async fn subscriptions_of(c: &impl GenericClient, owner: &str) -> Result<Vec<Subscription>> {
    let stmt = c
        .prepare_cached(&format!("{SUBSCRIPTION} where owner = $1 and deleted_at is null order by created_at"))
        .await?;
    Ok(c.query(&stmt, &[&owner]).await?.iter().map(subscription).collect())
}

pub async fn subscription_of(c: &impl GenericClient, owner: &str, id: Uuid) -> Result<Option<Subscription>> {
    let stmt = c
        .prepare_cached(&format!("{SUBSCRIPTION} where owner = $1 and subscription_id = $2 and deleted_at is null"))
        .await?;
    Ok(c.query_opt(&stmt, &[&owner, &id]).await?.map(|r| subscription(&r)))
}

/// Ends a subscription; its pending deliveries are not attempted any more.
pub async fn delete_subscription(c: &impl GenericClient, id: Uuid, now: DateTime<Utc>) -> Result<()> {
    let stmt = c.prepare_cached("update subscription set deleted_at = $2 where subscription_id = $1").await?;
    c.execute(&stmt, &[&id, &now]).await?;
    let stmt = c
        .prepare_cached(
            "update delivery set status = 'dead', last_error = 'subscription deleted' where subscription_id = $1 and status = 'pending'",
        )
        .await?;
    c.execute(&stmt, &[&id]).await?;
    Ok(())
}

/// Live subscriptions to any of `agencies` or any of `topics`.
pub async fn matching(c: &impl GenericClient, agencies: &[String], topics: &[String]) -> Result<Vec<Subscription>> {
    let stmt = c
        .prepare_cached(&format!(
            "{SUBSCRIPTION} where deleted_at is null and (agencies && $1::text[] or topics && $2::text[])"
        ))
        .await?;
    Ok(c.query(&stmt, &[&agencies, &topics]).await?.iter().map(subscription).collect())
}

/// Records a delivery to make (once per subscription and event).
pub async fn insert_delivery(
    c: &impl GenericClient,
    subscription_id: Uuid,
    event_id: Uuid,
    event_type: &str,
    body: &Value,
    now: DateTime<Utc>,
) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into delivery (delivery_id, subscription_id, event_id, event_type, body, next_attempt_at, created_at)
             values ($1, $2, $3, $4, $5, $6, $6) on conflict (subscription_id, event_id) do nothing",
        )
        .await?;
    c.execute(&stmt, &[&Uuid::now_v7(), &subscription_id, &event_id, &event_type, body, &now]).await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Due {
    pub delivery_id: Uuid,
    pub event_id: Uuid,
    pub body: Value,
    pub attempts: i32,
    pub url: String,
    /// Its subscription (the signing secret is derived from it).
    pub subscription_id: Uuid,
    /// Whose budget the attempt counts against: the subscriber's organisation, or the
    /// subscriber without one.
    pub payer: String,
}

/// Claims up to `limit` due deliveries by moving their next attempt to `lease_until`: if
/// this process dies while sending, they fall due again then (at least once).
pub async fn claim_due(
    c: &impl GenericClient,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Due>> {
    let stmt = c
        .prepare_cached(
            "update delivery d set next_attempt_at = $2
             from subscription s
             where s.subscription_id = d.subscription_id and d.delivery_id in (
                 select delivery_id from delivery where status = 'pending' and next_attempt_at <= $1
                 order by next_attempt_at limit $3 for update skip locked)
             returning d.delivery_id, d.event_id, d.body, d.attempts, s.url, s.subscription_id,
                       coalesce(s.owner_org, s.owner)",
        )
        .await?;
    Ok(c.query(&stmt, &[&now, &lease_until, &limit])
        .await?
        .iter()
        .map(|r| Due {
            delivery_id: r.get(0),
            event_id: r.get(1),
            body: r.get(2),
            attempts: r.get(3),
            url: r.get(4),
            subscription_id: r.get(5),
            payer: r.get(6),
        })
        .collect())
}

/// Records an attempt and its consequence: delivered, retried at `retry_at`, or dead.
#[allow(clippy::too_many_arguments)]
pub async fn record_attempt(
    c: &impl GenericClient,
    delivery_id: Uuid,
    at: DateTime<Utc>,
    status_code: Option<i32>,
    error: Option<&str>,
    duration_ms: i32,
    outcome: DeliveryStatus,
    retry_at: DateTime<Utc>,
) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into delivery_attempt (delivery_id, attempted_at, status_code, error, duration_ms) values ($1, $2, $3, $4, $5)",
        )
        .await?;
    c.execute(&stmt, &[&delivery_id, &at, &status_code, &error, &duration_ms]).await?;
    let stmt = c
        .prepare_cached(
            "update delivery set attempts = attempts + 1, status = $2, last_error = $3, next_attempt_at = $4,
                 delivered_at = case when $2 = 'delivered' then $5 else delivered_at end
             where delivery_id = $1",
        )
        .await?;
    c.execute(&stmt, &[&delivery_id, &outcome, &error, &retry_at, &at]).await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct Logged {
    pub delivery_id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// Next attempt (pending).
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub attempt_log: Value,
}

/// The delivery log of a subscription, newest first.
pub async fn deliveries(c: &impl GenericClient, subscription_id: Uuid, limit: i64) -> Result<Vec<Logged>> {
    let stmt = c
        .prepare_cached(
            "select d.delivery_id, d.event_id, d.event_type, d.status, d.attempts, d.next_attempt_at, d.last_error,
                    d.created_at, d.delivered_at,
                    coalesce((select json_agg(json_build_object('attempted_at', a.attempted_at, 'status_code', a.status_code,
                                 'error', a.error, 'duration_ms', a.duration_ms) order by a.delivery_attempt_id)
                              from delivery_attempt a where a.delivery_id = d.delivery_id), '[]'::json)
             from delivery d where d.subscription_id = $1 order by d.created_at desc, d.delivery_id desc limit $2",
        )
        .await?;
    Ok(c.query(&stmt, &[&subscription_id, &limit])
        .await?
        .iter()
        .map(|r| Logged {
            delivery_id: r.get(0),
            event_id: r.get(1),
            event_type: r.get(2),
            status: r.get(3),
            attempts: r.get(4),
            next_attempt_at: r.get(5),
            last_error: r.get(6),
            created_at: r.get(7),
            delivered_at: r.get(8),
            attempt_log: r.get(9),
        })
        .collect())
}

/// Puts a delivery of one of `owner`'s subscriptions back in the queue; `Ok(false)` when
/// there is no such delivery.
pub async fn redeliver(c: &impl GenericClient, owner: &str, id: Uuid, now: DateTime<Utc>) -> Result<bool> {
    let stmt = c
        .prepare_cached(
            "update delivery d set status = 'pending', next_attempt_at = $3, last_error = null
             from subscription s
             where s.subscription_id = d.subscription_id and s.owner = $1 and s.deleted_at is null and d.delivery_id = $2",
        )
        .await?;
    Ok(c.execute(&stmt, &[&owner, &id, &now]).await? == 1)
}
