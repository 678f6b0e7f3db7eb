//! The machine verification endpoint.

use platform::http::{Request, json, no_store, request, with_state};
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;

use super::finish;
use crate::state::AppState;
use crate::verify;

pub(super) fn routes(state: AppState) -> BoxedFilter<(Response,)> {
    verify_get(state)
}

/// GET /api/v1/verify/{seal}
fn verify_get(state: AppState) -> BoxedFilter<(Response,)> {
    warp::path!("api" / "v1" / "verify" / String)
        .and(warp::get())
        .and(request())
        .and(with_state(state))
        .then(|seal: String, req: Request, state: AppState| async move {
            let result = async {
                state.core.limiter.check(&req)?;
                let outcome = verify::check(&state, &seal).await;
                // A verdict is only true at the moment it is given: never cache it.
                Ok(no_store(json(StatusCode::OK, &outcome)))
            }
            .await;
            finish(&req, result)
        })
        .boxed()
}
