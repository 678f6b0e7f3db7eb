//! Inspections by the housing inspector: announced or unannounced, findings, deficiencies
//! with deadlines. The outcome moves the mark (advice 4: every location inspected; the
//! building is certified only after an inspection without open deficiencies).

use bytes::Bytes;
use chrono::{Days, Months, NaiveDate};
use platform::audit::{self, Actor};
use platform::auth::{Principal, Role};
use platform::http::{Request, parse_json};
use platform::problem::FieldError;
use platform::problem::Kind;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;

use super::{authenticate, bag_from_path, found, norm_for, text, write};
use crate::domain::{Checks, Contract, InspectionKind, MarkAction, MarkStatus, Rooms, Step, TenancyRule};
use crate::register::{self, Change};
use crate::state::AppState;
use crate::store::{self, Deficiency, Inspection, Marked};
use crate::{Error, Result, events};

/// Most deficiencies one inspection records.
const MAX_DEFICIENCIES: usize = 100;
/// How far back an inspection may be recorded.
const MAX_AGE_DAYS: u64 = 90;

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
struct MeasuredIn {
    bedrooms: Vec<Value>,
    /// Total living area including the bedrooms, m², as measured.
    living_area: Value,
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
    /// The rooms as the inspector measured them: the capacity comes from these.
    #[serde(default)]
    measured: Option<MeasuredIn>,
    /// What a sample of the residents' tenancy contracts shows (4.4 A and B).
    #[serde(default)]
    tenancy: Option<Vec<Contract>>,
}

/// Most contracts one inspection samples.
const MAX_SAMPLE: usize = 200;

fn date(raw: &str, pointer: &str) -> std::result::Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| FieldError::new(pointer, "a date is written YYYY-MM-DD"))
}

/// Why an inspection without open deficiencies still cannot certify `b` (as it stands
/// after the inspection was recorded), each in a sentence.
async fn certification_blockers(
    tx: &deadpool_postgres::Transaction<'_>,
    b: &Marked,
    today: NaiveDate,
) -> Result<Vec<String>> {
    let mut blockers = Vec::new();
    if b.measured.is_none() {
        blockers.push("the inspector has not measured the rooms, so the capacity is unknown".to_string());
    } else if b.rooms_changed_at.is_some() {
        blockers.push("the rooms changed since the inspector measured them; measure them again".to_string());
    }
    match store::permit_problem(tx, &b.building.bag_id, today).await? {
        Some(zegel_contracts::NotValidBecause::PermitConditionsUnmet) => {
            blockers.push("the landlord permit's conditions were not met by the date the municipality set".to_string())
        }
        Some(_) => blockers.push("the municipality requires a landlord permit and there is no valid one".to_string()),
        None => {}
    }
    for rule in &b.tenancy_broken {
        blockers.push(format!("a sampled tenancy contract breaks the rule that {} ({rule})", rule.sentence()));
    }
    Ok(blockers)
}

struct Report {
    kind: InspectionKind,
    inspected_on: NaiveDate,
    findings: String,
    deficiencies: Vec<(String, NaiveDate)>,
    complaint_id: Option<Uuid>,
    measured: Option<Rooms>,
    tenancy: Option<Vec<(Contract, Vec<TenancyRule>)>>,
}

/// The deficiencies found, checked: each described, each with a deadline after the
/// inspection (`on`) and at most a year later.
fn deficiencies(given: &[DeficiencyIn], on: Option<NaiveDate>, checks: &mut Checks) -> Vec<(String, NaiveDate)> {
    let mut found = Vec::new();
    for (i, d) in given.iter().enumerate() {
        let description = checks.check(text(&d.description, &format!("/deficiencies/{i}/description"), 2000, true));
        let deadline = checks.check(date(&d.deadline, &format!("/deficiencies/{i}/deadline")));
        if let (Some(deadline), Some(on)) = (deadline, on)
            && (deadline <= on || deadline > on + Months::new(12))
        {
            checks.fail(format!("/deficiencies/{i}/deadline"), "after the inspection, at most a year later");
        }
        found.extend(description.zip(deadline));
    }
    found
}

