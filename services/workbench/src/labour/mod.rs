//! The Labour Authority's desk (issue 35, desk 4): the worklist — its suspension requests
//! and whether the body acted, the accidents not reported in time or without a safety
//! check, the complaints about work that wait, the fines not yet final, the bans in force
//! — and one dossier per agency ([`dossier`]): a single dated timeline of what every
//! register told about it. Bans ([`bans`]) and hirer fines with every step of their
//! computation ([`fines`]) have pages of their own. Every register decides again on the
//! person's own token; a dossier part is the Labour Authority's alone.

use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};
use platform::auth::Role;
use platform::error::Error;
use platform::http::{Request, see_other};
use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::CertificateStatus;
use zegel_contracts::certificate::{AccidentKind, WorkComplaintCategory};
use zegel_contracts::register::Service;

use crate::desk::{Desk, notice, refused};
use crate::i18n::{Lang, euros};
use crate::page::{Chrome, page_with};
use crate::registers::Refusal;
use crate::state::AppState;

mod bans;
mod dossier;
mod fines;

pub use bans::{ban_act, bans, impose};
pub use dossier::{dossier, dossier_act};
use fines::Fines;
pub use fines::{fine, fine_act, fines, fines_act};

type Result<T> = std::result::Result<T, Error>;

const ROLE: Role = Role::Inspectorate;

/// The dossier page of agency `kvk`.
fn dossier_href(l: &Lang, kvk: &str) -> String {
    format!("/labour/agencies/{kvk}?lang={}", l.code)
}

#[derive(Debug, Deserialize)]
struct RequestIn {
    created_at: DateTime<Utc>,
    kvk_number: String,
    certification_body_id: String,
    status: CertificateStatus,
    answered: bool,
}

#[derive(Debug, Deserialize)]
struct Requests {
    suspension_requests: Vec<RequestIn>,
}

#[derive(Debug, Deserialize)]
struct AccidentIn {
    agency_kvk: String,
    occurred_on: NaiveDate,
    kind: AccidentKind,
    authority_reported_at: Option<DateTime<Utc>>,
    safety_checked_at: Option<DateTime<Utc>>,
    late: bool,
}

#[derive(Debug, Deserialize)]
struct Accidents {
    accidents: Vec<AccidentIn>,
}

#[derive(Debug, Deserialize)]
struct ComplaintIn {
    agency_kvk: String,
    category: WorkComplaintCategory,
    received_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
struct Complaints {
    complaints: Vec<ComplaintIn>,
}

/// A row of a worklist table: where it leads (the agency's dossier, a fine), and its
/// cells in the order of the table's heads.
pub struct Row {
    pub href: String,
    pub link: String,
    pub cells: Vec<String>,
}

/// A worklist table: its id, heading, column heads (the first is the link's), rows and
/// the sentence shown when it is empty.
pub struct Table {
    pub id: &'static str,
    pub title: String,
    pub heads: Vec<String>,
    pub rows: Vec<Row>,
    pub empty: String,
}

#[derive(Template)]
#[template(path = "labour_list.html")]
struct ListPage {
    chrome: Chrome,
    l: Lang,
    error: Option<String>,
    tables: Vec<Table>,
}

/// What the desk reads from the registers for its worklist, each list as the register
/// gave it.
struct Worklist {
    requests: Requests,
    accidents: Accidents,
    complaints: Complaints,
    fines: Fines,
}

async fn read<T: DeserializeOwned>(desk: &mut Desk, service: Service, path: &str) -> std::result::Result<T, Refusal> {
    desk.ask(service, (Method::GET, path), None).await
}

async fn worklist(desk: &mut Desk) -> std::result::Result<Worklist, Refusal> {
    Ok(Worklist {
        requests: read(desk, Service::Certificates, "/api/v1/suspension-requests").await?,
        accidents: read(desk, Service::Certificates, "/api/v1/accidents").await?,
        complaints: read(desk, Service::Certificates, "/api/v1/work-complaints?status=received").await?,
        fines: read(desk, Service::Certificates, "/api/v1/hirer-fines?status=decided").await?,
    })
}

fn heads(l: &Lang, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| l.t(k)).collect()
}

fn request_table(l: &Lang, requests: &Requests) -> Table {
    let rows = requests
        .suspension_requests
        .iter()
        .map(|r| Row {
            href: dossier_href(l, &r.kvk_number),
            link: r.kvk_number.clone(),
            cells: vec![
                r.created_at.date_naive().to_string(),
                r.certification_body_id.clone(),
                l.t(&format!("status-{}", r.status.as_str())),
                l.yes_no(r.answered),
            ],
        })
        .collect();
    Table {
        id: "requests",
        title: l.t("labour-requests"),
        heads: heads(l, &["col-kvk", "labour-requested-on", "labour-body", "labour-status-now", "labour-answered"]),
        rows,
        empty: l.t("labour-no-requests"),
    }
}

