//! The KvK's desk (issue 35, desk 7): KvK's systems ask the lookup by themselves when an
//! agency registers or deregisters; this desk is where a KvK employee reads what those
//! checks answered (newest first, for one agency or all) and asks one by hand — a
//! registration with its officers' BSNs, roles and the VOG's date, or a deregistration on a
//! date. The BSNs go to the lookup only (it keeps keyed hashes) and never come back on a
//! page, not even after a refusal.

use askama::Template;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use platform::auth::Role;
use platform::error::Error;
use platform::http::Request;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::ban::OfficerRole;
use zegel_contracts::kvk::{CheckKind, CheckResult, Signal};
use zegel_contracts::register::Service;

use crate::desk::{Choice, Desk, Form, Head, KvkParam, kvk_param, notice, refused, said, status_of};
use crate::i18n::Lang;
use crate::page::{Chrome, page_with};
use crate::state::AppState;

type Result<T> = std::result::Result<T, Error>;

const ROLE: Role = Role::Kvk;

/// Officers a registration form has rows for.
const OFFICER_ROWS: usize = 3;

#[derive(Debug, Deserialize)]
struct Checks {
    checks: Vec<CheckIn>,
}

#[derive(Debug, Deserialize)]
struct CheckIn {
    kind: CheckKind,
    kvk_number: String,
    result: CheckResult,
    reasons: Value,
    mark_for_deregistration: bool,
    checked_at: DateTime<Utc>,
}

pub struct CheckRow {
    at: String,
    kind: String,
    kvk: String,
    result: String,
    passed: bool,
    reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "kvk.html")]
struct KvkPage {
    chrome: Chrome,
    l: Lang,
    head: Head,
    filter: String,
    answer: Option<CheckRow>,
    checks: Vec<CheckRow>,
    officer_rows: Vec<usize>,
    roles: Vec<Choice>,
}

/// A check's reasons in words: a registration's are the lookup's sentences; a
/// deregistration's are signals, named in the person's language with their count.
fn reasons(l: &Lang, raw: &Value) -> Vec<String> {
    raw.as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| match r {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => {
                let signal = o.get("signal").and_then(Value::as_str).and_then(Signal::parse)?;
                let count = o.get("count").and_then(Value::as_i64).map(|n| format!(" ({n})")).unwrap_or_default();
                Some(format!("{}{count}", l.t(&format!("signal-{}", signal.as_str()))))
            }
            _ => None,
        })
        .collect()
}

fn row(l: &Lang, c: CheckIn) -> CheckRow {
    let mut reasons = reasons(l, &c.reasons);
    if c.mark_for_deregistration {
        reasons.push(l.t("kvk-mark-for-deregistration"));
    }
    CheckRow {
        at: c.checked_at.with_timezone(&platform::clock::ZONE).format("%Y-%m-%d %H:%M").to_string(),
        kind: l.t(&format!("kvk-kind-{}", c.kind.as_str())),
        kvk: c.kvk_number,
        result: l.t(&format!("kvk-result-{}", c.result.as_str())),
        passed: matches!(c.result, CheckResult::Allow | CheckResult::Ok),
        reasons,
    }
}

async fn show(
    desk: &mut Desk,
    filter: Option<String>,
    status: StatusCode,
    (errors, answer): (Vec<String>, Option<CheckIn>),
) -> Result<Response> {
    let path = match &filter {
        Some(kvk) => format!("/api/v1/kvk/checks?kvk={kvk}&limit=50"),
        None => "/api/v1/kvk/checks?limit=50".to_string(),
    };
    let checks: Checks = match desk.ask(Service::Lookup, (Method::GET, &path), None).await {
        Ok(checks) => checks,
        Err(refusal) => return refused(&desk.lang, &refusal),
    };
    let l = desk.lang.clone();
    let view = KvkPage {
        chrome: Chrome::at(&l, l.t("kvk-title"), "/kvk".into()),
        head: desk.head("/kvk/checks".into(), None, errors),
        filter: filter.unwrap_or_default(),
        answer: answer.map(|c| row(&l, c)),
        checks: checks.checks.into_iter().map(|c| row(&l, c)).collect(),
        officer_rows: (0..OFFICER_ROWS).collect(),
        roles: OfficerRole::ALL
            .iter()
            .map(|r| Choice { value: r.as_str(), label: l.t(&format!("officer-{}", r.as_str())), chosen: false })
            .collect(),
        l: l.clone(),
    };
    page_with(status, &l, view.render())
}

