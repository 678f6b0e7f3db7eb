//! The register's one write path for marks: every change of a building's mark goes through
//! [`apply`], which asks the lifecycle (`domain::lifecycle`), writes the mark and its public
//! history, publishes the change and records who did it — all in the caller's transaction.

use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use platform::audit::{self, Actor};
use platform::problem::Kind;
use serde_json::json;

use crate::domain::{MarkAction, MarkStatus, Step};
use crate::store::{self, Marked};
use crate::{Error, Result, events};

#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub actor: Actor,
    /// The request that caused it (or the sweep's run).
    pub request_id: &'a str,
    pub now: DateTime<Utc>,
}

/// Applies `action` to the mark of `b` (which the caller has locked) and returns the
/// status the mark has afterwards.
pub async fn apply(tx: &impl GenericClient, b: &Marked, action: MarkAction, change: &Change<'_>) -> Result<MarkStatus> {
    let from = b.mark_status;
    let Step::To(to) = allowed(action, from)? else {
        return Ok(from);
    };
    let reason = action.reason(to);
    let mark_id = if action == MarkAction::Reapply {
        store::new_mark(tx, b, change.now).await?
    } else {
        store::set_mark(tx, b, to, action.valid_until(to), reason, change.now).await?;
        b.mark_id
    };
    let mut told: Vec<_> = events::mark_changed(b, to, reason, change.now).into_iter().collect();
    // Every agency that houses workers here may not be hired while the building has no
    // valid mark (its standing says so at once); each is told.
    if from == MarkStatus::Certified && to != MarkStatus::Certified {
        for kvk in store::placing_agencies(tx, &b.building.bag_id, platform::clock::dutch_date(change.now)).await? {
            told.push(events::placement_mark_lost(&kvk, b, to, change.now));
        }
    }
    audit::Entry::new(change.actor.clone(), format!("mark.{to}"), &b.building.bag_id, change.request_id)
        .reason(reason.to_string())
        .before(json!({ "mark_id": b.mark_id, "mark_status": from }))
        .after(json!({ "mark_id": mark_id, "mark_status": to }))
        .publishes_all(told)
        .record(tx)
        .await?;
    // A mark that ends with people living there leaves them to be rehoused (4.3 E); a
    // building certified again needs no rehousing any more.
    match to {
        MarkStatus::Revoked | MarkStatus::Expired if !from.ended() => {
            crate::rehousing::open(tx, b, to, change.now).await?;
        }
        MarkStatus::Certified => {
            crate::rehousing::close(tx, b, crate::rehousing::Closed::MarkReturned, change.now).await?;
        }
        _ => {}
    }
    Ok(to)
}

/// What `action` does to a mark that is `from`, or the conflict saying why it may not.
pub fn allowed(action: MarkAction, from: MarkStatus) -> Result<Step> {
    action.apply(from).ok_or_else(|| match action {
        MarkAction::Reapply => Error::Conflict {
            kind: Kind::MarkNotEnded,
            detail: format!("The building's mark is {from}; apply again once it is revoked or expired."),
        },
        _ => Error::Conflict {
            kind: Kind::MarkEnded,
            detail: format!("The mark is {from}; the provider applies again before a new inspection."),
        },
    })
}