fn accident_table(l: &Lang, accidents: &Accidents) -> Table {
    let rows = accidents
        .accidents
        .iter()
        .map(|a| Row {
            href: dossier_href(l, &a.agency_kvk),
            link: a.agency_kvk.clone(),
            cells: vec![
                a.occurred_on.to_string(),
                l.t(&format!("accident-{}", a.kind.as_str())),
                l.yes_no(a.authority_reported_at.is_some()),
                l.yes_no(a.late),
                l.yes_no(a.safety_checked_at.is_some()),
            ],
        })
        .collect();
    Table {
        id: "accidents",
        title: l.t("labour-accidents"),
        heads: heads(
            l,
            &[
                "col-kvk",
                "labour-occurred",
                "labour-accident-kind",
                "labour-reported",
                "labour-late",
                "labour-safety-checked",
            ],
        ),
        rows,
        empty: l.t("labour-no-accidents"),
    }
}

fn complaint_table(l: &Lang, complaints: &Complaints) -> Table {
    let rows = complaints
        .complaints
        .iter()
        .map(|c| Row {
            href: format!("{}#complaints", dossier_href(l, &c.agency_kvk)),
            link: c.agency_kvk.clone(),
            cells: vec![
                c.received_at.date_naive().to_string(),
                l.t(&format!("work-complaint-{}", c.category.as_str())),
            ],
        })
        .collect();
    Table {
        id: "complaints",
        title: l.t("labour-complaints"),
        heads: heads(l, &["col-kvk", "labour-received", "labour-category"]),
        rows,
        empty: l.t("labour-no-complaints"),
    }
}

/// The fines as a table: each leads to its page.
fn fine_table(l: &Lang, fines: &Fines, (id, title, empty): (&'static str, &str, &str)) -> Table {
    let rows = fines
        .fines
        .iter()
        .map(|f| Row {
            href: format!("/labour/fines/{}?lang={}", f.fine_id, l.code),
            link: f.decided_on.to_string(),
            cells: vec![
                f.hirer_kvk.clone(),
                f.agency_kvk.clone(),
                euros(f.amount_cents),
                l.t(&format!("fine-status-{}", f.status.as_str())),
            ],
        })
        .collect();
    Table {
        id,
        title: l.t(title),
        heads: heads(l, &["labour-decided-on", "labour-hirer", "labour-agency-used", "labour-amount", "fine-status"]),
        rows,
        empty: l.t(empty),
    }
}

/// GET /labour — the worklist, and a way into an agency's dossier.
pub async fn list(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let mut desk = match Desk::open(&state, &req, ROLE).await? {
        Ok(desk) => desk,
        Err(away) => return Ok(away),
    };
    let l = desk.lang.clone();
    // `?kvk=` opens that agency's dossier (the form above the lists), if it is a number.
    if let Some(raw) = req.param("kvk") {
        if let Ok(kvk) = platform::ids::KvkNumber::parse(raw.trim(), "/kvk") {
            return Ok(see_other(&dossier_href(&l, kvk.as_str())));
        }
        return show(&mut desk, Some(l.t("labour-kvk-invalid"))).await;
    }
    show(&mut desk, None).await
}

async fn show(desk: &mut Desk, error: Option<String>) -> Result<Response> {
    let work = match worklist(desk).await {
        Ok(work) => work,
        Err(refusal) => return refused(&desk.lang, &refusal),
    };
    let l = desk.lang.clone();
    let tables = vec![
        request_table(&l, &work.requests),
        accident_table(&l, &work.accidents),
        complaint_table(&l, &work.complaints),
        fine_table(&l, &work.fines, ("fines", "labour-fines-open", "labour-no-fines")),
    ];
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let view = ListPage { chrome: Chrome::at(&l, l.t("labour-title"), "/labour".into()), error, tables, l: l.clone() };
    page_with(status, &l, view.render())
}

/// The notice for a path that names no agency, ban or fine.
fn not_found(l: &Lang, key: &str) -> Result<Response> {
    notice(l, StatusCode::NOT_FOUND, l.t(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_of_the_certificates_register_on_this_desk_is_translated() {
        let mut keys: Vec<String> = Vec::new();
        keys.extend(CertificateStatus::ALL.iter().map(|s| format!("status-{s}")));
        keys.extend(AccidentKind::ALL.iter().map(|k| format!("accident-{k}")));
        keys.extend(WorkComplaintCategory::ALL.iter().map(|c| format!("work-complaint-{c}")));
        let missing = crate::i18n::untranslated(&keys);
        assert!(missing.is_empty(), "{missing:?}");
    }
}
