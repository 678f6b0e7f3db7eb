//! The certificates register as a service of the shared shell: how its state is made, and its background tasks.

use std::sync::Arc;
use std::time::Duration;

use platform::clock::Clock;
use platform::consumer::Consumer;
use platform::core::Core;
use platform::shell::{Start, Task};
use zegel_desk::Desk;

use crate::config::{Own, Settings};
use crate::state::AppState;

impl Start for AppState {
    type Own = Own;

    async fn start(core: Core, clock: Clock, settings: &Settings) -> anyhow::Result<Self> {
        let own = &settings.own;
        // Registered with the core, so the shell forgets its quiet addresses too.
        let complaints = core.limiter_of(platform::http::PublicLimiter::per_hour(own.complaints_per_hour));
        let desk = Desk::of(settings, &core.metrics)?;
        Ok(AppState {
            complaints,
            core,
            clock,
            settings: Arc::new(own.clone()),
            desk,
            registers: crate::registers::Registers::new(
                &own.bans_url,
                &own.gaccounts_url,
                &own.deposits_url,
                &own.housing_url,
                if own.lookup_url.is_empty() { &settings.common.verify_url } else { &own.lookup_url },
            ),
        })
    }
}

/// The sweep applies the rules of time; the consumer, what other registers publish.
pub fn tasks(state: &AppState) -> Vec<Task> {
    let interval = Duration::from_secs(state.settings.sweep_interval_secs);
    let sweep =
        Task::every(
            interval,
            "certificate sweep",
            state.clone(),
            |s: AppState| async move { crate::sweep::run(&s).await },
        );
    // A fresh consumer name per process: what a dead one read and never acknowledged is
    // taken over by the living ones of the group.
    let name = format!("certificates-{}", uuid::Uuid::new_v4().simple());
    let consumer = Consumer::of(&state.core, crate::consumer::PARTY, &name);
    let for_consumer = state.clone();
    let consume = Task::run(async move {
        consumer.run(crate::consumer::PARTY, |event| crate::consumer::handle(&for_consumer, event)).await;
    });
    vec![sweep, consume]
}
