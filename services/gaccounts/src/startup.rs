//! The G-account register as a service of the shared shell.

use platform::clock::Clock;
use platform::core::Core;
use platform::shell::{App, Service};
use warp::filters::BoxedFilter;
use warp::reply::Response;
use zegel_attest::{Desk, Register};

use crate::config::{Own, Settings};
use crate::state::AppState;

/// The G-account register.
pub struct Gaccounts;

/// A built, bound, not yet running register.
pub type Application = App<Gaccounts>;

impl Service for Gaccounts {
    type Own = Own;
    type State = AppState;

    platform::embedded_migrations!();

    async fn state(core: Core, clock: Clock, settings: &Settings) -> anyhow::Result<AppState> {
        let desk = Desk::from_files(
            Register::Gaccounts,
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
}