impl InspectionIn {
    fn validate(self, today: NaiveDate) -> Result<Report> {
        let mut checks = Checks::default();
        let inspected_on = match self.inspected_on.as_deref() {
            None => Some(today),
            Some(raw) => checks.check(date(raw, "/inspected_on")),
        };
        if let Some(d) = inspected_on
            && (d > today || d < today - Days::new(MAX_AGE_DAYS))
        {
            checks.fail("/inspected_on", format!("not in the future, at most {MAX_AGE_DAYS} days ago"));
        }
        let findings = checks.check(text(&self.findings, "/findings", 10_000, true));
        if self.deficiencies.len() > MAX_DEFICIENCIES {
            checks.fail("/deficiencies", format!("at most {MAX_DEFICIENCIES}"));
        }
        let deficiencies = deficiencies(&self.deficiencies, inspected_on, &mut checks);
        if self.complaint_id.is_some() && self.kind != InspectionKind::Unannounced {
            checks.fail("/kind", "an inspection following a complaint is unannounced");
        }
        let measured = self.measured.as_ref().and_then(|m| {
            Rooms::parse(&m.bedrooms, &m.living_area, "/measured").map_err(|errors| checks.0.extend(errors)).ok()
        });
        if let Some(sample) = &self.tenancy {
            if sample.is_empty() || sample.len() > MAX_SAMPLE {
                checks.fail("/tenancy", format!("1 to {MAX_SAMPLE} contracts"));
            }
            for (i, contract) in sample.iter().enumerate() {
                contract.check(&format!("/tenancy/{i}"), &mut checks);
            }
        }
        checks.finish().map_err(Error::Invalid)?;
        let (Some(inspected_on), Some(findings)) = (inspected_on, findings) else {
            return Err(Error::Corrupt("a checked field is missing"));
        };
        let tenancy = self.tenancy.map(|sample| sample.into_iter().map(Contract::judged).collect());
        Ok(Report {
            kind: self.kind,
            inspected_on,
            findings,
            deficiencies,
            complaint_id: self.complaint_id,
            measured,
            tenancy,
        })
    }
}

/// How far ahead the worklist looks for marks that end.
const HORIZON_DAYS: u64 = 30;
/// Most items of each kind on the worklist.
const WORKLIST_LIMIT: i64 = 500;

/// GET /api/v1/inspections/worklist — the housing inspectors' work: marks applied for,
/// marks that end within 30 days, open deficiencies, complaints to follow up; overdue first,
/// then by date. Housing inspectors only (the addresses of buildings with complaints are
/// nobody else's business).
pub(super) async fn worklist(state: AppState, req: Request, _: ()) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    inspector(&principal)?;
    let today = state.clock.today();
    let client = state.core.pool.get().await?;
    let mut work = store::worklist(&client, today + Days::new(HORIZON_DAYS), WORKLIST_LIMIT).await?;
    // Overdue first, then what is due soonest, then what waits without a date.
    work.sort_by_key(|w| (w.due.is_none_or(|d| d >= today), w.due.is_none(), w.due));
    let mut items = Vec::new();
    for w in &work {
        let Some(b) = store::building(&client, &w.bag_id, false).await? else { continue };
        items.push(json!({
            "kind": w.kind,
            "bag_id": w.bag_id,
            "address": format!("{}, {}", b.building.street_line(), b.building.place_line()),
            "municipality": b.building.municipality,
            "mark_status": b.mark_status,
            "due": w.due,
            "overdue": w.due.is_some_and(|d| d < today),
            "complaint_id": w.complaint.map(|(id, _)| id),
            "category": w.complaint.map(|(_, category)| category),
        }));
    }
    Ok(platform::http::no_store(platform::http::json(StatusCode::OK, &json!({ "on": today, "items": items }))))
}

/// POST /api/v1/buildings/{bag_id}/inspections
pub(super) async fn inspect(state: AppState, req: Request, bag_id: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    inspector(&principal)?;
    let bag = bag_from_path(&bag_id)?;
    let input: InspectionIn = parse_json(&req, &raw)?;
    let report = input.validate(state.clock.today())?;
    write(&state, &req, &principal, &raw, async |tx| inspected(tx, (&state, &principal, &req), &bag, &report).await)
        .await
}

