//! The admission authority's desk (issue 35, desk 3): the claims against guarantee
//! deposits that wait for an assessment, and one claim with the assessment form — accept
//! (with an amount, or a presumption of the advice that computes it), accept in part or
//! reject, with a reason — and the result before saving: what the deposits register's own
//! code would accept and how a presumption computed it; the deposits with accepted claims
//! to pay, each with its standing and shortfall terms and its payout previewed before it
//! is booked ([`deposit`]). Every form goes to the deposits register with the person's own
//! token.

use askama::Template;
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use platform::auth::Role;
use platform::error::Error;
use platform::http::{Request, see_other};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::deposit::{ClaimStatus, ClaimType, Decision, Presumption, cents_of_euros};
use zegel_contracts::register::Service;

use crate::desk::{Choice, Desk, Form, Head, notice, refused, said, status_of};
use crate::i18n::Lang;
use crate::page::{Chrome, page_with};
use crate::registers::Refusal;
use crate::state::AppState;

pub(crate) mod deposit;

pub use deposit::{deposit, deposit_act};

type Result<T> = std::result::Result<T, Error>;

const ROLE: Role = Role::AdmissionAuthority;

#[derive(Debug, Deserialize)]
struct ClaimIn {
    claim_id: Uuid,
    kvk_number: String,
    claim_type: ClaimType,
    amount_cents: Option<i64>,
    description: String,
    status: ClaimStatus,
    created_at: DateTime<Utc>,
    period_from: Option<NaiveDate>,
    period_to: Option<NaiveDate>,
    paid_during_cents: Option<i64>,
    #[serde(default)]
    evidence: Vec<String>,
    #[serde(default)]
    no_deposit: bool,
    /// The language the worker wrote in (the page marks their words with it).
    language: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Claims {
    claims: Vec<ClaimIn>,
}

/// An amount that may be unknown: in euros ([`crate::i18n::euros`]), or a dash.
fn euros(cents: Option<i64>) -> String {
    cents.map(crate::i18n::euros).unwrap_or_else(|| "—".into())
}

fn period(c: &ClaimIn) -> String {
    match (c.period_from, c.period_to) {
        (Some(from), Some(to)) => format!("{from} – {to}"),
        _ => "—".into(),
    }
}

struct Row {
    href: String,
    filed: String,
    kvk: String,
    kind: String,
    period: String,
    claimed: String,
    paid: String,
}

#[derive(Template)]
#[template(path = "admission_list.html")]
struct ListPage {
    chrome: Chrome,
    l: Lang,
    done: Option<String>,
    rows: Vec<Row>,
    /// Deposits with accepted claims to pay: where, the agency, how many, what is owed.
    to_pay: Vec<(String, String, usize, String)>,
}

#[derive(Debug, Deserialize)]
struct Accepted {
    kvk_number: String,
    accepted_cents: Option<i64>,
    paid_cents: i64,
}

#[derive(Debug, Deserialize)]
struct ToPay {
    claims: Vec<Accepted>,
}

/// The accepted claims by agency: its deposit's page, the agency, how many, what is owed.
fn to_pay(l: &Lang, claims: &[Accepted]) -> Vec<(String, String, usize, String)> {
    let mut by_agency: std::collections::BTreeMap<&str, (usize, i64)> = std::collections::BTreeMap::new();
    for c in claims {
        let entry = by_agency.entry(&c.kvk_number).or_default();
        entry.0 += 1;
        entry.1 += c.accepted_cents.unwrap_or(0) - c.paid_cents;
    }
    let page = |kvk: &str| format!("/admission/deposits/{kvk}?lang={}", l.code);
    by_agency.into_iter().map(|(kvk, (n, owed))| (page(kvk), kvk.to_string(), n, euros(Some(owed)))).collect()
}

/// GET /admission — the claims to assess, oldest first.
pub async fn list(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let mut desk = match Desk::open(&state, &req, ROLE).await? {
        Ok(desk) => desk,
        Err(away) => return Ok(away),
    };
    let claims: Claims = match desk.ask(Service::Deposits, (Method::GET, "/api/v1/claims?status=filed"), None).await {
        Ok(claims) => claims,
        Err(refusal) => return refused(&desk.lang, &refusal),
    };
    let accepted: ToPay = match desk.ask(Service::Deposits, (Method::GET, "/api/v1/claims?status=accepted"), None).await
    {
        Ok(accepted) => accepted,
        Err(refusal) => return refused(&desk.lang, &refusal),
    };
    let l = desk.lang.clone();
    let rows = claims
        .claims
        .iter()
        .map(|c| Row {
            href: format!("/admission/claims/{}?lang={}", c.claim_id, l.code),
            filed: c.created_at.date_naive().to_string(),
            kvk: c.kvk_number.clone(),
            kind: l.t(&format!("claim-{}", c.claim_type.as_str())),
            period: period(c),
            claimed: euros(c.amount_cents),
            paid: euros(c.paid_during_cents),
        })
        .collect();
    let done = (req.param("done") == Some("assessment")).then(|| l.t("done-assessment"));
    let view = ListPage {
        chrome: Chrome::at(&l, l.t("admission-title"), "/admission".into()),
        done,
        rows,
        to_pay: to_pay(&l, &accepted.claims),
        l: l.clone(),
    };
    page_with(StatusCode::OK, &l, view.render())
}

#[derive(Template)]
#[template(path = "admission_claim.html")]
struct ClaimPage {
    chrome: Chrome,
    l: Lang,
    head: Head,
    facts: Vec<(String, String)>,
    description: String,
    /// The language of the worker's words, when it is one the register knows.
    words_lang: String,
    evidence: Vec<String>,
    assessable: bool,
    decisions: Vec<Choice>,
    presumptions: Vec<Choice>,
    amount: String,
    reason: String,
    result: Option<(String, Vec<(String, String)>)>,
}

fn facts(l: &Lang, c: &ClaimIn) -> Vec<(String, String)> {
    let mut facts = vec![
        (l.t("col-kvk"), c.kvk_number.clone()),
        (l.t("claim-kind"), l.t(&format!("claim-{}", c.claim_type.as_str()))),
        (l.t("claim-status"), l.t(&format!("claim-status-{}", c.status.as_str()))),
        (l.t("claim-filed"), c.created_at.date_naive().to_string()),
        (l.t("claim-period"), period(c)),
        (l.t("claim-claimed"), euros(c.amount_cents)),
        (l.t("claim-paid-during"), euros(c.paid_during_cents)),
    ];
    if c.no_deposit {
        facts.push((l.t("claim-no-deposit"), l.t("yes")));
    }
    facts
}

/// The register's answer to a preview: the amount it would accept, and each step of a
/// presumption's computation as the register names it.
fn result(l: &Lang, preview: &Value) -> (String, Vec<(String, String)>) {
    let accepted = euros(preview["accepted_cents"].as_i64());
    let steps = preview["computation"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.replace('_', " "), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
        .collect();
    (format!("{} {accepted}", l.t("result-accepted")), steps)
}

/// How a claim's page is shown: its status, what the register refused, the form as posted
/// and the register's preview.
struct Shown {
    status: StatusCode,
    errors: Vec<String>,
    posted: Form,
    preview: Option<Value>,
}

async fn show(desk: &mut Desk, id: Uuid, shown: Shown) -> Result<Response> {
    let claim: ClaimIn = match desk.ask(Service::Deposits, (Method::GET, &format!("/api/v1/claims/{id}")), None).await {
        Ok(claim) => claim,
        Err(refusal) => return refused(&desk.lang, &refusal),
    };
    let l = desk.lang.clone();
    let posted = &shown.posted;
    let chosen = |name: &str, value: &str| posted.get(name) == Some(value);
    let decisions = Decision::ALL
        .iter()
        .map(|d| Choice {
            value: d.as_str(),
            label: l.t(&format!("decision-{}", d.as_str())),
            chosen: chosen("decision", d.as_str()),
        })
        .collect();
    let mut presumptions =
        vec![Choice { value: "", label: l.t("presumption-none"), chosen: !posted.has("presumption") }];
    presumptions.extend(Presumption::ALL.iter().map(|p| Choice {
        value: p.as_str(),
        label: l.t(&format!("presumption-{}", p.as_str())),
        chosen: chosen("presumption", p.as_str()),
    }));
    let view = ClaimPage {
        chrome: Chrome::at(
            &l,
            format!("{} {}", l.t("claim-title"), claim.kvk_number),
            format!("/admission/claims/{id}"),
        ),
        head: desk.head(format!("/admission/claims/{id}"), None, shown.errors),
        facts: facts(&l, &claim),
        description: claim.description.clone(),
        words_lang: claim
            .language
            .clone()
            .filter(|l| zegel_contracts::language::LANGUAGES.iter().any(|(c, _)| c == l))
            .unwrap_or_default(),
        evidence: claim.evidence.clone(),
        assessable: claim.status == ClaimStatus::Filed,
        decisions,
        presumptions,
        amount: posted.get("amount").unwrap_or_default().to_string(),
        reason: posted.get("reason").unwrap_or_default().to_string(),
        result: shown.preview.as_ref().map(|p| result(&l, p)),
        l: l.clone(),
    };
    page_with(shown.status, &l, view.render())
}

/// GET /admission/claims/{id}
pub async fn claim(state: AppState, req: Request, id: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let mut desk = match Desk::open(&state, &req, ROLE).await? {
        Ok(desk) => desk,
        Err(away) => return Ok(away),
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("no-such-claim"));
    };
    show(&mut desk, id, Shown { status: StatusCode::OK, errors: Vec::new(), posted: Form::default(), preview: None })
        .await
}

/// The register's assessment from the form; or the key of the sentence that says which
/// field could not be read.
fn assessment(form: &Form) -> std::result::Result<Value, &'static str> {
    let decision = form.get("decision").and_then(Decision::parse).ok_or("field-decision-missing")?;
    let mut body = Map::new();
    body.insert("decision".into(), json!(decision));
    if let Some(p) = form.get("presumption") {
        body.insert("presumption".into(), json!(Presumption::parse(p).ok_or("field-presumption")?));
    }
    if let Some(cents) = cents_of_euros(form.get("amount").unwrap_or_default()).map_err(|()| "field-amount")? {
        body.insert("amount_cents".into(), json!(cents));
    }
    if let Some(reason) = form.get("reason") {
        body.insert("reason".into(), json!(reason));
    }
    Ok(Value::Object(body))
}

