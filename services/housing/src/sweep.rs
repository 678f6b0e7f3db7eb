//! Time in the housing register: a deficiency open past its deadline revokes the mark
//! (and the municipality hears of it); a mark whose year passed without a renewing
//! inspection expires; a building that kept the SNF norm moves to the integrated norm
//! when the transition ends, and its capacity with it.

use std::collections::BTreeSet;

use platform::audit::{self, Actor};
use serde_json::json;

use crate::domain::{MarkStatus, Norm};
use crate::state::AppState;
use crate::{Result, events, routes, store};

/// What one sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Marks revoked for an overdue deficiency.
    pub revoked: usize,
    /// Marks expired after their year.
    pub expired: usize,
    /// Buildings moved to another norm.
    pub renormed: usize,
}

/// Runs one sweep at the state's clock.
pub async fn run(state: &AppState) -> Result<Report> {
    let now = state.clock.now();
    let today = state.clock.today();
    let mut report = Report::default();
    let mut client = state.core.pool.get().await?;

    let tx = client.transaction().await?;
    let overdue = store::take_overdue(&tx, today, now).await?;
    let buildings: BTreeSet<&String> = overdue.iter().map(|(bag, _)| bag).collect();
    for bag in buildings {
        let Some(b) = store::building(&tx, bag, true).await? else { continue };
        let status = MarkStatus::parse(&b.mark_status).ok_or(crate::Error::Corrupt("mark status"))?;
        if status.ended() {
            continue;
        }
        let ids: Vec<String> =
            overdue.iter().filter(|(o, _)| o == bag).map(|(_, id)| id.to_string()).collect::<Vec<_>>();
        let reason = "a deficiency was not remedied by its deadline";
        end_mark(&tx, &b, MarkStatus::Revoked, reason, json!({ "deficiencies": ids }), now).await?;
        report.revoked += 1;
    }
    for bag in store::past_validity(&tx, now).await? {
        let Some(b) = store::building(&tx, &bag, true).await? else { continue };
        end_mark(&tx, &b, MarkStatus::Expired, "the mark's year passed without a renewing inspection", json!({}), now)
            .await?;
        report.expired += 1;
    }
    tx.commit().await?;

    for bag in store::snf_buildings(&client).await? {
        let tx = client.transaction().await?;
        if let Some(b) = store::building(&tx, &bag, true).await?
            && routes::norm_for(state, &b.building) != Norm::Snf
        {
            let bedrooms = store::bedrooms(&tx, &bag).await?;
            let capacity = routes::capacity_of(Norm::Integrated, &b.building, &bedrooms);
            store::set_norm(&tx, &bag, "integrated", capacity).await?;
            audit::record(
                &tx,
                &audit::Entry {
                    actor: Actor::system("housing.sweep"),
                    action: "building.norm".into(),
                    subject: bag.clone(),
                    reason: Some("the SNF transition ended: the integrated norm applies".into()),
                    before: Some(json!({ "norm": b.norm, "capacity": b.capacity })),
                    after: Some(json!({ "norm": "integrated", "capacity": capacity })),
                    request_id: "sweep".into(),
                    cause_event_id: None,
                },
            )
            .await?;
            report.renormed += 1;
        }
        tx.commit().await?;
    }
    state.core.relay.nudge();
    Ok(report)
}

async fn end_mark(
    tx: &deadpool_postgres::Transaction<'_>,
    b: &store::Marked,
    to: MarkStatus,
    reason: &str,
    detail: serde_json::Value,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    store::set_mark(tx, b, to.as_str(), None, reason, now).await?;
    platform::outbox::enqueue(tx, &events::mark_changed(b, to.as_str(), reason, now)).await?;
    audit::record(
        tx,
        &audit::Entry {
            actor: Actor::system("housing.sweep"),
            action: format!("mark.{}", to.as_str()),
            subject: b.building.bag_id.clone(),
            reason: Some(reason.into()),
            before: Some(json!({ "mark_status": b.mark_status, "mark_id": b.mark_id })),
            after: Some(json!({ "mark_status": to.as_str(), "detail": detail })),
            request_id: "sweep".into(),
            cause_event_id: None,
        },
    )
    .await?;
    Ok(())
}
