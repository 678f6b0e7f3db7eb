//! Bans recorded ahead of their start date are published the day they start.

use platform::audit::{self, Actor};

use crate::error::Result;
use crate::events;
use crate::state::AppState;
use crate::store;

/// Publishes every ban whose start has come; returns how many.
pub async fn run(state: &AppState) -> Result<usize> {
    let today = state.clock.today();
    let now = state.clock.now();
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    let starting = store::bans_starting(&tx, today).await?;
    for ban in &starting {
        publish_start(&tx, ban, today, now, &Actor::system("bans.sweep"), "sweep", None).await?;
    }
    tx.commit().await?;
    if !starting.is_empty() {
        state.core.relay.nudge();
    }
    Ok(starting.len())
}

/// Publishes `ban.in_force` (to KvK and the inspectorate) and `ban.officer_banned` for
/// every agency where the banned person is a current officer in a covered role, and marks
/// the ban's start as published.
pub async fn publish_start(
    tx: &deadpool_postgres::Transaction<'_>,
    ban: &store::Ban,
    today: chrono::NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
    actor: &Actor,
    request_id: &str,
    cause: Option<uuid::Uuid>,
) -> Result<()> {
    platform::outbox::enqueue(tx, &events::in_force(ban, now)).await?;
    for (kvk, role) in store::agencies_hit(tx, ban.ban_id, today).await? {
        let body = store::certifier_of(tx, &kvk).await?;
        let event = events::officer_banned(ban.ban_id, &kvk, role, ban.starts_on, body.as_deref(), now);
        audit::Entry::telling((*actor).clone(), ban.ban_id.to_string(), request_id, event)
            .caused_by(cause)
            .record(tx)
            .await?;
    }
    store::mark_start_signalled(tx, ban.ban_id).await?;
    Ok(())
}

/// The service's background tasks: the sweep, every `sweep_interval_secs`, and the
/// consumer of the certificates register's events.
pub fn tasks(state: &AppState) -> Vec<platform::shell::Task> {
    let every = std::time::Duration::from_secs(state.settings.sweep_interval_secs);
    let sweep =
        platform::shell::Task::every(every, "ban sweep", state.clone(), |s: AppState| async move { run(&s).await });
    // A fresh consumer name per process: what a dead one read and never acknowledged is
    // taken over by the living ones of the group.
    let name = format!("bans-{}", uuid::Uuid::new_v4().simple());
    let consumer = platform::consumer::Consumer::of(&state.core, crate::consumer::PARTY, &name);
    let for_consumer = state.clone();
    let consume = platform::shell::Task::run(async move {
        consumer.run(crate::consumer::PARTY, |event| crate::consumer::handle(&for_consumer, event)).await;
    });
    vec![sweep, consume]
}
