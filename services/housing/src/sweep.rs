//! Time in the housing register: a deficiency open past its deadline revokes the mark
//! (and the municipality hears of it); a mark whose year passed without a renewing
//! inspection expires; a rehousing case open past its deadline is signalled; a building
//! that kept the SNF norm moves to the integrated norm when the transition ends, and its
//! capacity with it.

use std::collections::BTreeSet;

use platform::audit::{self, Actor};
use serde_json::json;

use crate::domain::{MarkAction, Norm};
use crate::register::{self, Change};
use crate::state::AppState;
use crate::{Result, events, routes, store};

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub revoked: usize,
    pub expired: usize,
    pub renormed: usize,
    /// Rehousing cases found open past their deadline.
    pub rehousing_overdue: usize,
    /// Buildings occupied where nobody may live whose case was opened, or closed again.
    pub unlawful_settled: usize,
}

pub async fn run(state: &AppState) -> Result<Report> {
    let now = state.clock.now();
    let today = state.clock.today();
    let mut report = Report::default();
    let mut client = state.core.pool.get().await?;

    let tx = client.transaction().await?;
    let overdue = store::take_overdue(&tx, today, now).await?;
    let buildings: BTreeSet<&String> = overdue.iter().map(|(bag, _)| bag).collect();
    let change = Change { actor: Actor::system("housing.sweep"), request_id: "sweep", now };
    for bag in buildings {
        let Some(b) = store::building(&tx, bag, true).await? else { continue };
        if register::apply(&tx, &b, MarkAction::Overdue, &change).await? != b.mark_status {
            report.revoked += 1;
        }
    }
    for bag in store::past_validity(&tx, now).await? {
        let Some(b) = store::building(&tx, &bag, true).await? else { continue };
        if register::apply(&tx, &b, MarkAction::Expire, &change).await? != b.mark_status {
            report.expired += 1;
        }
    }
    for case in store::take_overdue_rehousing(&tx, today, now).await? {
        platform::outbox::enqueue(&tx, &events::rehousing_overdue(&case, now)).await?;
        report.rehousing_overdue += 1;
    }
    tx.commit().await?;

    // People where nobody may live: the season ended or a permit ran out since the last
    // sweep (a permit decision and an occupancy report ask the same at once).
    for bag in store::unlawful_to_settle(&client).await? {
        let tx = client.transaction().await?;
        crate::rehousing::check(&tx, &bag, now).await?;
        tx.commit().await?;
        report.unlawful_settled += 1;
    }

    for bag in store::snf_buildings(&client).await? {
        let tx = client.transaction().await?;
        if let Some(b) = store::building(&tx, &bag, true).await?
            && routes::norm_for(state, &b.building) != Norm::Snf
        {
            let capacity = routes::measured_capacity(Norm::Integrated, &b);
            store::set_norm(&tx, &bag, Norm::Integrated, capacity).await?;
            if let Some(after) = store::building(&tx, &bag, false).await? {
                routes::capacity_changed(&tx, &b, &after, now).await?;
            }
            audit::Entry::new(Actor::system("housing.sweep"), "building.norm", &bag, "sweep")
                .reason("the SNF transition ended: the integrated norm applies".to_string())
                .before(json!({ "norm": b.norm, "capacity": b.capacity }))
                .after(json!({ "norm": Norm::Integrated, "capacity": capacity }))
                .record(&tx)
                .await?;
            report.renormed += 1;
        }
        tx.commit().await?;
    }
    state.core.relay.nudge();
    Ok(report)
}

/// The service's background tasks: the sweep, every `sweep_interval_secs`, and the
/// consumer of the certificates register's events.
pub fn tasks(state: &AppState) -> Vec<platform::shell::Task> {
    let every = std::time::Duration::from_secs(state.settings.sweep_interval_secs);
    let sweep =
        platform::shell::Task::every(every, "housing sweep", state.clone(), |s: AppState| async move { run(&s).await });
    // A fresh consumer name per process: what a dead one read and never acknowledged is
    // taken over by the living ones of the group.
    let name = format!("housing-{}", uuid::Uuid::new_v4().simple());
    let consumer = platform::consumer::Consumer::of(&state.core, crate::consumer::PARTY, &name);
    let for_consumer = state.clone();
    let consume = platform::shell::Task::run(async move {
        consumer.run(crate::consumer::PARTY, |event| crate::consumer::handle(&for_consumer, event)).await;
    });
    vec![sweep, consume]
}
