//! The lookup as a service of the shared shell.

use std::sync::Arc;
use std::time::Duration;

use platform::clock::Clock;
use platform::core::Core;
use platform::shell::{App, Service, Task};
use warp::filters::BoxedFilter;
use warp::reply::Response;
use zegel_attest::{Desk, Register};

use crate::config::{Own, Settings};
use crate::state::AppState;

/// The lookup.
pub struct Lookup;

/// A built, bound, not yet running lookup.
pub type Application = App<Lookup>;

impl Service for Lookup {
    type Own = Own;
    type State = AppState;

    platform::embedded_migrations!();

    async fn state(core: Core, clock: Clock, settings: &Settings) -> anyhow::Result<AppState> {
        let own = &settings.own;
        let state = AppState {
            core,
            clock,
            http: reqwest::Client::builder().timeout(Duration::from_secs(3)).build()?,
            settings: Arc::new(own.clone()),
            desk: Desk::from_files(
                Register::Lookup,
                &own.seal_key,
                &own.seal_cert,
                &settings.common.verify_url,
                crate::agency::RECEIPT_DAYS,
            )?,
            trust: Arc::default(),
        };
        state.reload_trust()?;
        Ok(state)
    }

    fn api(state: AppState) -> BoxedFilter<(Response,)> {
        crate::routes::api(state)
    }

    /// The list was loaded at build; a reload of an unchanged file changes nothing.
    fn tasks(state: &AppState) -> Vec<Task> {
        let interval = Duration::from_secs(state.settings.trust_reload_secs);
        vec![Task::every(interval, "trust list reload", state.clone(), |s: AppState| async move { s.reload_trust() })]
    }
}
