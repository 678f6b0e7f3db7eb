//! Inspections by the housing inspector: announced or unannounced, findings, deficiencies
//! with deadlines. The outcome moves the mark (advice 4: every location inspected; the
//! building is certified only after an inspection without open deficiencies).

use bytes::Bytes;
use chrono::{Days, Months, NaiveDate, NaiveTime};
use platform::audit::{self, Actor};
use platform::auth::{Principal, Role};
use platform::http::{Request, body, parse_json, request, with_state};
use platform::problem::FieldError;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;

use super::{authenticate, bag_from_path, finish, found, text, write};
use crate::domain::{InspectionKind, MarkStatus, after_inspection};
use crate::state::AppState;
use crate::store::{self, Deficiency, Inspection, Marked};
use crate::{Error, Result, events};

/// Most deficiencies one inspection records.
const MAX_DEFICIENCIES: usize = 100;
/// How far back an inspection may be recorded.
const MAX_AGE_DAYS: u64 = 90;

pub(super) fn routes(state: AppState) -> BoxedFilter<(Response,)> {
    inspection_post(state.clone()).or(resolve_post(state)).unify().boxed()
}

fn inspector(principal: &Principal) -> Result<()> {
    if principal.has(Role::HousingInspector) {
        Ok(())
    } else {
        Err(Error::Forbidden("Only a housing inspector records inspections and remedies.".into()))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeficiencyIn {
    description: String,
    deadline: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InspectionIn {
    kind: InspectionKind,
    #[serde(default)]
    inspected_on: Option<String>,
    findings: String,
    #[serde(default)]
    deficiencies: Vec<DeficiencyIn>,
    /// The complaint this inspection follows up (unannounced only).
    #[serde(default)]
    complaint_id: Option<Uuid>,
}

fn date(raw: &str, pointer: &str) -> std::result::Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| FieldError::new(pointer, "a date is written YYYY-MM-DD"))
}

/// POST /api/v1/buildings/{bag_id}/inspections
fn inspection_post(state: AppState) -> BoxedFilter<(Response,)> {
    warp::path!("api" / "v1" / "buildings" / String / "inspections")
        .and(warp::post())
        .and(request())
        .and(body())
        .and(with_state(state))
        .then(|bag_id: String, req: Request, body: Bytes, state: AppState| async move {
            let result = inspect(&state, &req, &bag_id, &body).await;
            finish(&req, result)
        })
        .boxed()
}

/// Why an inspection without open deficiencies still cannot certify.
async fn certification_blockers(
    tx: &deadpool_postgres::Transaction<'_>,
    b: &Marked,
    today: NaiveDate,
) -> Result<Vec<&'static str>> {
    let mut blockers = Vec::new();
    if b.capacity.is_none() {
        blockers.push("the rooms have not been reported, so the capacity is unknown");
    }
    if store::permit_required(tx, &b.building.municipality).await?
        && !store::permit(tx, &b.building.bag_id).await?.is_some_and(|p| p.holds_on(today))
    {
        blockers.push("the municipality requires a landlord permit and there is no valid one");
    }
    Ok(blockers)
}

