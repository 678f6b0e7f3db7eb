//! Seals of adequate deposits (no amounts in the seal).

use std::collections::BTreeMap;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use platform::audit::{self, Actor};
use platform::auth::Role;
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
use crate::domain::KvkNumber;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;

pub(super) fn routes(state: AppState) -> BoxedFilter<(Response,)> {
    deposit_seal(state.clone()).or(platform::seals::qr_route(&state.core, state.verify_url.clone())).unify().boxed()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SealIn {}

/// POST /api/v1/agencies/{kvk}/deposit/seal
fn deposit_seal(state: AppState) -> BoxedFilter<(Response,)> {
    warp::path!("api" / "v1" / "agencies" / String / "deposit" / "seal")
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
    let role = if principal.acts_for(Role::Agency, kvk.as_str()) {
        Role::Agency
    } else if principal.has(Role::AdmissionAuthority) {
        Role::AdmissionAuthority
    } else {
        return Err(Error::Forbidden(
            "Only the agency itself or the admission authority asks for a deposit seal.".into(),
        ));
    };
    if !raw.is_empty() {
        let _: SealIn = parse_json(req, raw)?;
    }
    write(state, req, &principal, raw, async |tx| {
        let opened_on = store::account(tx, kvk.as_str())
            .await?
            .ok_or_else(|| Error::NotFound(format!("Agency {kvk} has no deposit.")))?;
        let standing = crate::ledger::standing(tx, state, kvk.as_str(), opened_on, state.clock.today()).await?;
        if !standing.adequate {
            return Err(Error::Conflict {
                slug: "deposit-not-adequate",
                title: "Deposit not adequate",
                detail: "A seal needs a deposit at the required level.".into(),
            });
        }
        let now = state.clock.now();
        let issued = state
            .signer
            .issue_for(kvk.as_str(), now.timestamp(), state.settings.seal_days, None, BTreeMap::new())
            .map_err(not_issued)?;
        let (seal_id, token) = (issued.seal_id, issued.token);
        let expires_at = DateTime::<Utc>::from_timestamp(issued.expires_at, 0).unwrap_or(now);
        store::insert_seal(
            tx,
            &store::Seal {
                seal_id,
                kvk_number: kvk.as_str().into(),
                token: token.clone(),
                kid: state.signer.kid().into(),
                issued_at: now,
                expires_at,
                issued_by: principal.subject.clone(),
            },
        )
        .await?;
        audit::record(
            tx,
            &audit::Entry {
                actor: Actor::of(&principal, role),
                action: "deposit.seal.issue".into(),
                subject: kvk.as_str().into(),
                reason: None,
                before: None,
                after: Some(json!({ "seal_id": seal_id, "kid": state.signer.kid(), "expires_at": expires_at })),
                request_id: req.id.clone(),
                cause_event_id: None,
            },
        )
        .await?;
        let body =
            qr::issued_json(seal_id, &token, &link(&state.verify_url, &token), now, expires_at).map_err(not_issued)?;
        Ok((StatusCode::CREATED, body))
    })
    .await
}
