//! HTTP routes of the housing register.

mod buildings;

use deadpool_postgres::Transaction;
use platform::auth::Principal;
use platform::http::{Request, respond};
use serde_json::Value;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;

use crate::Result;
use crate::startup::AppState;

/// Every API route of the service.
pub fn api(state: AppState) -> BoxedFilter<(Response,)> {
    buildings::routes(state)
}

/// The single place a handler's result becomes a response.
pub(crate) fn finish(req: &Request, result: Result<Response>) -> Response {
    respond(req, result.map_err(|e| e.to_problem(&req.id)))
}

/// One transaction, honouring `Idempotency-Key`.
pub(crate) async fn write<F>(
    state: &AppState,
    req: &Request,
    principal: &Principal,
    body: &[u8],
    work: F,
) -> Result<Response>
where
    F: AsyncFnOnce(&Transaction<'_>) -> Result<(StatusCode, Value)>,
{
    platform::write::write(&state.core.pool, &state.core.relay, req, principal, body, work).await
}

/// Authenticates the caller (401 otherwise).
pub(crate) fn authenticate(state: &AppState, req: &Request) -> Result<Principal> {
    Ok(state.core.auth.authenticate(req.authorization.as_deref())?)
}
