//! HTTP routes of the bans register.

mod bans;
mod checks;
mod officers;

use warp::Filter;
use warp::filters::BoxedFilter;
use warp::reply::Response;

use crate::state::AppState;

pub(crate) use platform::http::{authenticate, finish};
pub(crate) use platform::write::write;

/// Every API route of the service.
pub fn api(state: AppState) -> BoxedFilter<(Response,)> {
    officers::routes(state.clone()).or(bans::routes(state.clone())).unify().or(checks::routes(state)).unify().boxed()
}
