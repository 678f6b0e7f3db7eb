//! HTTP routes of the notifier.

mod subscriptions;

use warp::filters::BoxedFilter;
use warp::reply::Response;

use crate::state::AppState;

pub(crate) use platform::http::{authenticate, finish};

/// Every API route of the service.
pub fn api(state: AppState) -> BoxedFilter<(Response,)> {
    subscriptions::routes(state)
}