async fn inspect(state: &AppState, req: &Request, bag_id: &str, raw: &Bytes) -> Result<Response> {
    let principal = authenticate(state, req)?;
    inspector(&principal)?;
    let bag = bag_from_path(bag_id)?;
    let input: InspectionIn = parse_json(req, raw)?;
    let today = state.clock.today();
    let mut errors = Vec::new();
    let inspected_on = match input.inspected_on.as_deref() {
        None => Some(today),
        Some(raw) => date(raw, "/inspected_on").map_err(|e| errors.push(e)).ok(),
    };
    if let Some(d) = inspected_on
        && (d > today || d < today - Days::new(MAX_AGE_DAYS))
    {
        errors.push(FieldError::new("/inspected_on", format!("not in the future, at most {MAX_AGE_DAYS} days ago")));
    }
    let findings = text(&input.findings, "/findings", 10_000, true).map_err(|e| errors.push(e)).ok();
    if input.deficiencies.len() > MAX_DEFICIENCIES {
        errors.push(FieldError::new("/deficiencies", format!("at most {MAX_DEFICIENCIES}")));
    }
    let mut deficiencies = Vec::new();
    for (i, d) in input.deficiencies.iter().enumerate() {
        let description = text(&d.description, &format!("/deficiencies/{i}/description"), 2000, true)
            .map_err(|e| errors.push(e))
            .ok();
        let deadline = date(&d.deadline, &format!("/deficiencies/{i}/deadline")).map_err(|e| errors.push(e)).ok();
        if let (Some(deadline), Some(on)) = (deadline, inspected_on)
            && (deadline <= on || deadline > on + Months::new(12))
        {
            errors.push(FieldError::new(
                format!("/deficiencies/{i}/deadline"),
                "after the inspection, at most a year later",
            ));
        }
        if let (Some(description), Some(deadline)) = (description, deadline) {
            deficiencies.push((description, deadline));
        }
    }
    if input.complaint_id.is_some() && input.kind != InspectionKind::Unannounced {
        errors.push(FieldError::new("/kind", "an inspection following a complaint is unannounced"));
    }
    let (Some(inspected_on), Some(findings), true) = (inspected_on, findings, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    write(state, req, &principal, raw, async |tx| {
        let b = found(tx, &bag, true).await?;
        let current = MarkStatus::parse(&b.mark_status).ok_or(Error::Corrupt("mark status"))?;
        if current.ended() {
            return Err(Error::Conflict {
                slug: "mark-ended",
                title: "The mark has ended",
                detail: format!(
                    "The mark is {}; the provider applies again before a new inspection.",
                    current.as_str()
                ),
            });
        }
        let now = state.clock.now();
        let inspection = Inspection {
            inspection_id: Uuid::now_v7(),
            bag_id: bag.as_str().into(),
            mark_id: b.mark_id,
            kind: json!(input.kind).as_str().unwrap_or_default().to_string(),
            inspected_on,
            findings: findings.clone(),
            inspector: principal.subject.clone(),
            complaint_id: input.complaint_id,
        };
        store::insert_inspection(tx, &inspection).await?;
        if let Some(complaint_id) = input.complaint_id {
            let category = store::complaint_inspected(tx, bag.as_str(), complaint_id, inspection.inspection_id)
                .await?
                .ok_or_else(|| Error::Conflict {
                    slug: "complaint-not-open",
                    title: "No open complaint",
                    detail: "The building has no open complaint with this id.".into(),
                })?;
            platform::outbox::enqueue(tx, &events::complaint_accepted(&b, &category, inspection.inspection_id, now))
                .await?;
        }
        let mut recorded = Vec::new();
        for (description, deadline) in deficiencies {
            let d = Deficiency {
                deficiency_id: Uuid::now_v7(),
                inspection_id: inspection.inspection_id,
                description,
                deadline,
                resolved_at: None,
                overdue_at: None,
            };
            store::insert_deficiency(tx, bag.as_str(), &d).await?;
            recorded.push(d);
        }
        let open = store::open_deficiencies(tx, bag.as_str()).await?;
        let mut refused = Vec::new();
        let mut to = after_inspection(current, open);
        if to == Some(MarkStatus::Certified) {
            refused = certification_blockers(tx, &b, today).await?;
            if !refused.is_empty() {
                to = None;
            }
        }
        if let Some(to) = to {
            // A certifying inspection gives the mark a year from the day of the inspection.
            let valid_until = (to == MarkStatus::Certified)
                .then(|| (inspected_on + Months::new(12)).and_time(NaiveTime::MIN).and_utc());
            let reason = if to == MarkStatus::Certified {
                "inspection without open deficiencies"
            } else {
                "inspection found deficiencies"
            };
            store::set_mark(tx, &b, to.as_str(), valid_until, reason, now).await?;
            if to != current {
                platform::outbox::enqueue(tx, &events::mark_changed(&b, to.as_str(), reason, now)).await?;
            }
        }
        audit::record(
            tx,
            &audit::Entry {
                actor: Actor::of(&principal, Role::HousingInspector),
                action: "inspection.record".into(),
                subject: bag.as_str().into(),
                reason: None,
                before: Some(json!({ "mark_status": b.mark_status })),
                after: Some(json!({
                    "inspection_id": inspection.inspection_id,
                    "deficiencies": recorded.len(),
                    "mark_status": to.unwrap_or(current).as_str(),
                })),
                request_id: req.id.clone(),
                cause_event_id: None,
            },
        )
        .await?;
        let after = found(tx, &bag, false).await?;
        Ok((
            StatusCode::CREATED,
            json!({
                "inspection_id": inspection.inspection_id,
                "bag_id": bag.as_str(),
                "kind": inspection.kind,
                "inspected_on": inspected_on,
                "findings": findings,
                "complaint_id": input.complaint_id,
                "deficiencies": recorded,
                "open_deficiencies": open,
                "mark": { "status": after.mark_status, "valid_until": after.mark_valid_until },
                "not_certified_because": refused,
            }),
        ))
    })
    .await
}

/// POST /api/v1/buildings/{bag_id}/deficiencies/{id}/resolve — the inspector confirms a
/// remedy; with nothing open any more a suspended mark is certified again.
fn resolve_post(state: AppState) -> BoxedFilter<(Response,)> {
    warp::path!("api" / "v1" / "buildings" / String / "deficiencies" / String / "resolve")
        .and(warp::post())
        .and(request())
        .and(body())
        .and(with_state(state))
        .then(|bag_id: String, id: String, req: Request, body: Bytes, state: AppState| async move {
            let result = resolve(&state, &req, &bag_id, &id, &body).await;
            finish(&req, result)
        })
        .boxed()
}

async fn resolve(state: &AppState, req: &Request, bag_id: &str, id: &str, raw: &Bytes) -> Result<Response> {
    let principal = authenticate(state, req)?;
    inspector(&principal)?;
    let bag = bag_from_path(bag_id)?;
    let id: Uuid = id
        .parse()
        .map_err(|_| Error::Client(platform::Problem::bad_request("Malformed deficiency id: expected a UUID.")))?;
    if !raw.is_empty() {
        let _: Value = parse_json(req, raw)?;
    }
    write(state, req, &principal, raw, async |tx| {
        let b = found(tx, &bag, true).await?;
        let now = state.clock.now();
        if !store::resolve_deficiency(tx, bag.as_str(), id, &principal.subject, now).await? {
            return Err(Error::Conflict {
                slug: "deficiency-not-open",
                title: "No open deficiency",
                detail: "The building has no open deficiency with this id (remedied already, or past its deadline)."
                    .into(),
            });
        }
        let open = store::open_deficiencies(tx, bag.as_str()).await?;
        let mut status = b.mark_status.clone();
        if open == 0 && b.mark_status == "suspended" {
            let reason = "every deficiency remedied";
            store::set_mark(tx, &b, "certified", None, reason, now).await?;
            platform::outbox::enqueue(tx, &events::mark_changed(&b, "certified", reason, now)).await?;
            status = "certified".into();
        }
        audit::record(
            tx,
            &audit::Entry {
                actor: Actor::of(&principal, Role::HousingInspector),
                action: "deficiency.resolve".into(),
                subject: bag.as_str().into(),
                reason: None,
                before: Some(json!({ "deficiency_id": id, "mark_status": b.mark_status })),
                after: Some(json!({ "open_deficiencies": open, "mark_status": status })),
                request_id: req.id.clone(),
                cause_event_id: None,
            },
        )
        .await?;
        Ok((StatusCode::OK, json!({ "deficiency_id": id, "open_deficiencies": open, "mark": { "status": status } })))
    })
    .await
}