/// POST /api/v1/buildings/{bag_id}/inspection-previews — what recording this inspection
/// would do: the capacity of the measured rooms, the mark and why it would not be
/// certified, the rules the sampled contracts break. Computed by the very code that
/// records an inspection, in a transaction that is then rolled back: nothing is kept and
/// no event leaves.
pub(super) async fn preview(state: AppState, req: Request, bag_id: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    inspector(&principal)?;
    let bag = bag_from_path(&bag_id)?;
    let input: InspectionIn = parse_json(&req, &raw)?;
    let report = input.validate(state.clock.today())?;
    // A preview runs the write path (and takes its locks): it is charged as a write.
    state.core.writes.charge_caller(&req, Some(&principal))?;
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    let (_, mut answer) = inspected(&tx, (&state, &principal, &req), &bag, &report).await?;
    tx.rollback().await?;
    answer["inspection_id"] = Value::Null;
    answer["preview"] = json!(true);
    Ok(platform::http::json(StatusCode::OK, &answer))
}

/// Records `report` on building `bag` in `tx`: the inspection, what it measured and
/// sampled, its deficiencies, the mark it leaves; the answer.
async fn inspected(
    tx: &deadpool_postgres::Transaction<'_>,
    (state, principal, req): (&AppState, &Principal, &Request),
    bag: &crate::domain::BagId,
    report: &Report,
) -> Result<(StatusCode, Value)> {
    let b = found(tx, bag, true).await?;
    let before = b.clone();
    let on = report.inspected_on;
    register::allowed(MarkAction::Inspect { open: 0, blocked: false, on }, b.mark_status)?;
    let now = state.clock.now();
    let (inspection, recorded) = record(tx, &b, report, &principal.subject, now).await?;
    measured_and_sampled(tx, state, &b, inspection.inspection_id, report).await?;
    // The building as this inspection leaves it (measured rooms, contracts).
    let b = found(tx, bag, true).await?;
    let open = store::open_deficiencies(tx, bag.as_str()).await?;
    // Only an inspection that would certify asks what else stands in the way.
    let would_certify = MarkAction::Inspect { open, blocked: false, on }.apply(b.mark_status);
    let refused = if would_certify == Some(Step::To(MarkStatus::Certified)) {
        certification_blockers(tx, &b, state.clock.today()).await?
    } else {
        Vec::new()
    };
    let action = MarkAction::Inspect { open, blocked: !refused.is_empty(), on };
    let change = Change { actor: Actor::of(principal, Role::HousingInspector), request_id: &req.id, now };
    let status = register::apply(tx, &b, action, &change).await?;
    audit::Entry::new(change.actor.clone(), "inspection.record", bag.as_str(), &req.id)
        .before(json!({ "mark_status": b.mark_status }))
        .after(json!({
            "inspection_id": inspection.inspection_id,
            "deficiencies": recorded.len(),
            "mark_status": status,
        }))
        .record(tx)
        .await?;
    let after = found(tx, bag, false).await?;
    super::capacity_changed(tx, &before, &after, now).await?;
    let mut answer = json!({
        "inspection_id": inspection.inspection_id,
        "bag_id": bag.as_str(),
        "kind": inspection.kind,
        "inspected_on": on,
        "findings": inspection.findings,
        "complaint_id": inspection.complaint_id,
        "deficiencies": recorded,
        "open_deficiencies": open,
        "mark": { "status": after.mark_status, "valid_until": after.mark_valid_until },
        "capacity": after.capacity,
        "allowed": after.allowed,
        "not_certified_because": refused,
    });
    answer["tenancy"] = json!(report.tenancy.as_deref().map(broken_rules));
    Ok((StatusCode::CREATED, answer))
}

/// What the inspector measured (the rooms, and the capacity they give under the building's
/// norm) and the contracts sampled, kept with the inspection.
async fn measured_and_sampled(
    tx: &deadpool_postgres::Transaction<'_>,
    state: &AppState,
    b: &Marked,
    inspection_id: Uuid,
    report: &Report,
) -> Result<()> {
    let (bag, on) = (b.building.bag_id.as_str(), report.inspected_on);
    if let Some(rooms) = &report.measured {
        let capacity = rooms.capacity(norm_for(state, &b.building), b.building.building_type);
        store::measure(tx, bag, inspection_id, rooms, on, capacity).await?;
    }
    if let Some(sample) = &report.tenancy {
        store::record_tenancy(tx, bag, inspection_id, on, sample).await?;
    }
    Ok(())
}

