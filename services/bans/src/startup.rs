//! The bans register as a service of the shared shell.

use std::sync::Arc;
use std::time::Duration;

use platform::clock::Clock;
use platform::core::Core;
use platform::shell::{App, Service, Task};
use secrecy::ExposeSecret;
use warp::filters::BoxedFilter;
use warp::reply::Response;

use crate::config::{DEV_BSN_KEY, Own, Settings};
use crate::state::AppState;

/// The bans register.
pub struct Bans;

/// A built, bound, not yet running register.
pub type Application = App<Bans>;

impl Service for Bans {
    type Own = Own;
    type State = AppState;

    platform::embedded_migrations!();

    async fn state(core: Core, clock: Clock, settings: &Settings) -> anyhow::Result<AppState> {
        if settings.own.bsn_key.expose_secret() == DEV_BSN_KEY {
            tracing::warn!("ZEGEL_BANS_BSN_KEY is the development key: set a secret one in production");
        }
        Ok(AppState { core, clock, settings: Arc::new(settings.own.clone()) })
    }

    fn api(state: AppState) -> BoxedFilter<(Response,)> {
        crate::routes::api(state)
    }

    fn tasks(state: &AppState) -> Vec<Task> {
        let interval = Duration::from_secs(state.settings.sweep_interval_secs);
        vec![Task::every(
            interval,
            "ban sweep",
            state.clone(),
            |s: AppState| async move { crate::sweep::run(&s).await },
        )]
    }
}
