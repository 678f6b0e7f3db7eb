//! A building as the inspector's desk shows it: its mark and rooms, complaints to follow
//! up, open deficiencies, and the inspection form (filled again as posted after a preview
//! or a refusal, with the register's result before saving).

use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};
use platform::error::Error;
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::housing::{ContractForm, InspectionKind};
use zegel_contracts::register::Service;
use zegel_contracts::{ComplaintCategory, MarkStatus};

use super::form::{CONTRACT_ROWS, DEFICIENCY_ROWS, MAX_BEDROOMS};
use super::mark_label;
use crate::desk::{Address, Desk, Form, Head, refused};
use crate::i18n::Lang;
use crate::page::{Chrome, page_with};
use crate::registers::Refusal;

/// How a building's page is shown: its status, what was just saved, what was refused,
/// the form as posted, and the register's preview of the inspection.
pub struct Shown {
    pub status: StatusCode,
    pub done: Option<String>,
    pub errors: Vec<String>,
    pub posted: Option<Form>,
    pub preview: Option<Value>,
}

impl Shown {
    /// The page again with the form as posted.
    pub fn again(status: StatusCode, errors: Vec<String>, posted: Form) -> Self {
        Shown { status, done: None, errors, posted: Some(posted), preview: None }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct RoomsIn {
    bedrooms: Vec<f64>,
    living_area: f64,
}

#[derive(Debug, Deserialize)]
pub(crate) struct MarkIn {
    pub(crate) status: MarkStatus,
    pub(crate) valid_until: Option<DateTime<Utc>>,
    pub(crate) last_inspection: Option<NaiveDate>,
}

/// A building as the housing register shows it to those who may know where it is
/// (`GET /api/v1/buildings/{bag}`): the inspector's desk and the municipality's.
#[derive(Debug, Deserialize)]
pub(crate) struct BuildingIn {
    pub(crate) address: Address,
    pub(crate) building_type: zegel_contracts::housing::BuildingType,
    pub(crate) capacity: Option<i64>,
    pub(crate) allowed: Option<i64>,
    pub(crate) occupancy: Option<i64>,
    pub(crate) over_capacity: bool,
    proposed: Option<RoomsIn>,
    measured: Option<RoomsIn>,
    pub(crate) mark: MarkIn,
}

#[derive(Debug, Deserialize)]
struct Deficiencies {
    deficiencies: Vec<DeficiencyIn>,
}

/// A deficiency of a building's mark as the housing register lists it.
#[derive(Debug, Deserialize)]
pub(crate) struct DeficiencyIn {
    pub(crate) deficiency_id: Uuid,
    pub(crate) description: String,
    pub(crate) deadline: NaiveDate,
    pub(crate) resolved_at: Option<DateTime<Utc>>,
    pub(crate) overdue_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize)]
struct Complaints {
    complaints: Vec<ComplaintIn>,
}

#[derive(Debug, Deserialize)]
struct ComplaintIn {
    complaint_id: Uuid,
    category: ComplaintCategory,
    text: String,
    /// The language the resident wrote in (the page marks their words with it).
    language: Option<String>,
    received_at: DateTime<Utc>,
    inspection_id: Option<Uuid>,
}

/// An input of the form: its name (also its id) and its value.
pub struct Field {
    pub name: String,
    pub value: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub chosen: bool,
}

pub struct ContractRow {
    pub i: usize,
    pub forms: Vec<Choice>,
    pub own: bool,
    pub tied: bool,
    pub self_contained: bool,
    pub starts_on: String,
    pub ends_on: String,
    pub months: String,
    pub days: String,
}

/// The register's result before saving, in the inspector's words.
pub struct Result {
    pub capacity: String,
    pub mark: String,
    pub door: String,
    pub certified: bool,
    pub reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "inspector_building.html")]
struct BuildingPage {
    chrome: Chrome,
    l: Lang,
    head: Head,
    facts: Vec<(String, String)>,
    proposed: String,
    /// Received on, category, the resident's words, their language.
    complaints: Vec<(String, String, String, String)>,
    deficiencies: Vec<(String, String, String, bool)>,
    kinds: Vec<Choice>,
    complaint_choices: Vec<Choice>,
    inspected_on: String,
    findings: String,
    bedrooms: Vec<Field>,
    living_area: String,
    deficiency_rows: Vec<(usize, String, String)>,
    contracts: Vec<ContractRow>,
    today: String,
    result: Option<Result>,
}

