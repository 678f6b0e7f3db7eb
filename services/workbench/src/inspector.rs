//! The housing inspector's desk (issue 35, desk 2): the worklist (marks applied for, marks
//! about to end, open deficiencies, complaints to follow up), and a building's page made
//! for a tablet in the building: the mark, the complaints and deficiencies, and the
//! inspection form — measured bedrooms and living area, the tenancy contracts sampled,
//! deficiencies with deadlines — with the result before saving: what the mark and the page
//! at the door will say, computed by the housing register's own code (its preview). Every
//! form goes to the housing register with the inspector's own token.

use askama::Template;
use bytes::Bytes;
use chrono::NaiveDate;
use platform::auth::Role;
use platform::error::Error;
use platform::http::{Request, see_other};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::housing::WorkKind;
use zegel_contracts::register::Service;
use zegel_contracts::{ComplaintCategory, MarkStatus};

use crate::desk::{Desk, Form, bag_in_path, notice, refused, said, status_of};
use crate::i18n::Lang;
use crate::page::{Chrome, page_with};
use crate::registers::Refusal;
use crate::state::AppState;

pub(crate) mod form;
pub(crate) mod view;

type Result<T> = std::result::Result<T, Error>;

const ROLE: Role = Role::HousingInspector;

#[derive(Debug, Deserialize)]
struct Worklist {
    items: Vec<Work>,
}

#[derive(Debug, Deserialize)]
struct Work {
    kind: WorkKind,
    bag_id: String,
    address: String,
    mark_status: MarkStatus,
    due: Option<NaiveDate>,
    overdue: bool,
    category: Option<ComplaintCategory>,
}

struct WorkRow {
    href: String,
    what: String,
    address: String,
    mark: String,
    due: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "inspector_list.html")]
struct ListPage {
    chrome: Chrome,
    l: Lang,
    rows: Vec<WorkRow>,
}

fn mark_label(l: &Lang, status: MarkStatus) -> String {
    l.t(&format!("mark-{}", status.as_str()))
}

/// GET /inspector — the worklist, overdue first.
pub async fn list(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let mut desk = match Desk::open(&state, &req, ROLE).await? {
        Ok(desk) => desk,
        Err(away) => return Ok(away),
    };
    let worklist: Worklist = match desk.ask(Service::Housing, (Method::GET, "/api/v1/inspections/worklist"), None).await
    {
        Ok(worklist) => worklist,
        Err(refusal) => return refused(&desk.lang, &refusal),
    };
    let l = desk.lang.clone();
    let rows = worklist
        .items
        .iter()
        .map(|w| WorkRow {
            href: format!("/inspector/buildings/{}?lang={}", w.bag_id, l.code),
            what: match w.category {
                Some(category) => {
                    format!("{}: {}", l.t("work-complaint"), l.t(&format!("complaint-{}", category.as_str())))
                }
                None => l.t(&format!("work-{}", w.kind.as_str())),
            },
            address: w.address.clone(),
            mark: mark_label(&l, w.mark_status),
            due: w.due.map(|d| d.to_string()).unwrap_or_default(),
            overdue: w.overdue,
        })
        .collect();
    let view = ListPage { chrome: Chrome::at(&l, l.t("inspector-title"), "/inspector".into()), rows, l: l.clone() };
    page_with(StatusCode::OK, &l, view.render())
}

/// GET /inspector/buildings/{bag}
pub async fn building(state: AppState, req: Request, bag: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let mut desk = match Desk::open(&state, &req, ROLE).await? {
        Ok(desk) => desk,
        Err(away) => return Ok(away),
    };
    let Some(bag) = bag_in_path(&bag) else {
        return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("no-such-building"));
    };
    let done = req
        .param("done")
        .filter(|d| ["inspection", "resolution"].contains(d))
        .map(|d| desk.lang.t(&format!("done-{d}")));
    let shown = view::Shown { status: StatusCode::OK, done, errors: Vec::new(), posted: None, preview: None };
    view::show(&mut desk, bag, shown).await
}

