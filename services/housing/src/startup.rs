//! The housing register as a service of the shared shell.

use std::sync::Arc;
use std::time::Duration;

use platform::clock::Clock;
use platform::core::Core;
use platform::http::PublicLimiter;
use platform::shell::{App, Service, Task};
use warp::filters::BoxedFilter;
use warp::reply::Response;
use zegel_attest::{Desk, Register};

use crate::config::{Own, Settings};
use crate::state::AppState;

/// The housing register.
pub struct Housing;

/// A built, bound, not yet running register.
pub type Application = App<Housing>;

impl Service for Housing {
    type Own = Own;
    type State = AppState;

    platform::embedded_migrations!();

    async fn state(core: Core, clock: Clock, settings: &Settings) -> anyhow::Result<AppState> {
        // Registered with the core, so the shell forgets its quiet addresses too.
        let complaints = core.limiter_of(PublicLimiter::per_hour(settings.own.complaints_per_hour));
        Ok(AppState {
            core,
            clock,
            settings: Arc::new(settings.own.clone()),
            desk: Desk::from_files(
                Register::Housing,
                &settings.own.seal_key,
                &settings.own.seal_cert,
                &settings.common.verify_url,
                settings.own.seal_days,
            )?,
            complaints,
        })
    }

    fn api(state: AppState) -> BoxedFilter<(Response,)> {
        crate::routes::api(state)
    }

    fn tasks(state: &AppState) -> Vec<Task> {
        let interval = Duration::from_secs(state.settings.sweep_interval_secs);
        vec![Task::every(
            interval,
            "housing sweep",
            state.clone(),
            |s: AppState| async move { crate::sweep::run(&s).await },
        )]
    }
}
