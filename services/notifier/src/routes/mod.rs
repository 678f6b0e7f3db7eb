//! HTTP routes of the notifier.

mod subscriptions;

use platform::http::{Routed, any_of, delete, fixed, get, no_body, post};
use warp::Filter;

use crate::state::AppState;

pub(crate) use platform::http::authenticate;

pub fn api(state: AppState) -> Routed {
    let s = &state;
    any_of([
        post(fixed(warp::path!("api" / "v1" / "subscriptions")), s, subscriptions::create),
        get(fixed(warp::path!("api" / "v1" / "subscriptions")), s, subscriptions::list),
        get(warp::path!("api" / "v1" / "subscriptions" / String), s, subscriptions::one),
        delete(warp::path!("api" / "v1" / "subscriptions" / String), s, subscriptions::delete),
        get(warp::path!("api" / "v1" / "subscriptions" / String / "deliveries"), s, subscriptions::deliveries),
        no_body(
            warp::post().boxed(),
            warp::path!("api" / "v1" / "deliveries" / String / "redelivery"),
            s,
            subscriptions::redeliver,
        ),
    ])
}
