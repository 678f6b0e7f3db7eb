//! Seals of agency certificates: issuing one (with its QR code) and re-rendering the QR.

use std::collections::BTreeMap;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use platform::audit::Actor;
use platform::auth::Role;
use platform::http::{Request, body, parse_json, request, with_state};
use serde::Deserialize;
use serde_json::json;
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_attest::qr::{self, Rendering};

use super::{authenticate, finish, id_from_path, kvk_from_path, write};
use crate::domain::Status;
use crate::error::{Error, Result};
use crate::register::{self, Change};
use crate::routes::certificates::valid_until;
use crate::state::AppState;
use crate::store::{self, Seal};

pub(super) fn routes(state: AppState) -> BoxedFilter<(Response,)> {
    agency_seal_create(state.clone()).or(seal_qr(state)).unify().boxed()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SealIn {}

/// POST /api/v1/agencies/{kvk}/certificate/seal
fn agency_seal_create(state: AppState) -> BoxedFilter<(Response,)> {
    warp::path!("api" / "v1" / "agencies" / String / "certificate" / "seal")
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

/// The URL a seal's QR code holds.
pub(crate) fn url(state: &AppState, token: &str) -> String {
    format!("{}/v/{token}", state.verify_url)
}

async fn issue(state: &AppState, req: &Request, kvk: &str, raw: &Bytes) -> Result<Response> {
    let principal = authenticate(state, req)?;
    let kvk = kvk_from_path(kvk)?;
    // An empty body is allowed: there is nothing to say when asking for a seal.
    if !raw.is_empty() {
        let _: SealIn = parse_json(req, raw)?;
    }
    write(state, req, &principal, raw, async |tx| {
        let cert = store::latest_certificate(tx, kvk.as_str())
            .await?
            .ok_or_else(|| Error::NotFound(format!("Agency {kvk} has no certificate.")))?;
        let role = if principal.acts_for(Role::Agency, kvk.as_str()) {
            Role::Agency
        } else {
            let body = super::acting_body(tx, &principal).await?;
            if body != cert.certification_body_id {
                return Err(Error::Forbidden("This certificate was issued by another certification body.".into()));
            }
            Role::CertificationBody
        };
        if !matches!(cert.status, Status::Provisional | Status::Certified) {
            return Err(Error::Conflict {
                slug: "no-valid-certificate",
                title: "No valid certificate",
                detail: format!("A seal needs a valid certificate; this one is {}.", cert.status.as_str()),
            });
        }
        let now = state.clock.now();
        // The seal never outlives the certificate.
        let by_certificate =
            valid_until(&cert).and_then(|d| d.and_hms_opt(23, 59, 59)).map(|dt| dt.and_utc().timestamp());
        let issued = state
            .signer
            .issue_for(kvk.as_str(), now.timestamp(), state.settings.seal_days, by_certificate, BTreeMap::new())
            .map_err(|e| Error::Conflict {
                slug: "seal-not-issued",
                title: "Seal not issued",
                detail: e.to_string(),
            })?;
        let (seal_id, token) = (issued.seal_id, issued.token);
        let expires_at = DateTime::<Utc>::from_timestamp(issued.expires_at, 0).unwrap_or(now);
        let seal = Seal {
            seal_id,
            certificate_id: cert.certificate_id,
            kvk_number: kvk.as_str().into(),
            token,
            kid: state.signer.kid().into(),
            issued_at: now,
            expires_at,
            issued_by: principal.subject.clone(),
        };
        store::insert_seal(tx, &seal).await?;
        let change =
            Change { actor: Actor::of(&principal, role), reason: None, request_id: &req.id, cause_event_id: None, now };
        let audited = json!({ "seal_id": seal.seal_id, "kid": seal.kid, "expires_at": seal.expires_at });
        register::record(
            tx,
            &cert.certificate_id.to_string(),
            "certificate.seal.issue",
            &change,
            None::<&()>,
            Some(&audited),
        )
        .await?;
        Ok((StatusCode::CREATED, seal_view(state, &seal)?))
    })
    .await
}

fn seal_view(state: &AppState, seal: &Seal) -> Result<serde_json::Value> {
    qr::issued_json(seal.seal_id, &seal.token, &url(state, &seal.token), seal.issued_at, seal.expires_at)
        .map_err(|e| Error::Conflict { slug: "seal-not-issued", title: "Seal not issued", detail: e.to_string() })
}

/// GET /api/v1/seals/{id}/qr.svg and /api/v1/seals/{id}/qr.png
fn seal_qr(state: AppState) -> BoxedFilter<(Response,)> {
    warp::path!("api" / "v1" / "seals" / String / Rendering)
        .and(warp::get())
        .and(request())
        .and(with_state(state))
        .then(|id: String, rendering: Rendering, req: Request, state: AppState| async move {
            let result = render(&state, &req, &id, rendering).await;
            finish(&req, result)
        })
        .boxed()
}

async fn render(state: &AppState, req: &Request, id: &str, rendering: Rendering) -> Result<Response> {
    state.core.limiter.check(req)?;
    let id = id_from_path(id, "seal")?;
    let client = state.core.pool.get().await?;
    let seal = store::seal(&client, id).await?.ok_or_else(|| Error::NotFound(format!("No seal {id}.")))?;
    let code = qr::render(&url(state, &seal.token)).map_err(|e| Error::Conflict {
        slug: "qr-not-rendered",
        title: "QR not rendered",
        detail: e.to_string(),
    })?;
    let (bytes, media_type) = code.into_image(rendering);
    Ok(platform::http::immutable_image(bytes, media_type))
}