fn m2(areas: &[f64]) -> String {
    areas.iter().map(|a| format!("{a}")).collect::<Vec<_>>().join(" + ")
}

fn facts(l: &Lang, b: &BuildingIn) -> Vec<(String, String)> {
    let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_else(|| "—".into());
    let measured =
        b.measured.as_ref().map(|r| format!("{} m²; {} {} m²", m2(&r.bedrooms), l.t("living-area"), r.living_area));
    vec![
        (l.t("fact-mark"), mark_label(l, b.mark.status)),
        (l.t("fact-valid-until"), b.mark.valid_until.map(|d| d.date_naive().to_string()).unwrap_or_else(|| "—".into())),
        (l.t("fact-last-inspection"), b.mark.last_inspection.map(|d| d.to_string()).unwrap_or_else(|| "—".into())),
        (l.t("fact-measured"), measured.unwrap_or_else(|| "—".into())),
        (l.t("fact-capacity"), number(b.capacity)),
        (l.t("fact-allowed"), number(b.allowed)),
        (l.t("fact-occupancy"), number(b.occupancy)),
    ]
}

fn result(l: &Lang, preview: &Value) -> Result {
    let status = preview["mark"]["status"].as_str().and_then(MarkStatus::parse);
    let certified = status == Some(MarkStatus::Certified);
    let allowed = preview["allowed"].as_i64().map(|n| n.to_string()).unwrap_or_else(|| "—".into());
    let mut reasons: Vec<String> = preview["not_certified_because"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_str().map(str::to_string))
        .collect();
    for contract in preview["tenancy"].as_array().into_iter().flatten() {
        for broken in contract["broken"].as_array().into_iter().flatten() {
            let n = contract["contract"].as_u64().unwrap_or_default() + 1;
            reasons.push(format!("{} {n}: {}", l.t("contract"), broken["detail"].as_str().unwrap_or_default()));
        }
    }
    Result {
        capacity: preview["capacity"].as_i64().map(|n| n.to_string()).unwrap_or_else(|| "—".into()),
        mark: status.map(|s| mark_label(l, s)).unwrap_or_default(),
        door: if certified { format!("{} {allowed}", l.t("door-certified")) } else { l.t("door-not-certified") },
        certified,
        reasons,
    }
}

fn value(posted: Option<&Form>, name: &str) -> String {
    posted.and_then(|f| f.get(name)).unwrap_or_default().to_string()
}

fn contract_rows(l: &Lang, posted: Option<&Form>) -> Vec<ContractRow> {
    (0..CONTRACT_ROWS)
        .map(|i| {
            let field = |name: &str| value(posted, &format!("contract_{i}_{name}"));
            let chosen = field("form");
            let mut forms =
                vec![Choice { value: String::new(), label: l.t("contract-none"), chosen: chosen.is_empty() }];
            forms.extend(ContractForm::ALL.iter().map(|f| Choice {
                value: f.as_str().into(),
                label: l.t(&format!("contract-{}", f.as_str())),
                chosen: chosen == f.as_str(),
            }));
            ContractRow {
                i,
                forms,
                own: !field("own").is_empty(),
                tied: !field("tied").is_empty(),
                self_contained: !field("self_contained").is_empty(),
                starts_on: field("starts_on"),
                ends_on: field("ends_on"),
                months: field("notice_months"),
                days: field("notice_days"),
            }
        })
        .collect()
}

/// The inspection form's own parts: kinds, complaints to link, bedrooms, deficiencies.
fn form_parts(
    l: &Lang,
    b: &BuildingIn,
    open: &[&ComplaintIn],
    posted: Option<&Form>,
) -> (Vec<Choice>, Vec<Choice>, Vec<Field>) {
    let kind = value(posted, "kind");
    let kinds = InspectionKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.as_str().into(),
            label: l.t(&format!("kind-{}", k.as_str())),
            chosen: kind == k.as_str(),
        })
        .collect();
    let linked = value(posted, "complaint_id");
    let mut complaints = vec![Choice { value: String::new(), label: l.t("complaint-none"), chosen: linked.is_empty() }];
    complaints.extend(open.iter().map(|c| Choice {
        value: c.complaint_id.to_string(),
        label: format!("{} ({})", l.t(&format!("complaint-{}", c.category.as_str())), c.received_at.date_naive()),
        chosen: linked == c.complaint_id.to_string(),
    }));
    let known = b.measured.as_ref().or(b.proposed.as_ref()).map_or(0, |r| r.bedrooms.len());
    let typed =
        (0..MAX_BEDROOMS).filter(|i| posted.is_some_and(|f| f.has(&format!("bedroom_{i}")))).max().map_or(0, |i| i + 1);
    let rows = (known.max(typed) + 2).min(MAX_BEDROOMS);
    let bedrooms = (0..rows)
        .map(|i| Field { name: format!("bedroom_{i}"), value: value(posted, &format!("bedroom_{i}")) })
        .collect();
    (kinds, complaints, bedrooms)
}

