//! Seals of active G-accounts (no IBAN, no amounts in the seal).

use std::collections::BTreeMap;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use platform::audit::{self, Actor};
use platform::http::{Request, body, parse_json, request, with_state};
use platform::seals::{link, not_issued};
use serde::Deserialize;
use serde_json::json;
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_attest::qr;

use super::{authenticate, finish, write};
use crate::domain::{KvkNumber, Status};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{self, Seal};

pub(super) fn routes(state: AppState) -> BoxedFilter<(Response,)> {
    g_account_seal(state.clone()).or(platform::seals::qr_route(&state.core, state.verify_url.clone())).unify().boxed()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SealIn {}

/// POST /api/v1/agencies/{kvk}/g-account/seal
fn g_account_seal(state: AppState) -> BoxedFilter<(Response,)> {
    warp::path!("api" / "v1" / "agencies" / String / "g-account" / "seal")
        .and(warp::post())
        .and(request())
        .and(body())
        .and(with_state(state))
        .then(|kvk: String, req: Request, body: Bytes, state: AppState| async move {
            let result = issue(&state, &req, &kvk, &body).await;
            finish(&req, result)
        })
        .boxed()
}

async fn issue(state: &AppState, req: &Request, kvk: &str, raw: &Bytes) -> Result<Response> {
    let principal = authenticate(state, req)?;
    let kvk = KvkNumber::from_path(kvk)?;
    let role = super::accounts::agency_or_tax(&principal, &kvk)?;
    if !raw.is_empty() {
        let _: SealIn = parse_json(req, raw)?;
    }
    write(state, req, &principal, raw, async |tx| {
        let account = store::open_account(tx, kvk.as_str(), false)
            .await?
            .ok_or_else(|| Error::NotFound(format!("Agency {kvk} has no G-account.")))?;
        if account.status != Status::Active {
            return Err(Error::Conflict {
                slug: "no-active-g-account",
                title: "No active G-account",
                detail: format!("A seal needs an active G-account; this one is {}.", account.status.as_str()),
            });
        }
        let now = state.clock.now();
        let issued = state
            .signer
            .issue_for(kvk.as_str(), now.timestamp(), state.settings.seal_days, None, BTreeMap::new())
            .map_err(not_issued)?;
        let (seal_id, token) = (issued.seal_id, issued.token);
        let expires_at = DateTime::<Utc>::from_timestamp(issued.expires_at, 0).unwrap_or(now);
        let seal = Seal {
            seal_id,
            g_account_id: account.g_account_id,
            kvk_number: kvk.as_str().into(),
            token,
            kid: state.signer.kid().into(),
            issued_at: now,
            expires_at,
            issued_by: principal.subject.clone(),
        };
        store::insert_seal(tx, &seal).await?;
        audit::record(
            tx,
            &audit::Entry {
                actor: Actor::of(&principal, role),
                action: "g_account.seal.issue".into(),
                subject: kvk.as_str().into(),
                reason: None,
                before: None,
                after: Some(json!({ "seal_id": seal.seal_id, "kid": seal.kid, "expires_at": seal.expires_at })),
                request_id: req.id.clone(),
                cause_event_id: None,
            },
        )
        .await?;
        let body = qr::issued_json(
            seal.seal_id,
            &seal.token,
            &link(&state.verify_url, &seal.token),
            seal.issued_at,
            seal.expires_at,
        )
        .map_err(not_issued)?;
        Ok((StatusCode::CREATED, body))
    })
    .await
}