/// Each sampled contract with the rules of 4.4 it breaks, in words.
fn broken_rules(sample: &[(Contract, Vec<TenancyRule>)]) -> Vec<serde_json::Value> {
    let rule = |r: &TenancyRule| json!({ "rule": r, "detail": r.sentence() });
    let contract = |(i, (c, broken)): (usize, &(Contract, Vec<TenancyRule>))| json!({ "contract": i, "form": c.form, "broken": broken.iter().map(rule).collect::<Vec<_>>() });
    sample.iter().enumerate().map(contract).collect()
}

/// Stores the inspection, links the complaint it follows up, and stores its deficiencies.
async fn record(
    tx: &deadpool_postgres::Transaction<'_>,
    b: &Marked,
    report: &Report,
    inspector: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(Inspection, Vec<Deficiency>)> {
    let inspection = Inspection {
        inspection_id: Uuid::now_v7(),
        bag_id: b.building.bag_id.clone(),
        mark_id: b.mark_id,
        kind: report.kind,
        inspected_on: report.inspected_on,
        findings: report.findings.clone(),
        inspector: inspector.into(),
        complaint_id: report.complaint_id,
    };
    store::insert_inspection(tx, &inspection).await?;
    if let Some(complaint_id) = report.complaint_id {
        let category = store::complaint_inspected(tx, &b.building.bag_id, complaint_id, inspection.inspection_id)
            .await?
            .ok_or_else(|| Error::Conflict {
                kind: Kind::ComplaintNotOpen,
                detail: "The building has no open complaint with this id.".into(),
            })?;
        platform::outbox::enqueue(tx, &events::complaint_accepted(b, category, inspection.inspection_id, now)).await?;
    }
    let mut recorded = Vec::new();
    for (description, deadline) in &report.deficiencies {
        let d = Deficiency {
            deficiency_id: Uuid::now_v7(),
            inspection_id: inspection.inspection_id,
            description: description.clone(),
            deadline: *deadline,
            resolved_at: None,
            overdue_at: None,
        };
        store::insert_deficiency(tx, &b.building.bag_id, &d).await?;
        recorded.push(d);
    }
    Ok((inspection, recorded))
}

/// POST /api/v1/buildings/{bag_id}/deficiencies/{id}/resolve — the inspector confirms a
/// remedy; with nothing open any more a suspended mark is certified again.
pub(super) async fn resolve(
    state: AppState,
    req: Request,
    (bag_id, id): (String, String),
    raw: Bytes,
) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    inspector(&principal)?;
    let bag = bag_from_path(&bag_id)?;
    let id = platform::http::uuid_in_path(&id, "deficiency")?;
    if !raw.is_empty() {
        let _: Value = parse_json(&req, &raw)?;
    }
    write(&state, &req, &principal, &raw, async |tx| {
        let b = found(tx, &bag, true).await?;
        let now = state.clock.now();
        if !store::resolve_deficiency(tx, bag.as_str(), id, &principal.subject, now).await? {
            return Err(Error::Conflict {
                kind: Kind::DeficiencyNotOpen,
                detail: "The building has no open deficiency with this id (remedied already, or past its deadline)."
                    .into(),
            });
        }
        let open = store::open_deficiencies(tx, bag.as_str()).await?;
        let change = Change { actor: Actor::of(&principal, Role::HousingInspector), request_id: &req.id, now };
        let status = register::apply(tx, &b, MarkAction::Remedy { open }, &change).await?;
        audit::Entry::new(change.actor.clone(), "deficiency.resolve", bag.as_str(), &req.id)
            .before(json!({ "deficiency_id": id, "mark_status": b.mark_status }))
            .after(json!({ "open_deficiencies": open, "mark_status": status }))
            .record(tx)
            .await?;
        Ok((StatusCode::OK, json!({ "deficiency_id": id, "open_deficiencies": open, "mark": { "status": status } })))
    })
    .await
}