/// GET /kvk[?kvk=] — the checks, newest first.
pub async fn page(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let mut desk = match Desk::open(&state, &req, ROLE).await? {
        Ok(desk) => desk,
        Err(away) => return Ok(away),
    };
    match kvk_param(&req) {
        KvkParam::None => show(&mut desk, None, StatusCode::OK, (Vec::new(), None)).await,
        KvkParam::Kvk(kvk) => show(&mut desk, Some(kvk), StatusCode::OK, (Vec::new(), None)).await,
        KvkParam::Malformed => {
            let errors = vec![desk.lang.t("kvk-eight-digits")];
            show(&mut desk, None, StatusCode::UNPROCESSABLE_ENTITY, (errors, None)).await
        }
    }
}

/// The lookup's request of a registration check from the form; or the key of the sentence
/// that says what could not be read. The lookup judges the rest (the BSNs' check digits,
/// the SBI codes, the VOG's age).
fn registration_request(form: &Form) -> std::result::Result<Value, &'static str> {
    let mut body = Map::new();
    body.insert("kvk_number".into(), json!(form.get("kvk").ok_or("kvk-eight-digits")?));
    let sbi: Vec<&str> =
        form.get("sbi_codes").unwrap_or_default().split([',', ' ']).filter(|c| !c.is_empty()).collect();
    body.insert("sbi_codes".into(), json!(sbi));
    let vog: chrono::NaiveDate = form.get("vog_issued_on").and_then(|d| d.parse().ok()).ok_or("field-date")?;
    body.insert("vog_issued_on".into(), json!(vog));
    let mut officers = Vec::new();
    for i in 0..OFFICER_ROWS {
        let (bsn, role) = (form.get(&format!("bsn_{i}")), form.get(&format!("role_{i}")));
        match (bsn, role.and_then(OfficerRole::parse)) {
            (None, _) => {}
            (Some(bsn), Some(role)) => officers.push(json!({ "bsn": bsn, "role": role })),
            (Some(_), None) => return Err("kvk-field-role"),
        }
    }
    body.insert("officers".into(), json!(officers));
    Ok(Value::Object(body))
}

/// POST /kvk/checks/{registration|deregistration} — a check asked by hand; its answer on
/// the page, above the list.
pub async fn check(state: AppState, req: Request, kind: String, raw: Bytes) -> Result<Response> {
    let (mut desk, form) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let request = match kind.as_str() {
        "registration" => registration_request(&form).map(|b| ("/api/v1/kvk/registration-checks", b)),
        "deregistration" => match (form.get("kvk"), form.get("date").and_then(|d| d.parse::<chrono::NaiveDate>().ok()))
        {
            (Some(kvk), Some(date)) => {
                Ok(("/api/v1/kvk/deregistration-checks", json!({ "kvk_number": kvk, "date": date })))
            }
            _ => Err("field-date"),
        },
        _ => return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("hirer-no-such-form")),
    };
    let (path, body) = match request {
        Ok(request) => request,
        Err(key) => {
            let errors = vec![desk.lang.t(key)];
            return show(&mut desk, None, StatusCode::UNPROCESSABLE_ENTITY, (errors, None)).await;
        }
    };
    match desk.ask::<CheckIn>(Service::Lookup, (Method::POST, path), Some(&body)).await {
        Ok(answer) => show(&mut desk, None, StatusCode::OK, (Vec::new(), Some(answer))).await,
        Err(refusal) => {
            let (status, errors) = (status_of(&refusal), said(&desk.lang, &refusal));
            show(&mut desk, None, status, (errors, None)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_of_the_kvk_checks_is_translated() {
        let mut keys: Vec<String> = CheckKind::ALL.iter().map(|k| format!("kvk-kind-{k}")).collect();
        keys.extend(CheckResult::ALL.iter().map(|r| format!("kvk-result-{r}")));
        keys.extend(Signal::ALL.iter().map(|s| format!("signal-{s}")));
        keys.extend(OfficerRole::ALL.iter().map(|r| format!("officer-{r}")));
        let missing = crate::i18n::untranslated(&keys);
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn a_registration_form_becomes_the_lookup_s_request() {
        let form = Form::from(
            &[
                ("kvk", "12345678"),
                ("sbi_codes", "7820, 7830"),
                ("vog_issued_on", "2026-11-01"),
                ("bsn_0", "111222333"),
                ("role_0", "director"),
                ("bsn_1", ""),
                ("role_1", "owner"),
            ][..],
        );
        assert_eq!(
            registration_request(&form),
            Ok(json!({"kvk_number": "12345678", "sbi_codes": ["7820", "7830"], "vog_issued_on": "2026-11-01",
                "officers": [{"bsn": "111222333", "role": "director"}]}))
        );
        let no_role = Form::from(&[("kvk", "12345678"), ("vog_issued_on", "2026-11-01"), ("bsn_0", "1")][..]);
        assert_eq!(registration_request(&no_role), Err("kvk-field-role"));
    }
}
