//! A building at the municipality's desk: where it stands (mark, people against the number
//! allowed, open deficiencies, the mark's history, rehousing), its landlord permit with the
//! conditions, and the form that decides on the permit — filled with the permit in force,
//! or as posted after a refusal. The housing register shows a building to the municipality
//! it lies in only; any other gets the same "no building here" as for one not registered.

use askama::Template;
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use platform::error::Error;
use platform::http::{Request, see_other};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::MarkStatus;
use zegel_contracts::housing::{PermitStatus, RehousingReason};
use zegel_contracts::register::Service;

use super::{ROLE, count, mark_label, open, read};
use crate::desk::{Choice, Desk, Form, Head, bag_in_path, notice, refused, said, status_of};
use crate::i18n::Lang;
use crate::inspector::view::{BuildingIn, DeficiencyIn};
use crate::page::{Chrome, page_with};
use crate::registers::Refusal;
use crate::state::AppState;

type Result<T> = std::result::Result<T, Error>;

/// Most conditions the form offers room for (the register takes up to 50).
const MAX_CONDITIONS: usize = 50;

#[derive(Debug, Deserialize)]
struct MarkIn {
    history: Vec<Change>,
    deficiencies: Vec<DeficiencyIn>,
    permit_required: bool,
    permit: Option<PermitIn>,
}

#[derive(Debug, Deserialize)]
struct Change {
    to_status: MarkStatus,
    reason: String,
    changed_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
struct PermitIn {
    status: PermitStatus,
    valid_from: Option<NaiveDate>,
    valid_until: Option<NaiveDate>,
    decided_on: NaiveDate,
    reason: Option<String>,
    max_people: Option<i64>,
    conditions: Vec<String>,
    comply_by: Option<NaiveDate>,
    complied_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
struct Cases {
    cases: Vec<CaseIn>,
}

#[derive(Debug, Deserialize)]
struct CaseIn {
    people: i64,
    reason: RehousingReason,
    deadline: NaiveDate,
    closed_at: Option<DateTime<Utc>>,
}

/// The permit form's fields, as they stand in it.
#[derive(Default)]
pub struct Fields {
    valid_from: String,
    valid_until: String,
    decided_on: String,
    max_people: String,
    conditions: String,
    comply_by: String,
    complied_on: String,
    reason: String,
}

impl Fields {
    fn of_permit(p: &PermitIn) -> Self {
        let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        Fields {
            valid_from: day(p.valid_from),
            valid_until: day(p.valid_until),
            decided_on: String::new(),
            max_people: p.max_people.map(|m| m.to_string()).unwrap_or_default(),
            conditions: p.conditions.join("\n"),
            comply_by: day(p.comply_by),
            complied_on: day(p.complied_on),
            reason: p.reason.clone().unwrap_or_default(),
        }
    }

