//! The certificates register as a service of the shared shell.

use std::sync::Arc;
use std::time::Duration;

use platform::clock::Clock;
use platform::consumer::Consumer;
use platform::core::Core;
use platform::shell::{App, Service, Task};
use warp::filters::BoxedFilter;
use warp::reply::Response;
use zegel_attest::{Desk, Register};

use crate::config::{Own, Settings};
use crate::state::AppState;

/// The certificates register.
pub struct Certificates;

/// A built, bound, not yet running register.
pub type Application = App<Certificates>;

impl Service for Certificates {
    type Own = Own;
    type State = AppState;

    platform::embedded_migrations!();

    async fn state(core: Core, clock: Clock, settings: &Settings) -> anyhow::Result<AppState> {
        let own = &settings.own;
        Ok(AppState {
            core,
            clock,
            settings: Arc::new(own.clone()),
            desk: Desk::from_files(
                Register::Certificates,
                &settings.own.seal_key,
                &settings.own.seal_cert,
                &settings.common.verify_url,
                settings.own.seal_days,
            )?,
            registers: crate::registers::Registers::new(
                &own.bans_url,
                &own.gaccounts_url,
                &own.deposits_url,
                &own.housing_url,
            ),
        })
    }

    fn api(state: AppState) -> BoxedFilter<(Response,)> {
        crate::routes::api(state)
    }

    /// The sweep applies the rules of time; the consumer, what other registers publish.
    fn tasks(state: &AppState) -> Vec<Task> {
        let interval = Duration::from_secs(state.settings.sweep_interval_secs);
        let sweep = Task::every(interval, "certificate sweep", state.clone(), |s: AppState| async move {
            crate::sweep::run(&s).await
        });
        // A fresh consumer name per process: what a dead one read and never acknowledged is
        // taken over by the living ones of the group.
        let name = format!("certificates-{}", uuid::Uuid::new_v4().simple());
        let consumer = Consumer::new(state.core.bus.clone(), crate::consumer::PARTY, &name);
        let for_consumer = state.clone();
        let consume = Task::run(async move {
            consumer.run(crate::consumer::PARTY, |event| crate::consumer::handle(&for_consumer, event)).await;
        });
        vec![sweep, consume]
    }
}
