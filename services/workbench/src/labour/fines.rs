//! Hirer fines at the Labour Authority's desk (advice 2.1 E): the case (hirer, agency,
//! period, workers, the receipts of the hirer check the hirer showed) computed by the
//! certificates register with every step shown — the days the agency held no certificate,
//! the days the receipts cover, the offence's date, the schedule in force, the earlier
//! fines that count, the raise — before it is decided; a decided fine's page with the same
//! steps, and the form that makes it final.

use askama::Template;
use bytes::Bytes;
use chrono::NaiveDate;
use platform::error::Error;
use platform::http::{Request, see_other};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::certificate::FineStatus;
use zegel_contracts::register::Service;

use super::{ROLE, not_found, read};
use crate::desk::{Desk, Form, Head, refused, said, status_of};
use crate::i18n::Lang;
use crate::i18n::euros;
use crate::page::{Chrome, page_with};
use crate::state::AppState;

type Result<T> = std::result::Result<T, Error>;

/// The most receipts one case names (the register's own limit).
const MAX_RECEIPTS: usize = 50;

#[derive(Debug, Deserialize)]
struct ReceiptIn {
    receipt_id: String,
    checked_on: Option<NaiveDate>,
    may_hire: bool,
    verified: bool,
}

#[derive(Debug, Deserialize)]
struct ScheduleIn {
    effective_from: NaiveDate,
    per_worker_cents: i64,
}

#[derive(Debug, Deserialize)]
struct EarlierIn {
    irrevocable_on: NaiveDate,
}

/// A fine's computation as the certificates register shows it.
#[derive(Debug, Deserialize)]
struct Computation {
    period_from: NaiveDate,
    period_to: NaiveDate,
    uncertified_days: usize,
    covered_days: usize,
    offence_on: Option<NaiveDate>,
    defence: Vec<ReceiptIn>,
    due_diligence: bool,
    schedule: Option<ScheduleIn>,
    earlier: Vec<EarlierIn>,
    raise_percent: i32,
    workers: i32,
    base_cents: i64,
    amount_cents: i64,
}

/// A hirer's fine as the certificates register shows it (one, or each of a list).
#[derive(Debug, Deserialize)]
pub(super) struct FineIn {
    pub fine_id: Uuid,
    pub hirer_kvk: String,
    pub agency_kvk: String,
    pub amount_cents: i64,
    computation: Computation,
    pub status: FineStatus,
    pub decided_on: NaiveDate,
    irrevocable_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Fines {
    pub fines: Vec<FineIn>,
}

#[derive(Debug, Deserialize)]
struct Computed {
    computation: Computation,
}

/// Every step of a computation, in order, in the person's language.
fn steps(l: &Lang, c: &Computation) -> Vec<(String, String)> {
    let mut steps = vec![
        (l.t("fine-step-period"), format!("{} – {}", c.period_from, c.period_to)),
        (l.t("fine-step-uncertified"), c.uncertified_days.to_string()),
        (l.t("fine-step-covered"), c.covered_days.to_string()),
    ];
    for r in &c.defence {
        let day = r.checked_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
        let said = format!(
            "{} {day} · {} {} · {} {}",
            l.t("fine-receipt-checked"),
            l.t("fine-receipt-may-hire"),
            l.yes_no(r.may_hire),
            l.t("fine-receipt-verified"),
            l.yes_no(r.verified)
        );
        steps.push((format!("{} {}", l.t("fine-step-receipt"), r.receipt_id), said));
    }
    steps.push((l.t("fine-step-diligence"), l.yes_no(c.due_diligence)));
    let offence = c.offence_on.map(|d| d.to_string()).unwrap_or_else(|| l.t("fine-no-offence"));
    steps.push((l.t("fine-step-offence-on"), offence));
    if let Some(s) = &c.schedule {
        let per = format!("{} ({} {})", euros(s.per_worker_cents), l.t("fine-in-force-from"), s.effective_from);
        steps.push((l.t("fine-step-per-worker"), per));
    }
    let earlier: Vec<String> = c.earlier.iter().map(|e| e.irrevocable_on.to_string()).collect();
    let earlier = if earlier.is_empty() { l.t("fine-none") } else { earlier.join(", ") };
    steps.extend([
        (l.t("fine-step-earlier"), earlier),
        (l.t("fine-step-raise"), format!("{} %", c.raise_percent)),
        (l.t("fine-step-workers"), c.workers.to_string()),
        (l.t("fine-step-base"), euros(c.base_cents)),
        (l.t("fine-step-amount"), euros(c.amount_cents)),
    ]);
    steps
}

#[derive(Template)]
#[template(path = "labour_fines.html")]
struct FinesPage {
    chrome: Chrome,
    l: Lang,
    head: Head,
    table: super::Table,
    /// The form's fields as typed: hirer, agency, from, to, workers, receipts.
    typed: [String; 6],
    steps: Option<Vec<(String, String)>>,
}

const FIELDS: [&str; 6] = ["hirer", "agency", "from", "to", "workers", "receipts"];

async fn show_list(
    desk: &mut Desk,
    status: StatusCode,
    errors: Vec<String>,
    posted: &Form,
    preview: Option<Computation>,
) -> Result<Response> {
    let fines: Fines = match read(desk, Service::Certificates, "/api/v1/hirer-fines").await {
        Ok(fines) => fines,
        Err(refusal) => return refused(&desk.lang, &refusal),
    };
    let l = desk.lang.clone();
    let table = super::fine_table(&l, &fines, ("fines", "fine-list", "labour-no-fines-yet"));
    let view = FinesPage {
        chrome: Chrome::at(&l, l.t("labour-fines-title"), "/labour/fines".into()),
        head: desk.head("/labour/fines".into(), None, errors),
        table,
        typed: FIELDS.map(|f| posted.get(f).unwrap_or_default().to_string()),
        steps: preview.map(|c| steps(&l, &c)),
        l: l.clone(),
    };
    page_with(status, &l, view.render())
}

/// GET /labour/fines — the fines, newest first, and the form of a new case.
pub async fn fines(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let mut desk = match Desk::open(&state, &req, ROLE).await? {
        Ok(desk) => desk,
        Err(away) => return Ok(away),
    };
    show_list(&mut desk, StatusCode::OK, Vec::new(), &Form::default(), None).await
}

/// The register's case from the form; or the key of the sentence that says which field
/// could not be read. The register checks the numbers, the period and the receipts.
fn case(form: &Form) -> std::result::Result<Value, &'static str> {
    let date = |name: &str| form.get(name).and_then(|d| d.parse::<NaiveDate>().ok()).ok_or("field-date");
    let workers: i64 = form.get("workers").and_then(|w| w.parse().ok()).ok_or("field-workers")?;
    let receipts: Vec<&str> = form.get("receipts").unwrap_or_default().split_whitespace().collect();
    if receipts.len() > MAX_RECEIPTS {
        return Err("field-receipts");
    }
    Ok(json!({
        "hirer_kvk": form.get("hirer").ok_or("field-kvk")?,
        "agency_kvk": form.get("agency").ok_or("field-kvk")?,
        "from": date("from")?,
        "to": date("to")?,
        "workers": workers,
        "receipts": receipts,
    }))
}

