//! The machine verification endpoint.

use platform::http::{Request, json, no_store};
use warp::http::StatusCode;
use warp::reply::Response;

use crate::error::Result;
use crate::state::AppState;
use crate::verify;

pub(super) async fn verify_get(state: AppState, req: Request, seal: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let outcome = verify::check(&state, &seal).await;
    // A verdict is only true at the moment it is given: never cache it.
    Ok(platform::http::readable_anywhere(no_store(json(StatusCode::OK, &outcome))))
}
