//! The register's one write path: every state change of a certificate goes through
//! [`apply`], which checks the lifecycle, writes the new state, the public history, the
//! audit entry and the outbox events — all in the caller's transaction.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use platform::audit::{self, Actor};
use platform::outbox::Event;
use uuid::Uuid;
use zegel_contracts::certificate::Why;

use crate::domain::lifecycle::Action;
use crate::domain::reentry::{Ended, Policy};
use crate::error::{Error, Result};
use crate::events;
use crate::store::{self, Certificate};

/// Who changes what, why, and when.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub actor: Actor,
    pub reason: Option<&'a str>,
    /// Request that caused it (or the sweep's run id).
    pub request_id: &'a str,
    pub cause_event_id: Option<Uuid>,
    /// The ground of a suspension, revocation, lapse or escaping withdrawal, a code kept in
    /// the public history for the yearly statistics and the re-entry rule (never the
    /// reason's text).
    pub ground: Option<Why>,
    pub now: DateTime<Utc>,
}

/// Applies `action` to `cert` (which the caller has locked), with `mutate` setting the
/// fields the action changes besides the status.
pub async fn apply(
    tx: &impl GenericClient,
    cert: Certificate,
    action: Action,
    change: &Change<'_>,
    mutate: impl FnOnce(&mut Certificate),
) -> Result<Certificate> {
    let to = action.apply(cert.status).ok_or(Error::IllegalTransition { from: cert.status, action })?;
    let before = cert;
    let mut after = before.clone();
    mutate(&mut after);
    if to != before.status {
        after.status = to;
        after.status_since = change.now;
        store::insert_status_change(
            tx,
            after.certificate_id,
            Some(before.status),
            to,
            change.now,
            change.ground.map(Why::as_str),
        )
        .await?;
    }
    store::update_certificate(tx, &after).await?;
    let ground = change.ground.and_then(Why::ground);
    // An ending that starts a waiting period says until when: the bans register holds the
    // persons who ran the agency to the same date (the phoenix radar).
    let waits_until = match after.ended_on.filter(|_| !after.status.is_active()) {
        Some(ended_on) => {
            let policies = store::reentry_policies(tx).await?;
            let ended = Ended { certificate_id: after.certificate_id, status: after.status, ended_on, ground };
            ended.waits_until(|on| Policy::in_force(&policies, on))
        }
        None => None,
    };
    let ending = events::Ending { ground, waits_until };
    let told = events::for_transition(action, &before, &after, change.reason, ending, change.now);
    let subject = after.certificate_id.to_string();
    entry(&subject, &format!("certificate.{}", action.as_str()), change, Some(&before), Some(&after))
        .publishes_all(told)
        .record(tx)
        .await?;
    Ok(after)
}

/// The audit entry of `change` to `subject`: add what it publishes, then record it.
pub fn entry<B: serde::Serialize, A: serde::Serialize>(
    subject: &str,
    action: &str,
    change: &Change<'_>,
    before: Option<&B>,
    after: Option<&A>,
) -> audit::Entry {
    audit::Entry::new(change.actor.clone(), action, subject, change.request_id)
        .reason(change.reason.map(str::to_string))
        .before(before.and_then(|b| serde_json::to_value(b).ok()))
        .after(after.and_then(|a| serde_json::to_value(a).ok()))
        .caused_by(change.cause_event_id)
}

/// Appends an audit entry for `subject`.
pub async fn record<B: serde::Serialize, A: serde::Serialize>(
    tx: &impl GenericClient,
    subject: &str,
    action: &str,
    change: &Change<'_>,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<()> {
    entry(subject, action, change, before, after).record(tx).await?;
    Ok(())
}

/// Publishes an event that is not a transition (with its audit entry).
pub async fn signal(tx: &impl GenericClient, subject: &str, change: &Change<'_>, event: Event) -> Result<()> {
    let action = event.event_type.clone();
    let payload = event.payload.clone();
    entry(subject, &action, change, None::<&()>, Some(&payload)).publishes(event).record(tx).await?;
    Ok(())
}