/// POST /labour/fines, by the button pressed (`step`): `computation` (the page again with
/// every step; also what Enter in a field does, the form's first button) or `decision`
/// (the fine decided as computed, then its page).
pub async fn fines_act(state: AppState, req: Request, _: (), raw: Bytes) -> Result<Response> {
    let (mut desk, form) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let decide = form.get("step") == Some("decision");
    let path = if decide { "/api/v1/hirer-fines" } else { "/api/v1/hirer-fine-computations" };
    let body = match case(&form) {
        Ok(body) => body,
        Err(key) => {
            let errors = vec![desk.lang.t(key)];
            return show_list(&mut desk, StatusCode::UNPROCESSABLE_ENTITY, errors, &form, None).await;
        }
    };
    match desk.ask::<Value>(Service::Certificates, (Method::POST, path), Some(&body)).await {
        Ok(answer) if !decide => {
            let computed = serde_json::from_value::<Computed>(answer).map(|c| c.computation).ok();
            show_list(&mut desk, StatusCode::OK, Vec::new(), &form, computed).await
        }
        Ok(fine) => {
            let id = fine["fine_id"].as_str().unwrap_or_default().to_string();
            Ok(see_other(&format!("/labour/fines/{id}?lang={}&done=decided", desk.lang.code)))
        }
        Err(refusal) => {
            let status = status_of(&refusal);
            let errors = said(&desk.lang, &refusal);
            show_list(&mut desk, status, errors, &form, None).await
        }
    }
}

#[derive(Template)]
#[template(path = "labour_fine.html")]
struct FinePage {
    chrome: Chrome,
    l: Lang,
    head: Head,
    facts: Vec<(String, String)>,
    steps: Vec<(String, String)>,
    decided: bool,
}

async fn show_fine(
    desk: &mut Desk,
    id: Uuid,
    status: StatusCode,
    head: (Option<String>, Vec<String>),
) -> Result<Response> {
    let fine: FineIn = match read(desk, Service::Certificates, &format!("/api/v1/hirer-fines/{id}")).await {
        Ok(fine) => fine,
        Err(refusal) => return refused(&desk.lang, &refusal),
    };
    let l = desk.lang.clone();
    let facts = vec![
        (l.t("labour-hirer"), fine.hirer_kvk.clone()),
        (l.t("labour-agency-used"), fine.agency_kvk.clone()),
        (l.t("labour-amount"), euros(fine.amount_cents)),
        (l.t("fine-status"), l.t(&format!("fine-status-{}", fine.status.as_str()))),
        (l.t("labour-decided-on"), fine.decided_on.to_string()),
        (l.t("fine-irrevocable-on"), fine.irrevocable_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())),
    ];
    let view = FinePage {
        chrome: Chrome::at(&l, format!("{} {}", l.t("fine-title"), fine.hirer_kvk), format!("/labour/fines/{id}")),
        head: desk.head(format!("/labour/fines/{id}"), head.0, head.1),
        facts,
        steps: steps(&l, &fine.computation),
        decided: fine.irrevocable_on.is_none(),
        l: l.clone(),
    };
    page_with(status, &l, view.render())
}

