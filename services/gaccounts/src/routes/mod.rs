//! HTTP routes of the G-account register.

mod accounts;
mod seals;

use warp::Filter;
use warp::filters::BoxedFilter;
use warp::reply::Response;

use crate::state::AppState;

pub(crate) use platform::http::{authenticate, finish};
pub(crate) use platform::write::write;

/// Every API route of the service.
pub fn api(state: AppState) -> BoxedFilter<(Response,)> {
    accounts::routes(state.clone()).or(seals::routes(state)).unify().boxed()
}
