//! The municipality's desk (issue 35, desk 5): its buildings with their marks, the people
//! living there against the number allowed and each permit; whether it requires landlord
//! permits; the rehousing cases open in its territory; and two pictures drawn on the
//! server — its buildings by the state of their mark, and its beds and people over the
//! last twelve months from the housing register's history. A building's page holds its
//! permit and the form to decide on it. The municipality is the person's organisation in
//! their token; the housing register answers for that code only.

use askama::Template;
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use platform::auth::Role;
use platform::error::Error;
use platform::http::{Request, see_other};
use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::housing::{BuildingType, PermitStatus, RehousingReason};
use zegel_contracts::register::Service;
use zegel_contracts::{MarkStatus, NotValidBecause};

use crate::desk::{Address, Choice, Desk, Head, notice, refused, said, status_of};
use crate::i18n::Lang;
use crate::page::{Chrome, page_with};
use crate::registers::Refusal;
use crate::state::AppState;

mod building;
mod picture;

pub use building::{building, permit};

type Result<T> = std::result::Result<T, Error>;

const ROLE: Role = Role::Municipality;

/// The municipality the person acts for: a CBS code, four digits.
fn code_of(org: &str) -> Option<String> {
    (org.len() == 4 && org.bytes().all(|b| b.is_ascii_digit())).then(|| org.to_string())
}

/// The desk of the request's person, and the municipality they act for; or the page that
/// answers instead.
async fn open(state: &AppState, req: &Request) -> Result<std::result::Result<(Desk, String), Response>> {
    Desk::open_for(state, req, ROLE, (code_of, "municipality-no-code")).await
}

async fn read<T: DeserializeOwned>(desk: &mut Desk, path: &str) -> std::result::Result<T, Refusal> {
    desk.ask(Service::Housing, (Method::GET, path), None).await
}

#[derive(Debug, Deserialize)]
struct Listed {
    permit_required: bool,
    buildings: Vec<ListedBuilding>,
}

#[derive(Debug, Deserialize)]
struct ListedBuilding {
    bag_id: String,
    #[serde(flatten)]
    address: Address,
    building_type: BuildingType,
    mark_status: MarkStatus,
    allowed: Option<i64>,
    occupancy: Option<i64>,
    over_capacity: bool,
    permit_status: Option<PermitStatus>,
    permit_problem: Option<NotValidBecause>,
}

#[derive(Debug, Deserialize)]
struct BedsIn {
    counted_since: DateTime<Utc>,
    months: Vec<BedMonth>,
}