/// GET /labour/fines/{id}
pub async fn fine(state: AppState, req: Request, id: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let mut desk = match Desk::open(&state, &req, ROLE).await? {
        Ok(desk) => desk,
        Err(away) => return Ok(away),
    };
    let Ok(id) = Uuid::parse_str(&id) else { return not_found(&desk.lang, "no-such-fine") };
    let done = match req.param("done") {
        Some("decided") => Some(desk.lang.t("done-fine-decided")),
        Some("irrevocable") => Some(desk.lang.t("done-fine-irrevocable")),
        _ => None,
    };
    show_fine(&mut desk, id, StatusCode::OK, (done, Vec::new())).await
}

/// POST /labour/fines/{id}/irrevocability — the fine is final from the day given.
pub async fn fine_act(state: AppState, req: Request, (id, action): (String, String), raw: Bytes) -> Result<Response> {
    let (mut desk, form) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let (Ok(id), "irrevocability") = (Uuid::parse_str(&id), action.as_str()) else {
        return not_found(&desk.lang, "no-such-fine");
    };
    let Some(on) = form.get("irrevocable_on").and_then(|d| d.parse::<NaiveDate>().ok()) else {
        let errors = vec![desk.lang.t("field-date")];
        return show_fine(&mut desk, id, StatusCode::UNPROCESSABLE_ENTITY, (None, errors)).await;
    };
    let path = format!("/api/v1/hirer-fines/{id}/irrevocability");
    match desk.ask::<Value>(Service::Certificates, (Method::POST, &path), Some(&json!({ "irrevocable_on": on }))).await
    {
        Ok(_) => Ok(see_other(&format!("/labour/fines/{id}?lang={}&done=irrevocable", desk.lang.code))),
        Err(refusal) => {
            let status = status_of(&refusal);
            let errors = said(&desk.lang, &refusal);
            show_fine(&mut desk, id, status, (None, errors)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_form_becomes_the_register_s_request() {
        let form = Form::from(
            &[
                ("hirer", "87654321"),
                ("agency", "12345678"),
                ("from", "2026-11-01"),
                ("to", "2026-11-30"),
                ("workers", "4"),
                ("receipts", "rcpt-one\r\nrcpt-two "),
            ][..],
        );
        assert_eq!(
            case(&form),
            Ok(json!({"hirer_kvk": "87654321", "agency_kvk": "12345678", "from": "2026-11-01", "to": "2026-11-30",
                "workers": 4, "receipts": ["rcpt-one", "rcpt-two"]}))
        );
        let no_workers =
            Form::from(&[("hirer", "1"), ("agency", "2"), ("from", "2026-11-01"), ("to", "2026-11-30")][..]);
        assert_eq!(case(&no_workers), Err("field-workers"));
    }

    #[test]
    fn every_step_of_a_computation_is_shown_in_order() {
        let c: Computation = serde_json::from_value(json!({
            "offence": "uncertified_agency", "period_from": "2026-11-01", "period_to": "2026-11-30",
            "uncertified_days": 10, "covered_days": 3, "offence_on": "2026-11-04",
            "defence": [{"receipt_id": "r1", "kvk_number": "12345678", "checked_on": "2026-10-30", "may_hire": true, "verified": true}],
            "due_diligence": false,
            "schedule": {"effective_from": "2026-01-01", "per_worker_cents": 1_200_000, "first_repeat_percent": 50,
                "second_repeat_percent": 100, "later_repeat_percent": 200, "repeat_window_years": 5, "diligence_days": 3},
            "earlier": [{"fine_id": "0194f3a2-7c1e-7b52-9a1d-3c4b5d6e7f80", "irrevocable_on": "2025-05-01"}],
            "raise_percent": 50, "workers": 4, "base_cents": 4_800_000, "amount_cents": 7_200_000
        }))
        .expect("the register's computation reads");
        let l = Lang::negotiate(Some("en"), None);
        let shown = steps(&l, &c);
        let values: Vec<&str> = shown.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(values[0], "2026-11-01 – 2026-11-30");
        assert_eq!(&values[1..3], ["10", "3"]);
        assert!(values.contains(&"2026-11-04") && values.contains(&"2025-05-01") && values.contains(&"50 %"));
        assert_eq!(values.last(), Some(&"€ 72000,00"));
        // A label still spelled as its key has no text in this language.
        let untranslated: Vec<&String> = shown.iter().map(|(k, _)| k).filter(|k| k.starts_with("fine-")).collect();
        assert!(untranslated.is_empty(), "{untranslated:?}");
        let statuses: Vec<String> = FineStatus::ALL.iter().map(|s| format!("fine-status-{}", s.as_str())).collect();
        let missing = crate::i18n::untranslated(&statuses);
        assert!(missing.is_empty(), "{missing:?}");
    }
}