/// POST /admission/claims/{id}/{action}: `preview` (the page again with what the register
/// would accept) or `assessment` (recorded).
pub async fn act(state: AppState, req: Request, (id, action): (String, String), raw: Bytes) -> Result<Response> {
    let (mut desk, posted) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let (Ok(id), true) = (Uuid::parse_str(&id), ["preview", "assessment"].contains(&action.as_str())) else {
        return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("no-such-claim"));
    };
    let again = |status, errors, preview| Shown { status, errors, posted: Form::default(), preview };
    let body = match assessment(&posted) {
        Ok(body) => body,
        Err(key) => {
            let shown = Shown { posted, ..again(StatusCode::UNPROCESSABLE_ENTITY, vec![desk.lang.t(key)], None) };
            return show(&mut desk, id, shown).await;
        }
    };
    let path =
        format!("/api/v1/claims/{id}/{}", if action == "preview" { "assessment-previews" } else { "assessment" });
    let answer: std::result::Result<Value, Refusal> =
        desk.ask(Service::Deposits, (Method::POST, &path), Some(&body)).await;
    match (answer, action.as_str()) {
        (Ok(preview), "preview") => {
            show(&mut desk, id, Shown { posted, ..again(StatusCode::OK, Vec::new(), Some(preview)) }).await
        }
        (Ok(_), _) => Ok(see_other(&format!("/admission?lang={}&done=assessment", desk.lang.code))),
        (Err(refusal), _) => {
            let status = status_of(&refusal);
            let errors = said(&desk.lang, &refusal);
            show(&mut desk, id, Shown { posted, ..again(status, errors, None) }).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_assessment_form_becomes_the_register_s_request() {
        let form = |pairs: &[(&str, &str)]| Form::from(pairs);
        let body = assessment(&form(&[("decision", "accept"), ("presumption", "six_month_relation"), ("amount", "")]));
        assert_eq!(body, Ok(json!({"decision": "accept", "presumption": "six_month_relation"})));
        let body =
            assessment(&form(&[("decision", "accept_in_part"), ("amount", "1200,50"), ("reason", "Two weeks shown.")]));
        assert_eq!(
            body,
            Ok(json!({"decision": "accept_in_part", "amount_cents": 120_050, "reason": "Two weeks shown."}))
        );
        assert_eq!(assessment(&form(&[("decision", "accept"), ("amount", "12.345")])), Err("field-amount"));
        assert_eq!(assessment(&form(&[("amount", "10")])), Err("field-decision-missing"));
    }

    #[test]
    fn every_word_of_the_deposits_register_is_translated() {
        let mut keys: Vec<String> = Vec::new();
        keys.extend(ClaimType::ALL.iter().map(|t| format!("claim-{t}")));
        keys.extend(ClaimStatus::ALL.iter().map(|s| format!("claim-status-{s}")));
        keys.extend(Decision::ALL.iter().map(|d| format!("decision-{d}")));
        keys.extend(Presumption::ALL.iter().map(|p| format!("presumption-{p}")));
        let missing = crate::i18n::untranslated(&keys);
        assert!(missing.is_empty(), "{missing:?}");
    }
}
