//! Time in the deposits register: a starter whose period ended without the full amount is
//! short; a shortfall past its top-up deadline is reported — once — so that the agency's
//! certificate lapses (advice 2.1 C).

use crate::error::Result;
use crate::events;
use crate::ledger;
use crate::state::AppState;
use crate::store;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub overdue: usize,
}

pub async fn run(state: &AppState) -> Result<Report> {
    let now = state.clock.now();
    let today = platform::clock::dutch_date(now);
    let mut client = state.core.pool.get().await?;
    // Re-settle every account: the required amount changes with time (the starter period).
    for (kvk, _) in store::accounts(&client).await? {
        let tx = client.transaction().await?;
        if let Some(opened_on) = store::lock_account(&tx, &kvk).await? {
            ledger::settle(&tx, state, &kvk, opened_on, ledger::Cause::Time, now).await?;
        }
        tx.commit().await?;
    }
    let tx = client.transaction().await?;
    let overdue = store::take_overdue(&tx, today).await?;
    for (kvk, deadline) in &overdue {
        let told = events::shortfall_overdue(kvk, *deadline, now);
        platform::audit::Entry::new(
            platform::audit::Actor::system("deposits.sweep"),
            told.event_type.clone(),
            kvk.as_str(),
            "sweep",
        )
        .reason("not topped up by the deadline".to_string())
        .after(serde_json::json!({ "top_up_by": deadline }))
        .publishes(told)
        .record(&tx)
        .await?;
    }
    tx.commit().await?;
    state.core.relay.nudge();
    Ok(Report { overdue: overdue.len() })
}

/// The sweep as the service's background task, every `sweep_interval_secs`.
pub fn tasks(state: &AppState) -> Vec<platform::shell::Task> {
    let every = std::time::Duration::from_secs(state.settings.sweep_interval_secs);
    vec![platform::shell::Task::every(
        every,
        "deposit sweep",
        state.clone(),
        |s: AppState| async move { run(&s).await },
    )]
}