    fn of_form(f: &Form) -> Self {
        let field = |name: &str| f.get(name).unwrap_or_default().to_string();
        Fields {
            valid_from: field("valid_from"),
            valid_until: field("valid_until"),
            decided_on: field("decided_on"),
            max_people: field("max_people"),
            conditions: field("conditions"),
            comply_by: field("comply_by"),
            complied_on: field("complied_on"),
            reason: field("reason"),
        }
    }
}

#[derive(Template)]
#[template(path = "municipality_building.html")]
struct BuildingPage {
    chrome: Chrome,
    l: Lang,
    head: Head,
    facts: Vec<(String, String)>,
    over: bool,
    permit_required: String,
    permit: Vec<(String, String)>,
    conditions: Vec<String>,
    statuses: Vec<Choice>,
    fields: Fields,
    today: NaiveDate,
    deficiencies: Vec<(String, NaiveDate, bool)>,
    history: Vec<(String, String, String)>,
    cases: Vec<(String, i64, NaiveDate, String)>,
}

fn day_or_dash(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "–".into())
}

fn minute(at: DateTime<Utc>) -> String {
    at.with_timezone(&platform::clock::ZONE).format("%Y-%m-%d %H:%M").to_string()
}

fn facts(l: &Lang, b: &BuildingIn) -> Vec<(String, String)> {
    vec![
        (l.t("col-address"), b.address.to_string()),
        (l.t("col-type"), l.t(&format!("building-{}", b.building_type.as_str()))),
        (l.t("fact-mark"), mark_label(l, b.mark.status)),
        (l.t("col-valid-until"), day_or_dash(b.mark.valid_until.map(platform::clock::dutch_date))),
        (l.t("fact-last-inspection"), day_or_dash(b.mark.last_inspection)),
        (l.t("fact-capacity"), count(b.capacity)),
        (l.t("fact-allowed"), count(b.allowed)),
        (l.t("fact-occupancy"), count(b.occupancy)),
    ]
}

fn permit_facts(l: &Lang, p: &PermitIn) -> Vec<(String, String)> {
    let mut facts = vec![
        (l.t("col-status"), l.t(&format!("permit-{}", p.status.as_str()))),
        (l.t("permit-decided-on"), p.decided_on.to_string()),
    ];
    let mut some = |key: &str, value: Option<String>| {
        if let Some(v) = value {
            facts.push((l.t(key), v));
        }
    };
    some("permit-valid-from", p.valid_from.map(|d| d.to_string()));
    some("permit-valid-until", p.valid_until.map(|d| d.to_string()));
    some("permit-max-people", p.max_people.map(|m| m.to_string()));
    some("permit-comply-by", p.comply_by.map(|d| d.to_string()));
    some("permit-complied-on", p.complied_on.map(|d| d.to_string()));
    some("permit-reason", p.reason.clone());
    facts
}

/// The permit form's decisions (the one posted, else the permit's, else granted) and
/// fields (as posted, else the permit's).
fn permit_form(l: &Lang, posted: Option<&Form>, permit: Option<&PermitIn>) -> (Vec<Choice>, Fields) {
    let chosen = match posted {
        Some(f) => f.get("status").and_then(PermitStatus::parse),
        None => permit.map(|p| p.status),
    };
    let statuses = PermitStatus::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str(),
            label: l.t(&format!("permit-{}", s.as_str())),
            chosen: chosen.unwrap_or(PermitStatus::Granted) == *s,
        })
        .collect();
    let fields = match (posted, permit) {
        (Some(f), _) => Fields::of_form(f),
        (None, Some(p)) => Fields::of_permit(p),
        (None, None) => Fields::default(),
    };
    (statuses, fields)
}

/// How the page is shown: its status, what was saved, what was refused, the form as posted.
struct Shown {
    status: StatusCode,
    done: Option<String>,
    errors: Vec<String>,
    posted: Option<Form>,
}

async fn show(desk: &mut Desk, bag: &str, shown: Shown) -> Result<Response> {
    let read_all = async {
        let b: BuildingIn = read(desk, &format!("/api/v1/buildings/{bag}")).await?;
        let mark: MarkIn = read(desk, &format!("/api/v1/buildings/{bag}/mark")).await?;
        let cases: Cases = read(desk, &format!("/api/v1/buildings/{bag}/rehousing")).await?;
        Ok::<_, Refusal>((b, mark, cases))
    };
    let (b, mark, cases) = match read_all.await {
        Ok(all) => all,
        Err(Refusal::Said { status: 404, .. }) => {
            return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("no-such-building"));
        }
        Err(refusal) => return refused(&desk.lang, &refusal),
    };
    let l = desk.lang.clone();
    let (statuses, fields) = permit_form(&l, shown.posted.as_ref(), mark.permit.as_ref());
    let here = format!("/municipality/buildings/{bag}");
    let view = BuildingPage {
        chrome: Chrome::at(&l, l.t("municipality-building-title"), here.clone()),
        head: desk.head(here, shown.done, shown.errors),
        facts: facts(&l, &b),
        over: b.over_capacity,
        permit_required: l.yes_no(mark.permit_required),
        permit: mark.permit.as_ref().map(|p| permit_facts(&l, p)).unwrap_or_default(),
        conditions: mark.permit.as_ref().map(|p| p.conditions.clone()).unwrap_or_default(),
        statuses,
        fields,
        today: desk.state.clock.today(),
        deficiencies: mark
            .deficiencies
            .iter()
            .filter(|d| d.resolved_at.is_none())
            .map(|d| (d.description.clone(), d.deadline, d.overdue_at.is_some()))
            .collect(),
        history: mark
            .history
            .iter()
            .rev()
            .map(|c| (minute(c.changed_at), mark_label(&l, c.to_status), c.reason.clone()))
            .collect(),
        cases: cases
            .cases
            .iter()
            .map(|c| {
                let state = if c.closed_at.is_some() { l.t("rehousing-closed") } else { l.t("rehousing-open") };
                (l.t(&format!("rehousing-{}", c.reason.as_str())), c.people, c.deadline, state)
            })
            .collect(),
        l: l.clone(),
    };
    page_with(shown.status, &l, view.render())
}

