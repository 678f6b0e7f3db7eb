//! The deposits register as a service of the shared shell.

use std::time::Duration;

use platform::clock::Clock;
use platform::core::Core;
use platform::shell::{App, Service, Task};
use warp::filters::BoxedFilter;
use warp::reply::Response;
use zegel_attest::{Desk, Register};

use crate::config::{Own, Settings};
use crate::state::AppState;

/// The deposits register.
pub struct Deposits;

/// A built, bound, not yet running register.
pub type Application = App<Deposits>;

impl Service for Deposits {
    type Own = Own;
    type State = AppState;

    platform::embedded_migrations!();

    async fn state(core: Core, clock: Clock, settings: &Settings) -> anyhow::Result<AppState> {
        let desk = Desk::from_files(
            Register::Deposits,
            &settings.own.seal_key,
            &settings.own.seal_cert,
            &settings.common.verify_url,
            settings.own.seal_days,
        )?;
        Ok(AppState::new(core, clock, settings.own.clone(), desk))
    }

    fn api(state: AppState) -> BoxedFilter<(Response,)> {
        crate::routes::api(state)
    }

    fn tasks(state: &AppState) -> Vec<Task> {
        let interval = Duration::from_secs(state.settings.sweep_interval_secs);
        vec![Task::every(
            interval,
            "deposit sweep",
            state.clone(),
            |s: AppState| async move { crate::sweep::run(&s).await },
        )]
    }
}
