//! HTTP routes of the lookup.

mod agencies;
mod claims;
mod kvk;
mod page;
mod statements;
mod statistics;
mod trust;
mod verify;

use platform::http::{Routed, any_of, fixed, get, post};
use warp::Filter as _;

use crate::state::AppState;

pub fn api(state: AppState) -> Routed {
    let s = &state;
    any_of([
        platform::dossier::route(s, zegel_contracts::register::Service::Lookup),
        get(warp::path!("api" / "v1" / "verify" / String), s, verify::verify_get),
        get(warp::path!("v" / String), s, page::seal_page),
        get(warp::path!("v" / String / "complaint"), s, page::complaint_form),
        get(fixed(warp::path!("complaint" / "sent")), s, page::complaint_sent),
        get(fixed(warp::path!("rights")), s, page::rights_page),
        get(fixed(warp::path!("accessibility")), s, statements::accessibility_page),
        get(fixed(warp::path!(".well-known" / "security.txt")), s, statements::security_txt),
        get(fixed(warp::path!("claim")), s, claims::claim_page),
        get(warp::path!("claims" / String), s, claims::status_page),
        get(fixed(warp::path!("work-complaint")), s, claims::work_page),
        get(warp::path!("work-complaints" / String), s, claims::work_status_page),
        get(warp::path!("api" / "v1" / "agencies" / String / "check"), s, agencies::check_get),
        post(fixed(warp::path!("api" / "v1" / "agency-checks")), s, agencies::bulk_post),
        get(fixed(warp::path!("check")), s, agencies::check_page),
        post(fixed(warp::path!("check")), s, agencies::check_page_post),
        // A bare `curl -X POST` keeps a receipt: the route reads no body.
        platform::http::no_body(
            warp::post().boxed(),
            warp::path!("api" / "v1" / "agencies" / String / "receipts"),
            s,
            agencies::receipt_post,
        ),
        post(fixed(warp::path!("api" / "v1" / "kvk" / "registration-checks")), s, kvk::registration_post),
        post(fixed(warp::path!("api" / "v1" / "kvk" / "deregistration-checks")), s, kvk::deregistration_post),
        get(fixed(warp::path!("api" / "v1" / "kvk" / "checks")), s, kvk::checks_get),
        get(fixed(warp::path!("api" / "v1" / "statistics")), s, statistics::statistics_get),
        get(fixed(warp::path!("statistics")), s, statistics::statistics_page),
        trust::trust_list_get(state.clone()),
        trust::status_list_get(state.clone()),
    ])
}
