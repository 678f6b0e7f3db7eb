//! HTTP routes of the deposits register.

mod claims;
mod money;
mod seals;

use platform::http::Request;
use platform::http::{Routed, any_of, fixed, get, no_body, post};
use platform::problem::Kind;
use warp::Filter;

use crate::error::Result;
use crate::state::AppState;

pub(crate) use platform::http::authenticate;
pub(crate) use platform::write::write;

pub fn api(state: AppState) -> Routed {
    let s = &state;
    any_of([
        platform::dossier::route(s, zegel_contracts::register::Service::Deposits),
        post(warp::path!("api" / "v1" / "agencies" / String / "deposit" / "payments"), s, money::pay_in),
        post(warp::path!("api" / "v1" / "agencies" / String / "deposit" / "claims"), s, money::file_claim),
        no_body(warp::post().boxed(), warp::path!("api" / "v1" / "claims" / String / "payout"), s, money::pay_out),
        post(warp::path!("api" / "v1" / "agencies" / String / "deposit" / "worker-claims"), s, claims::worker_claim),
        get(warp::path!("api" / "v1" / "worker-claims" / String), s, claims::worker_claim_status),
        post(warp::path!("api" / "v1" / "claims" / String / "assessment"), s, claims::assess),
        post(warp::path!("api" / "v1" / "claims" / String / "assessment-previews"), s, claims::preview),
        get(warp::path!("api" / "v1" / "claims" / String), s, claims::claim_get),
        get(fixed(warp::path!("api" / "v1" / "claims")), s, claims::to_assess),
        get(warp::path!("api" / "v1" / "claims" / String / "claimant"), s, claims::claimant),
        no_body(
            warp::post().boxed(),
            warp::path!("api" / "v1" / "agencies" / String / "deposit" / "payouts"),
            s,
            claims::payouts,
        ),
        no_body(
            warp::post().boxed(),
            warp::path!("api" / "v1" / "agencies" / String / "deposit" / "payout-previews"),
            s,
            claims::payout_preview,
        ),
        get(warp::path!("api" / "v1" / "agencies" / String / "deposit"), s, money::deposit_get),
        get(warp::path!("api" / "v1" / "agencies" / String / "deposit" / "ledger"), s, money::ledger_get),
        post(warp::path!("api" / "v1" / "agencies" / String / "deposit" / "seal"), s, seals::issue),
        state.desk.qr_route(&state.core),
    ])
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