#[derive(Debug, Deserialize)]
struct BedMonth {
    month: String,
    beds: Option<i64>,
    people: Option<i64>,
    certified_buildings: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct Rehousing {
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
struct Case {
    bag_id: String,
    address: Option<String>,
    people: i64,
    reason: RehousingReason,
    deadline: NaiveDate,
    overdue: bool,
}

pub struct BuildingRow {
    href: String,
    address: String,
    kind: String,
    mark: String,
    allowed: String,
    people: String,
    over: bool,
    permit: String,
    permit_blocks: bool,
}

pub struct CaseRow {
    href: String,
    address: String,
    people: i64,
    reason: String,
    deadline: NaiveDate,
    overdue: bool,
}

pub struct MonthRow {
    month: String,
    beds: String,
    people: String,
    certified: String,
}

#[derive(Template)]
#[template(path = "municipality_list.html")]
struct ListPage {
    chrome: Chrome,
    l: Lang,
    head: Head,
    permit_required: String,
    require: bool,
    statuses: Vec<Choice>,
    over_only: bool,
    shown: usize,
    total: usize,
    rows: Vec<BuildingRow>,
    by_state: picture::Bars,
    over_time: picture::OverTime,
    counted_since: String,
    months: Vec<MonthRow>,
    cases: Vec<CaseRow>,
}

fn mark_label(l: &Lang, status: MarkStatus) -> String {
    l.t(&format!("mark-{}", status.as_str()))
}

/// A building's permit in words: its decision, and what it does to the mark if anything.
fn permit_words(l: &Lang, status: Option<PermitStatus>, problem: Option<NotValidBecause>) -> String {
    let decision = match status {
        Some(s) => l.t(&format!("permit-{}", s.as_str())),
        None => l.t("permit-none"),
    };
    match problem {
        Some(p) => format!("{decision} — {}", l.t(&format!("reason-building-{}", p.as_str()))),
        None => decision,
    }
}

fn count(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_else(|| "–".into())
}

/// The filter of the list, from the page's query.
struct Filter {
    status: Option<MarkStatus>,
    over_only: bool,
}

impl Filter {
    fn of(req: &Request) -> Self {
        Filter {
            status: req.param("mark_status").and_then(MarkStatus::parse),
            over_only: req.param("over_capacity") == Some("yes"),
        }
    }

    fn keeps(&self, b: &ListedBuilding) -> bool {
        self.status.is_none_or(|s| s == b.mark_status) && (!self.over_only || b.over_capacity)
    }
}

/// The buildings by the state of their mark, and how many house more people than allowed.
fn by_state(l: &Lang, buildings: &[ListedBuilding]) -> picture::Bars {
    let mut rows: Vec<(String, i64)> = MarkStatus::ALL
        .iter()
        .map(|s| (mark_label(l, *s), buildings.iter().filter(|b| b.mark_status == *s).count() as i64))
        .collect();
    rows.push((l.t("municipality-over"), buildings.iter().filter(|b| b.over_capacity).count() as i64));
    picture::bars(rows)
}

/// `2026-11` as the column's label `11/26`.
fn month_label(month: &str) -> String {
    match month.split_once('-') {
        Some((year, m)) => format!("{m}/{}", year.get(2..).unwrap_or(year)),
        None => month.to_string(),
    }
}

fn over_time(beds: &BedsIn) -> picture::OverTime {
    let months: Vec<picture::Month> = beds
        .months
        .iter()
        .map(|m| picture::Month { label: month_label(&m.month), counted: m.beds.zip(m.people) })
        .collect();
    picture::over_time(&months)
}

fn building_href(l: &Lang, bag: &str) -> String {
    format!("/municipality/buildings/{bag}?lang={}", l.code)
}

/// The buildings the filter keeps, as the table shows them.
fn building_rows(l: &Lang, buildings: &[ListedBuilding], filter: &Filter) -> Vec<BuildingRow> {
    buildings
        .iter()
        .filter(|b| filter.keeps(b))
        .map(|b| BuildingRow {
            href: building_href(l, &b.bag_id),
            address: b.address.to_string(),
            kind: l.t(&format!("building-{}", b.building_type.as_str())),
            mark: mark_label(l, b.mark_status),
            allowed: count(b.allowed),
            people: count(b.occupancy),
            over: b.over_capacity,
            permit: permit_words(l, b.permit_status, b.permit_problem),
            permit_blocks: b.permit_problem.is_some(),
        })
        .collect()
}

fn case_rows(l: &Lang, cases: Vec<Case>) -> Vec<CaseRow> {
    cases
        .into_iter()
        .map(|c| CaseRow {
            href: building_href(l, &c.bag_id),
            address: c.address.unwrap_or(c.bag_id),
            people: c.people,
            reason: l.t(&format!("rehousing-{}", c.reason.as_str())),
            deadline: c.deadline,
            overdue: c.overdue,
        })
        .collect()
}

/// GET /municipality — the overview.
pub async fn list(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let (mut desk, code) = match open(&state, &req).await? {
        Ok(opened) => opened,
        Err(away) => return Ok(away),
    };
    let done = (req.param("done") == Some("requirement")).then(|| desk.lang.t("done-permit-requirement"));
    show(&mut desk, &code, Filter::of(&req), (StatusCode::OK, done, Vec::new())).await
}

async fn show(
    desk: &mut Desk,
    code: &str,
    filter: Filter,
    (status, done, errors): (StatusCode, Option<String>, Vec<String>),
) -> Result<Response> {
    let read_all = async {
        let listed: Listed = read(desk, &format!("/api/v1/municipalities/{code}/buildings")).await?;
        let beds: BedsIn = read(desk, &format!("/api/v1/municipalities/{code}/beds?months=12")).await?;
        let rehousing: Rehousing = read(desk, &format!("/api/v1/municipalities/{code}/rehousing")).await?;
        Ok::<_, Refusal>((listed, beds, rehousing))
    };
    let (listed, beds, rehousing) = match read_all.await {
        Ok(all) => all,
        Err(refusal) => return refused(&desk.lang, &refusal),
    };
    let l = desk.lang.clone();
    let rows = building_rows(&l, &listed.buildings, &filter);
    let cases = case_rows(&l, rehousing.cases);
    let months = beds
        .months
        .iter()
        .map(|m| MonthRow {
            month: m.month.clone(),
            beds: count(m.beds),
            people: count(m.people),
            certified: count(m.certified_buildings),
        })
        .collect();
    let statuses = MarkStatus::ALL
        .iter()
        .map(|s| Choice { value: s.as_str(), label: mark_label(&l, *s), chosen: filter.status == Some(*s) })
        .collect();
    let view = ListPage {
        chrome: Chrome::at(&l, format!("{} {code}", l.t("municipality-title")), "/municipality".into()),
        head: desk.head("/municipality".into(), done, errors),
        permit_required: l.yes_no(listed.permit_required),
        require: !listed.permit_required,
        statuses,
        over_only: filter.over_only,
        shown: rows.len(),
        total: listed.buildings.len(),
        rows,
        by_state: by_state(&l, &listed.buildings),
        over_time: over_time(&beds),
        counted_since: platform::clock::dutch_date(beds.counted_since).to_string(),
        months,
        cases,
        l: l.clone(),
    };
    page_with(status, &l, view.render())
}

/// POST /municipality/requirement — whether the municipality requires a landlord permit.
pub async fn requirement(state: AppState, req: Request, _: (), raw: Bytes) -> Result<Response> {
    let (mut desk, form) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let Some(code) = code_of(desk.org()) else {
        return notice(&desk.lang, StatusCode::FORBIDDEN, desk.lang.t("municipality-no-code"));
    };
    let required = match form.get("required") {
        Some("yes") => true,
        Some("no") => false,
        _ => {
            let errors = vec![desk.lang.t("field-required-choice")];
            let filter = Filter { status: None, over_only: false };
            return show(&mut desk, &code, filter, (StatusCode::UNPROCESSABLE_ENTITY, None, errors)).await;
        }
    };
    let path = format!("/api/v1/municipalities/{code}/permit-requirement");
    match desk.ask::<Value>(Service::Housing, (Method::PUT, &path), Some(&json!({ "required": required }))).await {
        Ok(_) => Ok(see_other(&format!("/municipality?lang={}&done=requirement", desk.lang.code))),
        Err(refusal) => {
            let (status, errors) = (status_of(&refusal), said(&desk.lang, &refusal));
            show(&mut desk, &code, Filter { status: None, over_only: false }, (status, None, errors)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_of_the_municipality_s_desk_is_translated() {
        let mut keys: Vec<String> = BuildingType::ALL.iter().map(|t| format!("building-{t}")).collect();
        keys.extend(PermitStatus::ALL.iter().map(|s| format!("permit-{s}")));
        keys.extend(RehousingReason::ALL.iter().map(|r| format!("rehousing-{r}")));
        keys.extend(
            [NotValidBecause::NoPermit, NotValidBecause::PermitConditionsUnmet].map(|p| format!("reason-building-{p}")),
        );
        keys.extend(MarkStatus::ALL.iter().map(|s| format!("mark-{s}")));
        let missing = crate::i18n::untranslated(&keys);
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn a_month_is_labelled_by_month_and_year() {
        assert_eq!(month_label("2026-11"), "11/26");
        assert_eq!(month_label("odd"), "odd");
    }
}
