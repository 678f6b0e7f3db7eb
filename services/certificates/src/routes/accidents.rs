//! The accident duty (advice 2.1 G). A hirer reports a notifiable accident of a temporary
//! worker — death, permanent injury or hospital admission — to the agency, without a name.
//! The agency must report it to the Labour Authority at once (`accident_report_hours`, 24 by
//! default, before the sweep signals it to the inspectorate as late) and record a safety
//! check (the measures taken) before any of its temporary workers works at that hirer
//! again: until then that hirer's own check of the agency says "safety check outstanding"
//! (`certificates.open_safety_checks`, read by the lookup), and only that hirer's.
//!
//! Need to know: the inspectorate reads every accident; the agency its own; a hirer those
//! it reported. Nobody else, and no event carries what happened.

use bytes::Bytes;
use chrono::{Duration, NaiveDate};
use platform::audit::{self, Actor};
use platform::auth::{Principal, Role};
use platform::http::{Request, json, no_store, parse_json};
use platform::problem::{Checks, Kind};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;

use super::{authenticate, kvk_from_path, write};
use crate::error::{Error, Result};
use crate::events;
use crate::state::AppState;
use crate::store::{self, Accident};

/// How far back a hirer may report an accident.
const MAX_AGE_DAYS: i64 = 365;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccidentIn {
    occurred_on: String,
    kind: String,
    what_happened: String,
}

/// Accident reports one hirer (subject for its organisation) may file in an hour
/// (docs/authorization.md).
pub const ACCIDENT_REPORTS_PER_HOUR: u32 = 20;

fn id_of(raw: &str) -> Result<Uuid> {
    Ok(platform::http::uuid_in_path(raw, "accident")?)
}

/// The hirer a token acts for: its organisation, a KvK number.
fn hirer_of(principal: &Principal) -> Result<platform::ids::KvkNumber> {
    match (principal.has(Role::Hirer), principal.org.as_deref()) {
        (true, Some(org)) => platform::ids::KvkNumber::parse(org, "/org")
            .map_err(|_| Error::forbidden("The token's org is not a KvK number.".into())),
        _ => Err(Error::forbidden("Only a hirer (org = its KvK number) reports an accident at its site.".into())),
    }
}

/// POST /api/v1/agencies/{kvk}/accidents — a hirer (org = its KvK number) reports a
/// notifiable accident of one of the agency's temporary workers.
pub(super) async fn report(state: AppState, req: Request, kvk: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let hirer = hirer_of(&principal)?;
    let agency = kvk_from_path(&kvk)?;
    let input: AccidentIn = parse_json(&req, &raw)?;
    let today = state.clock.today();
    let mut checks = Checks::default();
    let occurred_on = checks.check(
        NaiveDate::parse_from_str(&input.occurred_on, "%Y-%m-%d")
            .map_err(|_| platform::problem::FieldError::new("/occurred_on", "a date is written YYYY-MM-DD")),
    );
    if let Some(day) = occurred_on
        && (day > today || day < today - Duration::days(MAX_AGE_DAYS))
    {
        checks.fail("/occurred_on", format!("not in the future, at most {MAX_AGE_DAYS} days ago"));
    }
    let kind = checks.check(platform::http::word(&input.kind, "/kind"));
    let what = checks.check(platform::http::bounded_text(&input.what_happened, "/what_happened", 2000, true));
    checks.finish().map_err(Error::invalid)?;
    let (Some(occurred_on), Some(what), Some(kind)) = (occurred_on, what, kind) else {
        return Err(Error::corrupt("a checked field"));
    };
    if hirer.as_str() == agency.as_str() {
        return Err(Error::forbidden("An agency does not report accidents to itself.".into()));
    }
    // A site has a few notifiable accidents a year; more in an hour is not reporting.
    state.core.budget("accident_reports", ACCIDENT_REPORTS_PER_HOUR).charge_caller(&req, Some(&principal))?;
    write(&state, &req, &principal, &raw, async |tx| {
        if store::agency(tx, agency.as_str()).await?.is_none() {
            return Err(Error::not_found(format!("No agency {agency} is registered.")));
        }
        let now = state.clock.now();
        let accident = Accident {
            accident_id: Uuid::now_v7(),
            agency_kvk: agency.as_str().into(),
            hirer_kvk: hirer.as_str().into(),
            occurred_on,
            kind,
            what_happened: what.clone(),
            reported_at: now,
            report_due_at: now + Duration::hours(i64::from(state.settings.accident_report_hours)),
            authority_reported_at: None,
            authority_reference: None,
            late_signalled_at: None,
            safety_checked_at: None,
            safety_measures: None,
        };
        store::insert_accident(tx, &accident, &principal.subject).await?;
        audit::Entry::new(Actor::of(&principal, Role::Hirer), "accident.report", agency.as_str(), &req.id)
            .after(json!({ "accident_id": accident.accident_id, "kind": accident.kind }))
            .publishes(events::accident_reported(&accident, now))
            .record(tx)
            .await?;
        Ok((StatusCode::CREATED, json!(accident)))
    })
    .await
}

