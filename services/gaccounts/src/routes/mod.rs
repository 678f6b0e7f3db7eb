//! HTTP routes of the G-account register.

mod accounts;
mod seals;

use platform::http::{Routed, any_of, get, pair, post, put};

use crate::domain::Action;

use crate::state::AppState;

pub(crate) use platform::http::authenticate;
pub(crate) use platform::write::write;

pub fn api(state: AppState) -> Routed {
    let s = &state;
    any_of([
        platform::dossier::route(s, zegel_contracts::register::Service::Gaccounts),
        put(warp::path!("api" / "v1" / "agencies" / String / "g-account"), s, accounts::register),
        get(warp::path!("api" / "v1" / "agencies" / String / "g-account"), s, accounts::g_account_get),
        get(warp::path!("api" / "v1" / "agencies" / String / "g-account" / "match"), s, accounts::g_account_match),
        get(warp::path!("api" / "v1" / "agencies" / String / "g-account" / "history"), s, accounts::g_account_history),
        // Only the four step names match, so other paths fall through to 404/405.
        post(pair(warp::path!("api" / "v1" / "agencies" / String / "g-account" / Action)), s, accounts::transition),
        post(warp::path!("api" / "v1" / "agencies" / String / "g-account" / "seal"), s, seals::issue),
        state.desk.qr_route(&state.core),
    ])
}
