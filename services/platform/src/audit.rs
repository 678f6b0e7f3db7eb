//! The append-only audit trail: who did what, in which role, why, and what changed.
//!
//! Written in the same transaction as the change it describes; the table refuses
//! updates and deletes (a trigger), so the trail can only grow.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::auth::{Principal, Role};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Actor {
    /// Token subject, or `system:<task>`.
    pub subject: String,
    pub role: String,
    pub org: Option<String>,
}

impl Actor {
    /// A person or system acting through a token, in `role`.
    pub fn of(principal: &Principal, role: Role) -> Self {
        Self { subject: principal.subject.clone(), role: role.as_str().into(), org: principal.org.clone() }
    }

    /// The service itself (a sweep, an event consumer).
    pub fn system(task: &str) -> Self {
        Self { subject: format!("system:{task}"), role: "system".into(), org: None }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub actor: Actor,
    /// What, e.g. `certificate.revoke`.
    pub action: String,
    pub subject: String,
    pub reason: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub request_id: String,
    /// The event that caused it (system actions).
    pub cause_event_id: Option<Uuid>,
    /// What the change tells the other registers, published with it.
    #[serde(skip)]
    pub publishes: Vec<crate::event::Event>,
}

impl Entry {
    /// An entry: `actor` did `action` to `subject` in `request_id`; nothing else said yet.
    pub fn new(
        actor: Actor,
        action: impl Into<String>,
        subject: impl Into<String>,
        request_id: impl Into<String>,
    ) -> Self {
        Self {
            actor,
            action: action.into(),
            subject: subject.into(),
            reason: None,
            before: None,
            after: None,
            request_id: request_id.into(),
            cause_event_id: None,
            publishes: Vec::new(),
        }
    }

    /// An entry that tells `event` and nothing else (a signal to other registers): its
    /// action is the event's type, its after the event's payload, and it publishes it.
    pub fn telling(
        actor: Actor,
        subject: impl Into<String>,
        request_id: impl Into<String>,
        event: crate::event::Event,
    ) -> Self {
        let action = event.event_type.clone();
        let after = event.payload.clone();
        Self::new(actor, action, subject, request_id).after(after).publishes(event)
    }

    /// Why, as given.
    pub fn reason(mut self, reason: impl Into<Option<String>>) -> Self {
        self.reason = reason.into();
        self
    }

    pub fn before(mut self, before: impl Into<Option<Value>>) -> Self {
        self.before = before.into();
        self
    }

    pub fn after(mut self, after: impl Into<Option<Value>>) -> Self {
        self.after = after.into();
        self
    }

    pub fn caused_by(mut self, event: impl Into<Option<Uuid>>) -> Self {
        self.cause_event_id = event.into();
        self
    }

    /// Publishes `event` with the entry: the change and what it tells the others are
    /// recorded together or not at all.
    pub fn publishes(mut self, event: crate::event::Event) -> Self {
        self.publishes.push(event);
        self
    }

    /// Publishes each of `events` with the entry.
    pub fn publishes_all(mut self, events: impl IntoIterator<Item = crate::event::Event>) -> Self {
        self.publishes.extend(events);
        self
    }

    /// Appends it, and writes the events it publishes to the outbox, inside the caller's
    /// transaction: the one place where a change is both audited and told.
    pub async fn record(&self, tx: &impl GenericClient) -> Result<(), tokio_postgres::Error> {
        insert(tx, self).await?;
        for event in &self.publishes {
            crate::outbox::enqueue(tx, event).await?;
        }
        Ok(())
    }
}

/// Appends `entry` (and publishes what it publishes) inside the caller's transaction.
pub async fn record(tx: &impl GenericClient, entry: &Entry) -> Result<(), tokio_postgres::Error> {
    entry.record(tx).await
}

async fn insert(tx: &impl GenericClient, entry: &Entry) -> Result<(), tokio_postgres::Error> {
    let stmt = tx
        .prepare_cached(
            "insert into audit_log (actor, role, org, action, subject, reason, before, after, request_id, cause_event_id)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .await?;
    tx.execute(
        &stmt,
        &[
            &entry.actor.subject,
            &entry.actor.role,
            &entry.actor.org,
            &entry.action,
            &entry.subject,
            &entry.reason,
            &entry.before,
            &entry.after,
            &entry.request_id,
            &entry.cause_event_id,
        ],
    )
    .await?;
    Ok(())
}

/// A recorded entry as shown to those allowed to read the trail.
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    pub occurred_at: DateTime<Utc>,
    pub actor: Actor,
    pub action: String,
    pub reason: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub request_id: String,
    pub cause_event_id: Option<Uuid>,
}

/// The trail of `subject`, oldest first.
pub async fn trail(client: &impl GenericClient, subject: &str) -> Result<Vec<Recorded>, tokio_postgres::Error> {
    let stmt = client
        .prepare_cached(
            "select occurred_at, actor, role, org, action, reason, before, after, request_id, cause_event_id
             from audit_log where subject = $1 order by audit_log_id",
        )
        .await?;
    let rows = client.query(&stmt, &[&subject]).await?;
    Ok(rows
        .iter()
        .map(|r| Recorded {
            occurred_at: r.get(0),
            actor: Actor { subject: r.get(1), role: r.get(2), org: r.get(3) },
            action: r.get(4),
            reason: r.get(5),
            before: r.get(6),
            after: r.get(7),
            request_id: r.get(8),
            cause_event_id: r.get(9),
        })
        .collect())
}
