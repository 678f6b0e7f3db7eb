//! HTTP routes of the notifier.

mod subscriptions;

use platform::auth::Principal;
use platform::http::{Request, respond};
use warp::filters::BoxedFilter;
use warp::reply::Response;

use crate::Result;
use crate::startup::AppState;

/// Every API route of the service.
pub fn api(state: AppState) -> BoxedFilter<(Response,)> {
    subscriptions::routes(state)
}

/// The single place a handler's result becomes a response.
pub(crate) fn finish(req: &Request, result: Result<Response>) -> Response {
    respond(req, result.map_err(|e| e.to_problem(&req.id)))
}

/// Authenticates the caller (401 otherwise).
pub(crate) fn authenticate(state: &AppState, req: &Request) -> Result<Principal> {
    Ok(state.core.auth.authenticate(req.authorization.as_deref())?)
}