/// The agency of `a`, acting for itself, or 403.
fn the_agency(principal: &Principal, a: &Accident) -> Result<()> {
    if principal.acts_for(Role::Agency, &a.agency_kvk) {
        Ok(())
    } else {
        // Only the agency itself reports its accidents and records its safety checks; another
        // agency learns not even that the accident exists.
        Err(no_accident(a.accident_id))
    }
}

/// The answer about an accident that does not exist or is another agency's.
fn no_accident(id: Uuid) -> Error {
    Error::not_found(format!("No accident {id} of your agency."))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthorityReportIn {
    /// The Labour Authority's reference of the report.
    reference: String,
}

/// POST /api/v1/accidents/{id}/authority-report — the agency records that it reported the
/// accident to the Labour Authority.
pub(super) async fn authority_report(state: AppState, req: Request, id: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::Agency], "Only the agency itself reports its accidents.")?;
    let id = id_of(&id)?;
    let input: AuthorityReportIn = parse_json(&req, &raw)?;
    let reference =
        platform::http::bounded_text(&input.reference, "/reference", 200, true).map_err(|e| Error::invalid(vec![e]))?;
    write(&state, &req, &principal, &raw, async |tx| {
        let a = store::accident_by_id(tx, id, true).await?.ok_or_else(|| no_accident(id))?;
        the_agency(&principal, &a)?;
        if a.authority_reported_at.is_some() {
            return Err(Error::conflict(Kind::IllegalTransition, "The accident was reported already.".into()));
        }
        let now = state.clock.now();
        store::accident_reported(tx, id, &reference, now).await?;
        let late = now > a.report_due_at;
        audit::Entry::new(Actor::of(&principal, Role::Agency), "accident.authority_report", &a.agency_kvk, &req.id)
            .reason(late.then(|| "reported after its due time".to_string()))
            .after(json!({ "accident_id": id, "reference": reference }))
            .record(tx)
            .await?;
        let after = store::accident_by_id(tx, id, false).await?.ok_or(Error::corrupt("accident vanished"))?;
        Ok((StatusCode::OK, json!({ "accident": after, "late": late })))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SafetyCheckIn {
    measures: String,
}

/// POST /api/v1/accidents/{id}/safety-check — the agency records the measures taken; its
/// workers may work at that hirer again.
pub(super) async fn safety_check(state: AppState, req: Request, id: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::Agency], "Only the agency itself records its safety checks.")?;
    let id = id_of(&id)?;
    let input: SafetyCheckIn = parse_json(&req, &raw)?;
    let measures =
        platform::http::bounded_text(&input.measures, "/measures", 4000, true).map_err(|e| Error::invalid(vec![e]))?;
    write(&state, &req, &principal, &raw, async |tx| {
        let a = store::accident_by_id(tx, id, true).await?.ok_or_else(|| no_accident(id))?;
        the_agency(&principal, &a)?;
        if a.safety_checked_at.is_some() {
            return Err(Error::conflict(Kind::IllegalTransition, "The safety check was recorded already.".into()));
        }
        let now = state.clock.now();
        store::safety_checked(tx, id, &measures, &principal.subject, now).await?;
        audit::Entry::new(Actor::of(&principal, Role::Agency), "accident.safety_check", &a.agency_kvk, &req.id)
            .after(json!({ "accident_id": id }))
            .publishes(events::safety_checked(&a, now))
            .record(tx)
            .await?;
        let after = store::accident_by_id(tx, id, false).await?.ok_or(Error::corrupt("accident vanished"))?;
        Ok((StatusCode::OK, json!(after)))
    })
    .await
}

/// GET /api/v1/agencies/{kvk}/accidents — the inspectorate (all), the agency itself (all of
/// its own), a hirer (those it reported).
pub(super) async fn list(state: AppState, req: Request, kvk: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let agency = kvk_from_path(&kvk)?;
    let only_hirer = if principal.has(Role::Inspectorate) || principal.acts_for(Role::Agency, agency.as_str()) {
        None
    } else if principal.has(Role::Hirer)
        && let Some(org) = principal.org.clone()
    {
        Some(org)
    } else {
        return Err(Error::forbidden(
            "Only the inspectorate, the agency itself and the hirers that reported them see its accidents.".into(),
        ));
    };
    let client = state.core.pool.get().await?;
    let accidents = store::accidents_of(&client, agency.as_str(), only_hirer.as_deref()).await?;
    Ok(no_store(json(StatusCode::OK, &json!({ "kvk_number": agency.as_str(), "accidents": accidents }))))
}
