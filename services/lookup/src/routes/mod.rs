//! HTTP routes of the lookup.

mod agencies;
mod kvk;
mod page;
mod trust;
mod verify;

use platform::http::Request;
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::reply::Response;

use crate::error::Error;
use crate::state::AppState;

/// Every route of the service.
pub fn api(state: AppState) -> BoxedFilter<(Response,)> {
    verify::routes(state.clone())
        .or(page::routes(state.clone()))
        .unify()
        .or(agencies::routes(state.clone()))
        .unify()
        .or(kvk::routes(state.clone()))
        .unify()
        .or(trust::routes(state))
        .unify()
        .boxed()
}

/// The single place a handler's result becomes a response (typed here, so that the
/// handlers' async blocks need no annotations).
pub(crate) fn finish(req: &Request, result: Result<Response, Error>) -> Response {
    platform::http::finish(req, result)
}
