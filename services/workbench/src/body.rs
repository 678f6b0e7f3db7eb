//! The certification body's desk (issue 35, desk 1): its certificates and what is due;
//! one certificate with the agency's live standing, the requirement checklist as the
//! register's rule judges it, audits and deficiencies, the lifecycle (certify, suspend,
//! reinstate, revoke with its ground) and the seal on a poster to hand over. Every form
//! goes to the certificates register with the auditor's own token; what the register
//! refuses comes back on the same page, in the register's words.

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
use zegel_contracts::CertificateStatus;
use zegel_contracts::agency::{Part, Reason};
use zegel_contracts::certificate::{AuditOutcome, Ground, Outcome, RequirementCode};
use zegel_contracts::register::Service;

use crate::desk::{Desk, Form, notice, refused, said, status_of};
use crate::i18n::Lang;
use crate::page::{Chrome, page, page_with};
use crate::registers::Refusal;
use crate::state::AppState;

type Result<T> = std::result::Result<T, Error>;

const ROLE: Role = Role::CertificationBody;

/// How many deficiency rows the audit form offers (an audit with more is recorded in parts).
const DEFICIENCY_ROWS: usize = 3;

#[derive(Debug, Deserialize)]
struct Listed {
    certificate_id: Uuid,
    kvk_number: String,
    agency_name: String,
    status: CertificateStatus,
    valid_until: Option<NaiveDate>,
    open_deficiencies: i64,
    next_due: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
struct BodyList {
    certificates: Vec<Listed>,
    truncated: bool,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Detail {
    pub(crate) certificate_id: Uuid,
    pub(crate) kvk_number: String,
    pub(crate) status: CertificateStatus,
    pub(crate) issued_on: NaiveDate,
    pub(crate) probation_ends_on: NaiveDate,
    pub(crate) certified_on: Option<NaiveDate>,
    pub(crate) next_audit_due: Option<NaiveDate>,
    pub(crate) valid_until: Option<NaiveDate>,
    pub(crate) suspension_reason: Option<String>,
    pub(crate) suspension_remedy_by: Option<NaiveDate>,
    #[serde(default)]
    pub(crate) audits: Vec<AuditRow>,
    #[serde(default)]
    pub(crate) deficiencies: Vec<DeficiencyRow>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct AuditRow {
    pub(crate) performed_on: NaiveDate,
    pub(crate) outcome: AuditOutcome,
    pub(crate) report_ref: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct DeficiencyRow {
    pub(crate) deficiency_id: Uuid,
    pub(crate) description: String,
    pub(crate) serious: bool,
    pub(crate) remedy_by: NaiveDate,
    pub(crate) resolved_on: Option<NaiveDate>,
    pub(crate) resolution_ref: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Checklist {
    pub(crate) certifiable: bool,
    pub(crate) requirements: Vec<Item>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Item {
    pub(crate) code: RequirementCode,
    pub(crate) decided_live: bool,
    pub(crate) may_be_not_applicable: bool,
    pub(crate) per_financial_year: bool,
    pub(crate) recorded: Option<Recorded>,
    pub(crate) unmet: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Recorded {
    pub(crate) outcome: Outcome,
    pub(crate) evidence_ref: Option<String>,
    pub(crate) checked_on: NaiveDate,
    pub(crate) valid_until: Option<NaiveDate>,
    pub(crate) financial_year: Option<i32>,
}

/// The hirer check of the lookup: the agency's standing as any hirer sees it now.
#[derive(Debug, Deserialize)]
pub(crate) struct Standing {
    pub(crate) may_hire: bool,
    #[serde(default)]
    pub(crate) reason_codes: Vec<Reason>,
    pub(crate) parts: std::collections::BTreeMap<Part, StandingPart>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct StandingPart {
    pub(crate) ok: bool,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Sealed {
    pub(crate) url: String,
    pub(crate) expires_at: chrono::DateTime<chrono::Utc>,
    pub(crate) qr_png: String,
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

fn status_label(l: &Lang, status: CertificateStatus) -> String {
    l.t(&format!("status-{}", status.as_str()))
}

struct Row {
    href: String,
    agency: String,
    kvk: String,
    status: String,
    valid_until: String,
    open_deficiencies: i64,
    next_due: String,
}

#[derive(Template)]
#[template(path = "body_list.html")]
struct ListPage {
    chrome: Chrome,
    l: Lang,
    org: String,
    csrf: String,
    rows: Vec<Row>,
    truncated: bool,
    errors: Vec<String>,
    kvk: String,
}

/// GET /body — the body's certificates, newest first, and a form to start one.
pub async fn list(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let mut desk = match Desk::open(&state, &req, ROLE).await? {
        Ok(desk) => desk,
        Err(away) => return Ok(away),
    };
    show_list(&mut desk, StatusCode::OK, Vec::new(), String::new()).await
}

async fn show_list(desk: &mut Desk, status: StatusCode, errors: Vec<String>, kvk: String) -> Result<Response> {
    let path = format!("/api/v1/certification-bodies/{}/certificates", desk.org());
    let listed: BodyList = match desk.ask(Service::Certificates, (Method::GET, &path), None).await {
        Ok(listed) => listed,
        Err(refusal) => return refused(&desk.lang, &refusal),
    };
    let l = desk.lang.clone();
    let rows = listed
        .certificates
        .iter()
        .map(|c| Row {
            href: format!("/body/certificates/{}?lang={}", c.certificate_id, l.code),
            agency: c.agency_name.clone(),
            kvk: c.kvk_number.clone(),
            status: status_label(&l, c.status),
            valid_until: date(c.valid_until),
            open_deficiencies: c.open_deficiencies,
            next_due: date(c.next_due),
        })
        .collect();
    let view = ListPage {
        chrome: Chrome::at(&l, l.t("body-title"), "/body".into()),
        org: desk.org().to_string(),
        csrf: desk.csrf().to_string(),
        rows,
        truncated: listed.truncated,
        errors,
        kvk,
        l: l.clone(),
    };
    page_with(status, &l, view.render())
}

/// POST /body/certificates — a provisional certificate for the agency of `kvk`.
pub async fn start(state: AppState, req: Request, _: (), raw: Bytes) -> Result<Response> {
    let (mut desk, form) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let typed = form.get("kvk").unwrap_or_default().to_string();
    // The suite's one rule for a KvK number (a Dutch one, or a foreign agency's).
    let Ok(kvk) = platform::ids::KvkNumber::parse(&typed, "/kvk") else {
        let errors = vec![desk.lang.t("kvk-eight-digits")];
        return show_list(&mut desk, StatusCode::UNPROCESSABLE_ENTITY, errors, typed).await;
    };
    let path = format!("/api/v1/agencies/{}/certificates", kvk.as_str());
    let issued: std::result::Result<Value, Refusal> =
        desk.ask(Service::Certificates, (Method::POST, &path), Some(&json!({}))).await;
    match issued {
        Ok(v) => {
            let id = v["certificate_id"].as_str().unwrap_or_default();
            Ok(see_other(&format!("/body/certificates/{id}?lang={}&done=started", desk.lang.code)))
        }
        Err(refusal) => {
            let status = status_of(&refusal);
            let errors = said(&desk.lang, &refusal);
            show_list(&mut desk, status, errors, typed).await
        }
    }
}

fn certificate_id(raw: &str) -> Option<Uuid> {
    Uuid::parse_str(raw).ok()
}

/// GET /body/certificates/{id}
pub async fn certificate(state: AppState, req: Request, id: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let mut desk = match Desk::open(&state, &req, ROLE).await? {
        Ok(desk) => desk,
        Err(away) => return Ok(away),
    };
    let Some(id) = certificate_id(&id) else {
        return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("no-such-certificate"));
    };
    let done = req.param("done").and_then(Action::parse).map(|a| desk.lang.t(&format!("done-{}", a.as_str())));
    show(&mut desk, id, StatusCode::OK, done, Vec::new()).await
}

pub(crate) mod view;
use view::show;

pub use action::Action;

/// Its own module: the vocabulary macro reads `Result` as the standard one.
mod action {
    platform::text_enum! {
    /// What a form on a certificate's page asks of the register.
    pub enum Action {
        Started = "started",
        Requirement = "requirement",
        Certification = "certification",
        Audit = "audit",
        Resolution = "resolution",
        Suspension = "suspension",
        Reinstatement = "reinstatement",
        Revocation = "revocation",
        Seal = "seal",
    }
    }
}

/// POST /body/certificates/{id}/{action}
pub async fn act(state: AppState, req: Request, (id, action): (String, String), raw: Bytes) -> Result<Response> {
    let (mut desk, form) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let (Some(id), Some(action)) = (certificate_id(&id), Action::parse(&action).filter(|a| *a != Action::Started))
    else {
        return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("no-such-certificate"));
    };
    if action == Action::Seal {
        return seal(&mut desk, id).await;
    }
    let (call, body) = match request_of(id, action, &form) {
        Ok(asked) => asked,
        Err(field) => {
            let errors = vec![desk.lang.t(field)];
            return show(&mut desk, id, StatusCode::UNPROCESSABLE_ENTITY, None, errors).await;
        }
    };
    let answer: std::result::Result<Value, Refusal> =
        desk.ask(Service::Certificates, (call.0, &call.1), Some(&body)).await;
    match answer {
        Ok(_) => Ok(see_other(&format!(
            "/body/certificates/{id}?lang={}&done={}#{}",
            desk.lang.code,
            action.as_str(),
            action.as_str()
        ))),
        Err(refusal) => {
            let errors = said(&desk.lang, &refusal);
            show(&mut desk, id, status_of(&refusal), None, errors).await
        }
    }
}

/// Puts `name`'s value into `body` as a string, if the form has one.
fn copy(body: &mut Map<String, Value>, form: &Form, name: &str) {
    if let Some(v) = form.get(name) {
        body.insert(name.to_string(), json!(v));
    }
}

/// The register's request for `action` from the form: method, path and body; or the key
/// of the sentence that says which field the workbench could not read.
fn request_of(id: Uuid, action: Action, form: &Form) -> std::result::Result<((Method, String), Value), &'static str> {
    let at = |tail: &str| format!("/api/v1/certificates/{id}/{tail}");
    let mut body = Map::new();
    let call = match action {
        Action::Requirement => {
            let code = form.get("code").and_then(RequirementCode::parse).ok_or("field-requirement")?;
            let outcome = form.get("outcome").and_then(Outcome::parse).ok_or("field-outcome")?;
            body.insert("outcome".into(), json!(outcome));
            copy(&mut body, form, "evidence_ref");
            copy(&mut body, form, "checked_on");
            if let Some(year) = form.get("financial_year") {
                body.insert("financial_year".into(), json!(year.parse::<i32>().map_err(|_| "field-year")?));
            }
            (Method::PUT, at(&format!("requirements/{}", code.as_str())))
        }
        Action::Audit => {
            copy(&mut body, form, "performed_on");
            copy(&mut body, form, "report_ref");
            body.insert("deficiencies".into(), Value::Array(deficiencies(form)));
            (Method::POST, at("audits"))
        }
        Action::Resolution => {
            let deficiency =
                form.get("deficiency_id").and_then(|d| Uuid::parse_str(d).ok()).ok_or("field-deficiency")?;
            copy(&mut body, form, "resolved_on");
            copy(&mut body, form, "resolution_ref");
            (Method::POST, at(&format!("deficiencies/{deficiency}/resolution")))
        }
        Action::Revocation => {
            let ground = form.get("grounds").and_then(Ground::parse).ok_or("field-ground")?;
            body.insert("grounds".into(), json!(ground));
            body.insert("reason".into(), json!(form.get("reason").unwrap_or_default()));
            (Method::POST, at("revocation"))
        }
        Action::Suspension | Action::Reinstatement | Action::Certification => {
            let reason = form.get("reason");
            if action != Action::Certification || reason.is_some() {
                body.insert("reason".into(), json!(reason.unwrap_or_default()));
            }
            copy(&mut body, form, "remedy_by");
            (Method::POST, at(action.as_str()))
        }
        Action::Started | Action::Seal => return Err("field-action"),
    };
    Ok((call, Value::Object(body)))
}

/// The audit form's deficiency rows that have a description.
fn deficiencies(form: &Form) -> Vec<Value> {
    (0..DEFICIENCY_ROWS)
        .filter_map(|i| {
            let description = form.get(&format!("deficiency_{i}"))?;
            let mut d = Map::new();
            d.insert("description".into(), json!(description));
            d.insert("serious".into(), json!(form.has(&format!("serious_{i}"))));
            if let Some(by) = form.get(&format!("remedy_by_{i}")) {
                d.insert("remedy_by".into(), json!(by));
            }
            Some(Value::Object(d))
        })
        .collect()
}

#[derive(Template)]
#[template(path = "body_poster.html")]
pub(crate) struct Poster {
    chrome: Chrome,
    l: Lang,
    /// What the seal is of: its label and value (a KvK number, a building).
    subject: (String, String),
    url: String,
    expires: String,
    qr_png: String,
    back_href: String,
    /// The words of the link back.
    back: String,
}

impl Poster {
    /// The poster of `sealed` for `subject` (label, value), with a link `back` (the page,
    /// its words).
    pub(crate) fn of(l: &Lang, subject: (String, String), sealed: Sealed, (here, back): (String, String)) -> Self {
        Poster {
            chrome: Chrome::at(l, l.t("poster-title"), here.clone()),
            subject,
            url: sealed.url,
            expires: sealed.expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            qr_png: sealed.qr_png,
            back_href: format!("{here}?lang={}", l.code),
            back,
            l: l.clone(),
        }
    }
}

/// A new seal for the certificate's agency, on a poster to print and hand over.
async fn seal(desk: &mut Desk, id: Uuid) -> Result<Response> {
    let detail: Detail =
        match desk.ask(Service::Certificates, (Method::GET, &format!("/api/v1/certificates/{id}")), None).await {
            Ok(detail) => detail,
            Err(refusal) => return refused(&desk.lang, &refusal),
        };
    let path = format!("/api/v1/agencies/{}/certificate/seal", detail.kvk_number);
    let sealed: Sealed = match desk.ask(Service::Certificates, (Method::POST, &path), Some(&json!({}))).await {
        Ok(sealed) => sealed,
        Err(refusal) => {
            let errors = said(&desk.lang, &refusal);
            return show(desk, id, status_of(&refusal), None, errors).await;
        }
    };
    let l = desk.lang.clone();
    let back = (format!("/body/certificates/{id}"), l.t("back-certificate"));
    page(&l, Poster::of(&l, (l.t("col-kvk"), detail.kvk_number), sealed, back).render())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every word the desk shows of a register's vocabulary has its text in both languages.
    #[test]
    fn every_word_of_the_registers_is_translated() {
        let mut keys: Vec<String> = Vec::new();
        keys.extend(CertificateStatus::ALL.iter().map(|s| format!("status-{s}")));
        keys.extend(Outcome::ALL.iter().map(|o| format!("outcome-{o}")));
        keys.extend(AuditOutcome::ALL.iter().map(|o| format!("audit-{o}")));
        keys.extend(RequirementCode::ALL.iter().map(|c| format!("req-{c}")));
        keys.extend(Part::ALL.iter().map(|p| format!("part-{p}")));
        keys.extend(Reason::ALL.iter().map(|r| format!("reason-{r}")));
        keys.extend(Ground::REVOCATION.iter().map(|g| format!("ground-{g}")));
        keys.extend(Action::ALL.iter().map(|a| format!("done-{a}")));
        let missing = crate::i18n::untranslated(&keys);
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn a_form_becomes_the_register_s_request() {
        let id = Uuid::nil();
        let form = |pairs: &[(&str, &str)]| Form::from(pairs);
        let (call, body) = request_of(
            id,
            Action::Requirement,
            &form(&[
                ("code", "auditor_statement"),
                ("outcome", "met"),
                ("evidence_ref", " acc/1 "),
                ("financial_year", "2025"),
                ("checked_on", ""),
            ]),
        )
        .expect("a request");
        assert_eq!(
            (call.0, call.1.as_str()),
            (Method::PUT, "/api/v1/certificates/00000000-0000-0000-0000-000000000000/requirements/auditor_statement")
        );
        assert_eq!(body, json!({"outcome": "met", "evidence_ref": "acc/1", "financial_year": 2025}));
        let (_, body) = request_of(
            id,
            Action::Audit,
            &form(&[
                ("performed_on", "2026-12-01"),
                ("report_ref", "r/1"),
                ("deficiency_0", "no RI&E"),
                ("remedy_by_0", "2027-01-31"),
                ("serious_0", "yes"),
                ("deficiency_1", " "),
            ]),
        )
        .expect("a request");
        assert_eq!(
            body["deficiencies"],
            json!([{"description": "no RI&E", "serious": true, "remedy_by": "2027-01-31"}])
        );
        let (_, body) = request_of(id, Action::Certification, &form(&[])).expect("a request");
        assert_eq!(body, json!({}), "no note: no reason sent");
        assert_eq!(
            request_of(id, Action::Requirement, &form(&[("code", "x"), ("outcome", "met")])).err(),
            Some("field-requirement")
        );
        assert_eq!(
            request_of(
                id,
                Action::Requirement,
                &form(&[("code", "auditor_statement"), ("outcome", "met"), ("financial_year", "last")])
            )
            .err(),
            Some("field-year")
        );
    }
}