/// A complaint to follow up: received on, category, the resident's words and their
/// language (when it is one of the suite's).
fn complaint_row(l: &Lang, c: &ComplaintIn) -> (String, String, String, String) {
    let category = l.t(&format!("complaint-{}", c.category.as_str()));
    let known = |lang: &String| zegel_contracts::language::LANGUAGES.iter().any(|(code, _)| code == lang);
    let lang = c.language.clone().filter(known).unwrap_or_default();
    (c.received_at.date_naive().to_string(), category, c.text.clone(), lang)
}

/// The open deficiencies: id, description, deadline, whether past it.
fn open_deficiencies(marked: &Deficiencies) -> Vec<(String, String, String, bool)> {
    marked
        .deficiencies
        .iter()
        .filter(|d| d.resolved_at.is_none())
        .map(|d| (d.deficiency_id.to_string(), d.description.clone(), d.deadline.to_string(), d.overdue_at.is_some()))
        .collect()
}

/// What the housing register holds of building `bag` for the inspector: the building,
/// its mark's deficiencies, its complaints.
async fn read(desk: &mut Desk, bag: &str) -> std::result::Result<(BuildingIn, Deficiencies, Complaints), Refusal> {
    let base = format!("/api/v1/buildings/{bag}");
    let building = desk.ask(Service::Housing, (Method::GET, &base), None).await?;
    let marked = desk.ask(Service::Housing, (Method::GET, &format!("{base}/mark")), None).await?;
    let complaints = desk.ask(Service::Housing, (Method::GET, &format!("{base}/complaints")), None).await?;
    Ok((building, marked, complaints))
}

/// The page of building `bag`.
pub async fn show(desk: &mut Desk, bag: &str, shown: Shown) -> std::result::Result<Response, Error> {
    let (building, marked, complaints) = match read(desk, bag).await {
        Ok(read) => read,
        Err(refusal) => return refused(&desk.lang, &refusal),
    };
    let l = desk.lang.clone();
    let posted = shown.posted.as_ref();
    let open: Vec<&ComplaintIn> = complaints.complaints.iter().filter(|c| c.inspection_id.is_none()).collect();
    let (kinds, complaint_choices, bedrooms) = form_parts(&l, &building, &open, posted);
    let today = desk.state.clock.today().to_string();
    let view = BuildingPage {
        chrome: Chrome::at(&l, building.address.to_string(), format!("/inspector/buildings/{bag}")),
        head: desk.head(format!("/inspector/buildings/{bag}"), shown.done, shown.errors),
        facts: facts(&l, &building),
        proposed: building
            .proposed
            .as_ref()
            .map(|r| format!("{} m²; {} {} m²", m2(&r.bedrooms), l.t("living-area"), r.living_area))
            .unwrap_or_default(),
        complaints: open.iter().map(|c| complaint_row(&l, c)).collect(),
        deficiencies: open_deficiencies(&marked),
        kinds,
        complaint_choices,
        inspected_on: Some(value(posted, "inspected_on")).filter(|v| !v.is_empty()).unwrap_or_else(|| today.clone()),
        findings: value(posted, "findings"),
        bedrooms,
        living_area: value(posted, "living_area"),
        deficiency_rows: (0..DEFICIENCY_ROWS)
            .map(|i| (i, value(posted, &format!("deficiency_{i}")), value(posted, &format!("deadline_{i}"))))
            .collect(),
        contracts: contract_rows(&l, posted),
        today,
        result: shown.preview.as_ref().map(|p| result(&l, p)),
        l: l.clone(),
    };
    page_with(shown.status, &l, view.render())
}
