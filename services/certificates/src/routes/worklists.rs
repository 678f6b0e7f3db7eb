//! The Labour Authority's worklists (issue 35, its desk): what it asked and what came of
//! it, across every agency — its suspension requests and whether the body acted, the
//! accidents not reported in time or without a safety check, the complaints about work by
//! status, and the hirer fines by status, agency or hirer. The Labour Authority only (an
//! admin reads fines too): to anyone else not even how many there are.

use platform::audit::{self, Actor};
use platform::auth::Role;
use platform::http::{Request, json, no_store};
use platform::problem::FieldError;
use serde_json::json;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::certificate::WorkComplaintStatus;

use super::authenticate;
use crate::domain::KvkNumber;
use crate::domain::fine::FineStatus;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{self, FinesAsked};

/// The most rows one list holds; a longer list is worked through by its oldest first.
const LIMIT: i64 = 200;

/// GET /api/v1/suspension-requests — newest first, each with its certificate now.
pub(super) async fn suspension_requests(state: AppState, req: Request, _: ()) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::Inspectorate], "Only the Labour Authority follows its suspension requests.")?;
    let client = state.core.pool.get().await?;
    let requests = store::all_suspension_requests(&client, LIMIT).await?;
    Ok(no_store(json(StatusCode::OK, &json!({ "suspension_requests": requests }))))
}

/// GET /api/v1/accidents — the accidents to follow up, newest first, each marked `late`
/// when it was not reported to the Labour Authority by its due time.
pub(super) async fn open_accidents(state: AppState, req: Request, _: ()) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::Inspectorate], "Only the Labour Authority follows accidents up.")?;
    let now = state.clock.now();
    let client = state.core.pool.get().await?;
    let accidents: Vec<_> = store::open_accidents(&client, LIMIT)
        .await?
        .into_iter()
        .map(|a| {
            let late = a.authority_reported_at.unwrap_or(now) > a.report_due_at;
            let mut v = json!(a);
            v["late"] = json!(late);
            v
        })
        .collect();
    Ok(no_store(json(StatusCode::OK, &json!({ "accidents": accidents }))))
}

/// GET /api/v1/work-complaints?status= — oldest first; `received` when not asked. Every
/// read is in the audit trail, as a read of one agency's complaints is.
pub(super) async fn work_complaints(state: AppState, req: Request, _: ()) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::Inspectorate], "Only the Labour Authority reads every complaint about work.")?;
    let status = match req.param("status") {
        None => WorkComplaintStatus::Received,
        Some(raw) => WorkComplaintStatus::parse(raw).ok_or_else(|| {
            Error::invalid(vec![FieldError::new("/status", "received, under_investigation or closed")])
        })?,
    };
    let client = state.core.pool.get().await?;
    let complaints = store::work_complaints_by_status(&client, status, LIMIT).await?;
    // Audited per agency, as a read of one agency's complaints is: its trail says who read
    // about it, whichever list they read it in.
    let mut read: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for c in &complaints {
        *read.entry(c.agency_kvk.as_str()).or_default() += 1;
    }
    for (kvk, n) in read {
        audit::Entry::new(Actor::of(&principal, Role::Inspectorate), super::WORK_COMPLAINT_READ, kvk, &req.id)
            .after(json!({ "complaints": n, "status": status }))
            .record(&client)
            .await?;
    }
    Ok(no_store(json(StatusCode::OK, &json!({ "status": status, "complaints": complaints }))))
}

/// GET /api/v1/hirer-fines?status=&agency=&hirer= — newest first.
pub(super) async fn fines(state: AppState, req: Request, _: ()) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::Inspectorate, Role::Admin], "Only the Labour Authority and admins list fines.")?;
    let mut errors = Vec::new();
    let status = req.param("status").and_then(|raw| {
        FineStatus::parse(raw).or_else(|| {
            errors.push(FieldError::new("/status", "decided or irrevocable"));
            None
        })
    });
    let mut kvk = |name: &str| {
        req.param(name).and_then(|raw| {
            KvkNumber::parse(raw, &format!("/{name}")).map(|k| k.as_str().to_string()).map_err(|e| errors.push(e)).ok()
        })
    };
    let (agency, hirer) = (kvk("agency"), kvk("hirer"));
    if !errors.is_empty() {
        return Err(Error::invalid(errors));
    }
    let client = state.core.pool.get().await?;
    let fines = store::fines(&client, &FinesAsked { status, agency, hirer }, LIMIT).await?;
    Ok(no_store(json(StatusCode::OK, &json!({ "fines": fines }))))
}
