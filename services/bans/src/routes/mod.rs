//! HTTP routes of the bans register.

mod bans;
mod checks;
mod officers;

use platform::http::{Routed, any_of, fixed, get, post, put};

use crate::state::AppState;

pub(crate) use platform::http::authenticate;
pub(crate) use platform::write::write;

pub fn api(state: AppState) -> Routed {
    let s = &state;
    any_of([
        platform::dossier::route(s, zegel_contracts::register::Service::Bans),
        put(warp::path!("api" / "v1" / "agencies" / String / "officers"), s, officers::register),
        get(warp::path!("api" / "v1" / "agencies" / String / "officers"), s, officers::officers_get),
        get(warp::path!("api" / "v1" / "agencies" / String / "ban-status"), s, officers::ban_status),
        get(warp::path!("api" / "v1" / "agencies" / String / "officer-links"), s, officers::links_get),
        post(fixed(warp::path!("api" / "v1" / "bans")), s, bans::impose),
        get(fixed(warp::path!("api" / "v1" / "bans")), s, bans::current),
        post(warp::path!("api" / "v1" / "bans" / String / "lifting"), s, bans::lift),
        get(warp::path!("api" / "v1" / "bans" / String), s, bans::ban_get),
        post(fixed(warp::path!("api" / "v1" / "person-checks")), s, checks::check),
        get(fixed(warp::path!("api" / "v1" / "access-log")), s, checks::access_log),
    ])
}