/// GET /municipality/buildings/{bag}
pub async fn building(state: AppState, req: Request, bag: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let (mut desk, _) = match open(&state, &req).await? {
        Ok(opened) => opened,
        Err(away) => return Ok(away),
    };
    let Some(bag) = bag_in_path(&bag) else {
        return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("no-such-building"));
    };
    let done = (req.param("done") == Some("permit")).then(|| desk.lang.t("done-permit"));
    show(&mut desk, bag, Shown { status: StatusCode::OK, done, errors: Vec::new(), posted: None }).await
}

/// The housing register's permit decision from the form; or the key of the sentence that
/// says which field could not be read. The register judges the rest (which fields each
/// decision takes, dates in order, the maximum's bounds).
fn permit_request(form: &Form) -> std::result::Result<Value, &'static str> {
    let mut body = Map::new();
    let status = form.get("status").and_then(PermitStatus::parse).ok_or("field-permit-status")?;
    body.insert("status".into(), json!(status));
    for name in ["valid_from", "valid_until", "decided_on", "comply_by", "complied_on"] {
        if let Some(raw) = form.get(name) {
            let day: NaiveDate = raw.parse().map_err(|_| "field-date")?;
            body.insert(name.into(), json!(day));
        }
    }
    if let Some(raw) = form.get("max_people") {
        let max: i64 = raw.parse().map_err(|_| "field-max-people")?;
        body.insert("max_people".into(), json!(max));
    }
    let conditions: Vec<&str> =
        form.get("conditions").unwrap_or_default().lines().map(str::trim).filter(|c| !c.is_empty()).collect();
    if conditions.len() > MAX_CONDITIONS {
        return Err("field-conditions");
    }
    body.insert("conditions".into(), json!(conditions));
    if let Some(reason) = form.get("reason") {
        body.insert("reason".into(), json!(reason));
    }
    Ok(Value::Object(body))
}

/// POST /municipality/buildings/{bag}/permit — the municipality decides on the permit.
pub async fn permit(state: AppState, req: Request, (bag, action): (String, String), raw: Bytes) -> Result<Response> {
    let (mut desk, form) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let (Some(bag), "permit") = (bag_in_path(&bag), action.as_str()) else {
        return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("no-such-building"));
    };
    let again = |status, errors| Shown { status, done: None, errors, posted: Some(Form::default()) };
    let body = match permit_request(&form) {
        Ok(body) => body,
        Err(key) => {
            let shown = Shown { posted: Some(form), ..again(StatusCode::UNPROCESSABLE_ENTITY, vec![desk.lang.t(key)]) };
            return show(&mut desk, bag, shown).await;
        }
    };
    let path = format!("/api/v1/buildings/{bag}/permit");
    match desk.ask::<Value>(Service::Housing, (Method::PUT, &path), Some(&body)).await {
        Ok(_) => Ok(see_other(&format!("/municipality/buildings/{bag}?lang={}&done=permit", desk.lang.code))),
        Err(refusal) => {
            let shown = Shown { posted: Some(form), ..again(status_of(&refusal), said(&desk.lang, &refusal)) };
            show(&mut desk, bag, shown).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_permit_form_becomes_the_register_s_decision() {
        let form = Form::from(
            &[
                ("status", "granted"),
                ("valid_from", "2026-12-01"),
                ("valid_until", ""),
                ("max_people", "8"),
                ("conditions", "Fire alarm on every floor\r\n\r\n  A second exit  \n"),
                ("comply_by", "2027-03-01"),
            ][..],
        );
        assert_eq!(
            permit_request(&form),
            Ok(json!({"status": "granted", "valid_from": "2026-12-01", "max_people": 8, "comply_by": "2027-03-01",
                "conditions": ["Fire alarm on every floor", "A second exit"]}))
        );
        let refused = Form::from(&[("status", "refused"), ("reason", "Too small for eight.")][..]);
        assert_eq!(
            permit_request(&refused),
            Ok(json!({"status": "refused", "conditions": [], "reason": "Too small for eight."}))
        );
        for (bad, key) in [
            (&[("status", "maybe")][..], "field-permit-status"),
            (&[("status", "granted"), ("valid_from", "1-12-2026")][..], "field-date"),
            (&[("status", "granted"), ("max_people", "eight")][..], "field-max-people"),
        ] {
            assert_eq!(permit_request(&Form::from(bad)), Err(key));
        }
    }
}
