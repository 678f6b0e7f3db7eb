//! The tax authority's desk (issue 35, desk 7): an agency's G-account by its KvK number —
//! the number to verify (the register shows it to the tax authority whatever the status),
//! its dated history — and the steps the tax authority takes on it: verify, block, unblock,
//! close, each but verifying with a reason. Which step an account's status allows is the
//! G-account register's rule; a step it refuses comes back on the page in its words.

use askama::Template;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use platform::auth::Role;
use platform::error::Error;
use platform::http::{Request, see_other};
use platform::ids::KvkNumber;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::GAccountStatus;
use zegel_contracts::register::Service;

use crate::desk::{Desk, Form, Head, KvkParam, kvk_param, refused, said, status_of};
use crate::i18n::Lang;
use crate::page::{Chrome, page_with};
use crate::registers::Refusal;
use crate::state::AppState;

type Result<T> = std::result::Result<T, Error>;

const ROLE: Role = Role::Tax;

/// The steps, as the G-account register names them in its paths.
const STEPS: [&str; 4] = ["verification", "blocking", "unblocking", "closure"];

#[derive(Debug, Deserialize)]
struct AccountIn {
    status: String,
    iban: Option<String>,
    bank: Option<String>,
    since: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize)]
struct HistoryIn {
    history: Vec<Change>,
}

#[derive(Debug, Deserialize)]
struct Change {
    to: GAccountStatus,
    at: DateTime<Utc>,
}

#[derive(Template)]
#[template(path = "tax.html")]
struct TaxPage {
    chrome: Chrome,
    l: Lang,
    head: Head,
    kvk: String,
    account: Option<Vec<(String, String)>>,
    history: Vec<(String, String)>,
    steps: Vec<(&'static str, String, bool)>,
}

fn status_words(l: &Lang, raw: &str) -> String {
    match GAccountStatus::parse(raw) {
        Some(s) => l.t(&format!("gaccount-{}", s.as_str())),
        None => l.t("agency-no-g-account"),
    }
}

fn minute(at: DateTime<Utc>) -> String {
    at.with_timezone(&platform::clock::ZONE).format("%Y-%m-%d %H:%M").to_string()
}

async fn show(
    desk: &mut Desk,
    kvk: Option<&str>,
    status: StatusCode,
    head: (Option<String>, Vec<String>),
) -> Result<Response> {
    let l = desk.lang.clone();
    let (mut account, mut history) = (None, Vec::new());
    if let Some(kvk) = kvk {
        let base = format!("/api/v1/agencies/{kvk}/g-account");
        let read = async {
            let a: AccountIn = desk.ask(Service::Gaccounts, (Method::GET, &base), None).await?;
            let h: HistoryIn = desk.ask(Service::Gaccounts, (Method::GET, &format!("{base}/history")), None).await?;
            Ok::<_, Refusal>((a, h))
        };
        let (a, h) = match read.await {
            Ok(found) => found,
            Err(refusal) => return refused(&l, &refusal),
        };
        let dash = || "—".to_string();
        account = Some(vec![
            (l.t("col-status"), status_words(&l, &a.status)),
            ("IBAN".to_string(), a.iban.unwrap_or_else(dash)),
            (l.t("tax-bank"), a.bank.unwrap_or_else(dash)),
            (l.t("tax-since"), a.since.map(minute).unwrap_or_else(dash)),
        ]);
        history = h.history.iter().rev().map(|c| (minute(c.at), l.t(&format!("gaccount-{}", c.to.as_str())))).collect();
    }
    let view = TaxPage {
        chrome: Chrome::at(&l, l.t("tax-title"), "/tax".into()),
        head: desk.head(format!("/tax/agencies/{}", kvk.unwrap_or_default()), head.0, head.1),
        kvk: kvk.unwrap_or_default().to_string(),
        account,
        history,
        steps: STEPS.iter().map(|s| (*s, l.t(&format!("tax-{s}")), *s != "verification")).collect(),
        l: l.clone(),
    };
    page_with(status, &l, view.render())
}

/// GET /tax[?kvk=] — an agency's G-account.
pub async fn page(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let mut desk = match Desk::open(&state, &req, ROLE).await? {
        Ok(desk) => desk,
        Err(away) => return Ok(away),
    };
    let done = req.param("done").filter(|d| STEPS.contains(d)).map(|d| desk.lang.t(&format!("done-tax-{d}")));
    match kvk_param(&req) {
        KvkParam::None => show(&mut desk, None, StatusCode::OK, (done, Vec::new())).await,
        KvkParam::Kvk(kvk) => show(&mut desk, Some(&kvk), StatusCode::OK, (done, Vec::new())).await,
        KvkParam::Malformed => {
            let errors = vec![desk.lang.t("kvk-eight-digits")];
            show(&mut desk, None, StatusCode::UNPROCESSABLE_ENTITY, (None, errors)).await
        }
    }
}

/// The G-account register's request of a step from the form: a reason where one is given.
fn step_request(form: &Form) -> Value {
    match form.get("reason") {
        Some(reason) => json!({ "reason": reason }),
        None => json!({}),
    }
}

/// POST /tax/agencies/{kvk}/{step} — verify, block, unblock or close the agency's G-account.
pub async fn step(state: AppState, req: Request, (kvk, step): (String, String), raw: Bytes) -> Result<Response> {
    let (mut desk, form) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let (Ok(kvk), true) = (KvkNumber::parse(&kvk, "/kvk"), STEPS.contains(&step.as_str())) else {
        return crate::desk::notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("tax-no-such-step"));
    };
    let path = format!("/api/v1/agencies/{}/g-account/{step}", kvk.as_str());
    match desk.ask::<Value>(Service::Gaccounts, (Method::POST, &path), Some(&step_request(&form))).await {
        Ok(_) => Ok(see_other(&format!("/tax?lang={}&kvk={}&done={step}", desk.lang.code, kvk.as_str()))),
        Err(refusal) => {
            let (status, errors) = (status_of(&refusal), said(&desk.lang, &refusal));
            show(&mut desk, Some(kvk.as_str()), status, (None, errors)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_and_status_is_translated() {
        let mut keys: Vec<String> = STEPS.iter().flat_map(|s| [format!("tax-{s}"), format!("done-tax-{s}")]).collect();
        keys.extend(GAccountStatus::ALL.iter().map(|s| format!("gaccount-{s}")));
        let missing = crate::i18n::untranslated(&keys);
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn a_reason_goes_with_a_step_when_given() {
        assert_eq!(
            step_request(&Form::from(&[("reason", " Fraud suspected. ")][..])),
            json!({"reason": "Fraud suspected."})
        );
        assert_eq!(step_request(&Form::from(&[("reason", "")][..])), json!({}));
    }
}
