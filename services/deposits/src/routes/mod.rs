//! HTTP routes of the deposits register.

mod money;
mod seals;

use platform::http::Request;
use platform::problem::Kind;
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::reply::Response;

use crate::error::Result;
use crate::state::AppState;

pub(crate) use platform::http::{authenticate, finish};
pub(crate) use platform::write::write;

/// Every API route of the service.
pub fn api(state: AppState) -> BoxedFilter<(Response,)> {
    money::routes(state.clone()).or(seals::routes(state)).unify().boxed()
}

/// Money moves only with an `Idempotency-Key`: a retried payment must never be booked twice.
pub(crate) fn require_idempotency_key(req: &Request) -> Result<()> {
    if req.idempotency_key.is_some() {
        Ok(())
    } else {
        Err(crate::error::Error::Client(platform::Problem::of(Kind::IdempotencyKeyRequired).with_detail(
            "Requests that move money need an Idempotency-Key header, so that a retry is never booked twice.",
        )))
    }
}