/// POST /inspector/buildings/{bag}/{action}: `preview` (the page again, with the result
/// before saving), `inspection` (recorded) or `resolution` (a deficiency remedied).
pub async fn act(state: AppState, req: Request, (bag, action): (String, String), raw: Bytes) -> Result<Response> {
    let (mut desk, posted) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let (Some(bag), true) = (bag_in_path(&bag), ["preview", "inspection", "resolution"].contains(&action.as_str()))
    else {
        return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("no-such-building"));
    };
    if action == "resolution" {
        return resolve(&mut desk, bag, &posted).await;
    }
    let body = match form::inspection(&posted) {
        Ok(body) => body,
        Err(errors) => {
            let errors = errors.iter().map(|key| desk.lang.t(key)).collect();
            let shown = view::Shown::again(StatusCode::UNPROCESSABLE_ENTITY, errors, posted);
            return view::show(&mut desk, bag, shown).await;
        }
    };
    let path =
        format!("/api/v1/buildings/{bag}/{}", if action == "preview" { "inspection-previews" } else { "inspections" });
    let answer: std::result::Result<Value, Refusal> =
        desk.ask(Service::Housing, (Method::POST, &path), Some(&body)).await;
    match (answer, action.as_str()) {
        (Ok(preview), "preview") => {
            let shown =
                view::Shown { preview: Some(preview), ..view::Shown::again(StatusCode::OK, Vec::new(), posted) };
            view::show(&mut desk, bag, shown).await
        }
        (Ok(_), _) => Ok(see_other(&format!("/inspector/buildings/{bag}?lang={}&done=inspection", desk.lang.code))),
        (Err(refusal), _) => {
            let status = status_of(&refusal);
            let errors = said(&desk.lang, &refusal);
            view::show(&mut desk, bag, view::Shown::again(status, errors, posted)).await
        }
    }
}

/// The inspector confirms a deficiency's remedy.
async fn resolve(desk: &mut Desk, bag: &str, posted: &Form) -> Result<Response> {
    let Some(id) = posted.get("deficiency_id").and_then(|d| Uuid::parse_str(d).ok()) else {
        let errors = vec![desk.lang.t("field-deficiency")];
        return view::show(desk, bag, view::Shown::again(StatusCode::UNPROCESSABLE_ENTITY, errors, Form::default()))
            .await;
    };
    let path = format!("/api/v1/buildings/{bag}/deficiencies/{id}/resolve");
    let answer: std::result::Result<Value, Refusal> =
        desk.ask(Service::Housing, (Method::POST, &path), Some(&Value::Object(Map::new()))).await;
    match answer {
        Ok(_) => Ok(see_other(&format!("/inspector/buildings/{bag}?lang={}&done=resolution", desk.lang.code))),
        Err(refusal) => {
            let status = status_of(&refusal);
            let errors = said(&desk.lang, &refusal);
            view::show(desk, bag, view::Shown::again(status, errors, Form::default())).await
        }
    }
}

/// A JSON number from what a person typed: a decimal comma or point.
fn number(raw: &str) -> Option<Value> {
    let n: f64 = raw.replace(',', ".").parse().ok()?;
    n.is_finite().then(|| json!(n))
}

#[cfg(test)]
mod tests {
    use zegel_contracts::housing::{ContractForm, InspectionKind};

    use super::*;

    /// Every word the desk shows of the housing register's vocabulary has its text in both
    /// languages.
    #[test]
    fn every_word_of_the_housing_register_is_translated() {
        let mut keys: Vec<String> = Vec::new();
        keys.extend(MarkStatus::ALL.iter().map(|s| format!("mark-{s}")));
        keys.extend(ComplaintCategory::ALL.iter().map(|c| format!("complaint-{c}")));
        keys.extend(WorkKind::ALL.iter().map(|k| format!("work-{k}")));
        keys.extend(InspectionKind::ALL.iter().map(|k| format!("kind-{k}")));
        keys.extend(ContractForm::ALL.iter().map(|f| format!("contract-{f}")));
        let missing = crate::i18n::untranslated(&keys);
        assert!(missing.is_empty(), "{missing:?}");
    }
}
