//! One agency's dossier (advice 6.1 A, B): a single dated timeline, newest first, of what
//! every register told about it — certificate changes, bans of its officers, deposit and
//! G-account events, claims, complaints, accidents, sanctions — with where it houses
//! workers and the hirer fines for using it; the complaints about its work, each moved on
//! here; and a request to the certification body to suspend. A register that cannot be
//! read is named on the page, and the rest is shown: a partial picture said to be partial,
//! never a silent gap.

use askama::Template;
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use platform::error::Error;
use platform::http::{Request, see_other};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::CertificateStatus;
use zegel_contracts::certificate::{WorkComplaintCategory, WorkComplaintStatus};
use zegel_contracts::dossier::Part;
use zegel_contracts::register::Service;

use super::fines::Fines;
use super::{ROLE, not_found, read};
use crate::desk::{Desk, Form, Head, said, status_of};
use crate::i18n::Lang;
use crate::i18n::euros;
use crate::page::{Chrome, page_with};
use crate::state::AppState;

type Result<T> = std::result::Result<T, Error>;

/// The services whose events make up a dossier: the five registers, and the lookup (KvK's
/// checks: a deregistration without a ground).
const PARTS: [Service; 6] =
    [Service::Certificates, Service::Bans, Service::Deposits, Service::Gaccounts, Service::Housing, Service::Lookup];

#[derive(Debug, Deserialize)]
struct CertificateNow {
    certificate_id: Uuid,
    status: CertificateStatus,
}

#[derive(Debug, Deserialize)]
struct PublicView {
    agency_name: Option<String>,
    certificate: Option<CertificateNow>,
}

#[derive(Debug, Deserialize)]
struct PlacementIn {
    bag_id: String,
    from: NaiveDate,
    to: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
struct PlacementRow {
    placement: PlacementIn,
    certified: bool,
}

#[derive(Debug, Deserialize)]
struct Placements {
    placements: Vec<PlacementRow>,
}

#[derive(Debug, Deserialize)]
struct ComplaintIn {
    complaint_id: Uuid,
    category: WorkComplaintCategory,
    text: String,
    language: String,
    received_at: DateTime<Utc>,
    status: WorkComplaintStatus,
    status_note: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Complaints {
    complaints: Vec<ComplaintIn>,
}

/// A line of the timeline: when, which register, what happened and its particulars.
pub struct Line {
    at: DateTime<Utc>,
    pub when: String,
    pub register: String,
    pub what: String,
    pub details: String,
    /// Where the line leads (a fine's page), if anywhere.
    pub href: Option<String>,
}

pub struct ComplaintView {
    pub id: Uuid,
    pub received: String,
    pub category: String,
    pub status: String,
    pub note: String,
    pub text: String,
    /// The language of the worker's words, when it is one the register knows.
    pub lang: String,
    pub open: bool,
}

#[derive(Template)]
#[template(path = "labour_dossier.html")]
struct DossierPage {
    chrome: Chrome,
    l: Lang,
    head: Head,
    name: String,
    certificate: String,
    suspendable: bool,
    missing: Vec<String>,
    lines: Vec<Line>,
    complaints: Vec<ComplaintView>,
    reason: String,
}

/// The spelling of an event type as a message key: `certificate.provisional_issued` →
/// `event-certificate-provisional-issued`.
pub(super) fn event_key(event_type: &str) -> String {
    format!("event-{}", event_type.replace(['.', '_'], "-"))
}

/// The vocabularies whose words the desk translates, by the prefix of their keys.
const WORDS: [&str; 5] = ["status-", "accident-", "work-complaint-", "officer-", "basis-"];

/// A plain value as the page shows it: a word of a vocabulary in the person's language, an
/// instant to the minute, anything else as the register wrote it.
fn shown(l: &Lang, v: &str) -> String {
    // A key without a text is given back as itself.
    let known = WORDS.iter().map(|p| format!("{p}{v}")).find_map(|k| Some(l.t(&k)).filter(|t| *t != k));
    if let Some(text) = known {
        return text;
    }
    match DateTime::parse_from_rfc3339(v) {
        Ok(at) => at.with_timezone(&Utc).format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => v.to_string(),
    }
}

/// An event's particulars: its payload's plain fields, each named in the page's language;
/// not the agency (the whole page is about it), nor ids (the timeline is read, not joined).
fn particulars(l: &Lang, payload: &Value) -> String {
    let Some(fields) = payload.as_object() else { return String::new() };
    let plain = |k: &str, v: &Value| match v {
        Value::Number(n) if k.ends_with("_cents") => n.as_i64().map(crate::i18n::euros),
        Value::String(s) => Some(shown(l, s)),
        Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
        Value::Array(items) => {
            let words: Vec<String> = items.iter().filter_map(|i| i.as_str().map(|w| shown(l, w))).collect();
            (!words.is_empty()).then(|| words.join(", "))
        }
        _ => None,
    };
    fields
        .iter()
        .filter(|(k, _)| k.as_str() != "kvk_number" && !k.ends_with("_id"))
        .filter_map(|(k, v)| plain(k, v).map(|v| format!("{}: {v}", field_name(l, k))))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A field's name in the page's language; one a newer register added and this desk does
/// not know yet is shown as the register spells it rather than left out.
fn field_name(l: &Lang, field: &str) -> String {
    let key = format!("particular-{field}");
    let name = l.t(&key);
    if name == key { field.replace('_', " ") } else { name }
}

fn event_lines(l: &Lang, part: &Part) -> Vec<Line> {
    let register = l.t(&format!("register-{}", part.register.as_str()));
    part.entries
        .iter()
        .map(|e| {
            let wire = serde_json::to_value(&e.body).unwrap_or_default();
            Line {
                at: e.at,
                when: e.at.format("%Y-%m-%d %H:%M").to_string(),
                register: register.clone(),
                what: l.t(&event_key(e.body.kind().as_str())),
                details: particulars(l, &wire["payload"]),
                href: None,
            }
        })
        .collect()
}

/// A day as its last second, to sort a dated line (a fine's decision, a placement) above
/// the timed lines of the same day: what was decided on a day follows what happened on it.
fn on(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(23, 59, 59).map(|t| t.and_utc()).unwrap_or_default()
}

fn placement_lines(l: &Lang, placements: &Placements) -> Vec<Line> {
    let register = l.t("register-housing");
    placements
        .placements
        .iter()
        .flat_map(|p| {
            let mark = l.t(if p.certified { "labour-mark-certified" } else { "labour-mark-not-certified" });
            let at = |day: NaiveDate, key: &str| Line {
                at: on(day),
                when: day.to_string(),
                register: register.clone(),
                what: l.t(key),
                details: format!("{} {} · {mark}", l.t("labour-building"), p.placement.bag_id),
                href: None,
            };
            std::iter::once(at(p.placement.from, "labour-placement-from"))
                .chain(p.placement.to.map(|to| at(to, "labour-placement-to")))
        })
        .collect()
}

fn fine_lines(l: &Lang, fines: &Fines) -> Vec<Line> {
    fines
        .fines
        .iter()
        .map(|f| Line {
            at: on(f.decided_on),
            when: f.decided_on.to_string(),
            register: l.t("register-certificates"),
            what: l.t("labour-fine-on-hirer"),
            details: format!(
                "{} {} · {} · {}",
                l.t("labour-hirer"),
                f.hirer_kvk,
                euros(f.amount_cents),
                l.t(&format!("fine-status-{}", f.status.as_str()))
            ),
            href: Some(format!("/labour/fines/{}?lang={}", f.fine_id, l.code)),
        })
        .collect()
}

fn complaint_views(l: &Lang, complaints: Complaints) -> Vec<ComplaintView> {
    let known = |code: &str| zegel_contracts::language::LANGUAGES.iter().any(|(c, _)| *c == code);
    complaints
        .complaints
        .into_iter()
        .map(|c| ComplaintView {
            id: c.complaint_id,
            received: c.received_at.date_naive().to_string(),
            category: l.t(&format!("work-complaint-{}", c.category.as_str())),
            status: l.t(&format!("complaint-status-{}", c.status.as_str())),
            note: c.status_note.unwrap_or_default(),
            lang: if known(&c.language) { c.language } else { String::new() },
            text: c.text,
            open: c.status != WorkComplaintStatus::Closed,
        })
        .collect()
}

/// How the page is shown: its status, what was saved or refused, and the reason typed.
struct Shown {
    status: StatusCode,
    done: Option<String>,
    errors: Vec<String>,
    reason: String,
}

/// The timeline of `kvk` from every register, newest first, and the registers that could
/// not be read.
async fn timeline(desk: &mut Desk, kvk: &str) -> (Vec<Line>, Vec<String>) {
    let l = desk.lang.clone();
    let (mut lines, mut missing) = (Vec::new(), Vec::new());
    let unreadable = |what: String| format!("{what} — {}", l.t("labour-unreadable"));
    for service in PARTS {
        let register = l.t(&format!("register-{}", service.as_str()));
        match read::<Part>(desk, service, &format!("/api/v1/agencies/{kvk}/events")).await {
            Ok(part) => {
                if !part.complete {
                    missing.push(format!("{register} — {}", l.t("labour-only-newest")));
                }
                lines.extend(event_lines(&l, &part));
            }
            Err(_) => missing.push(unreadable(register)),
        }
    }
    match read::<Placements>(desk, Service::Housing, &format!("/api/v1/agencies/{kvk}/placements")).await {
        Ok(placements) => lines.extend(placement_lines(&l, &placements)),
        Err(_) => missing.push(unreadable(l.t("labour-placements"))),
    }
    match read::<Fines>(desk, Service::Certificates, &format!("/api/v1/hirer-fines?agency={kvk}")).await {
        Ok(fines) => lines.extend(fine_lines(&l, &fines)),
        Err(_) => missing.push(unreadable(l.t("labour-fines"))),
    }
    lines.sort_by_key(|line| std::cmp::Reverse(line.at));
    missing.dedup();
    (lines, missing)
}

async fn show(desk: &mut Desk, kvk: &str, shown: Shown) -> Result<Response> {
    let l = desk.lang.clone();
    let view: Option<PublicView> =
        desk.read_public(Service::Certificates, &format!("/api/v1/agencies/{kvk}/certificate")).await.ok();
    let (lines, mut missing) = timeline(desk, kvk).await;
    let complaints =
        match read::<Complaints>(desk, Service::Certificates, &format!("/api/v1/agencies/{kvk}/work-complaints")).await
        {
            Ok(complaints) => complaint_views(&l, complaints),
            Err(_) => {
                missing.push(format!("{} — {}", l.t("labour-complaints"), l.t("labour-unreadable")));
                Vec::new()
            }
        };
    let now = view.as_ref().and_then(|v| v.certificate.as_ref());
    let page = DossierPage {
        chrome: Chrome::at(&l, format!("{} {kvk}", l.t("labour-dossier-title")), format!("/labour/agencies/{kvk}")),
        head: desk.head(format!("/labour/agencies/{kvk}"), shown.done, shown.errors),
        name: view.as_ref().and_then(|v| v.agency_name.clone()).unwrap_or_default(),
        certificate: now
            .map(|c| l.t(&format!("status-{}", c.status.as_str())))
            .unwrap_or_else(|| l.t("labour-no-certificate")),
        suspendable: now
            .is_some_and(|c| matches!(c.status, CertificateStatus::Provisional | CertificateStatus::Certified)),
        missing,
        lines,
        complaints,
        reason: shown.reason,
        l: l.clone(),
    };
    page_with(shown.status, &l, page.render())
}

/// GET /labour/agencies/{kvk}
pub async fn dossier(state: AppState, req: Request, kvk: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let mut desk = match Desk::open(&state, &req, ROLE).await? {
        Ok(desk) => desk,
        Err(away) => return Ok(away),
    };
    let Ok(kvk) = platform::ids::KvkNumber::parse(&kvk, "/kvk") else {
        return not_found(&desk.lang, "no-such-agency");
    };
    let done = match req.param("done") {
        Some("suspension") => Some(desk.lang.t("done-suspension-request")),
        Some("complaint") => Some(desk.lang.t("done-complaint-status")),
        _ => None,
    };
    let shown = Shown { status: StatusCode::OK, done, errors: Vec::new(), reason: String::new() };
    show(&mut desk, kvk.as_str(), shown).await
}

/// What an action on the dossier asks of the certificates register: where, and with what;
/// or the key of the sentence that says what the form lacks.
async fn asked(
    desk: &mut Desk,
    kvk: &str,
    action: &str,
    form: &Form,
) -> std::result::Result<(String, Value), &'static str> {
    match action {
        "suspension" => {
            let view: PublicView = desk
                .read_public(Service::Certificates, &format!("/api/v1/agencies/{kvk}/certificate"))
                .await
                .map_err(|_| "labour-no-certificate")?;
            let id = view.certificate.map(|c| c.certificate_id).ok_or("labour-no-certificate")?;
            let reason = form.get("reason").ok_or("field-reason-missing")?;
            Ok((format!("/api/v1/certificates/{id}/suspension"), json!({ "reason": reason })))
        }
        "complaint" => {
            let id = form.get("complaint").and_then(|c| Uuid::parse_str(c).ok()).ok_or("no-such-complaint")?;
            let status = form.get("status").and_then(WorkComplaintStatus::parse).ok_or("field-status")?;
            let mut body = json!({ "status": status });
            if let Some(note) = form.get("note") {
                body["note"] = json!(note);
            }
            Ok((format!("/api/v1/work-complaints/{id}/status"), body))
        }
        _ => Err("no-such-agency"),
    }
}

/// POST /labour/agencies/{kvk}/{action}: `suspension` (a request to the body) or
/// `complaint` (a complaint about work moved on, with a note the worker reads).
pub async fn dossier_act(
    state: AppState,
    req: Request,
    (kvk, action): (String, String),
    raw: Bytes,
) -> Result<Response> {
    let (mut desk, form) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let (Ok(kvk), true) =
        (platform::ids::KvkNumber::parse(&kvk, "/kvk"), ["suspension", "complaint"].contains(&action.as_str()))
    else {
        return not_found(&desk.lang, "no-such-agency");
    };
    let kvk = kvk.as_str().to_string();
    let again =
        |status, errors| Shown { status, done: None, errors, reason: form.get("reason").unwrap_or_default().into() };
    let (path, body) = match asked(&mut desk, &kvk, &action, &form).await {
        Ok(asked) => asked,
        Err(key) => {
            let shown = again(StatusCode::UNPROCESSABLE_ENTITY, vec![desk.lang.t(key)]);
            return show(&mut desk, &kvk, shown).await;
        }
    };
    match desk.ask::<Value>(Service::Certificates, (Method::POST, &path), Some(&body)).await {
        Ok(_) => Ok(see_other(&format!("/labour/agencies/{kvk}?lang={}&done={action}", desk.lang.code))),
        Err(refusal) => {
            let status = status_of(&refusal);
            let shown = again(status, said(&desk.lang, &refusal));
            show(&mut desk, &kvk, shown).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zegel_contracts::EventType;

    #[test]
    fn every_event_a_dossier_can_show_is_translated() {
        let mut keys: Vec<String> = EventType::ALL.iter().map(|t| event_key(t.as_str())).collect();
        keys.extend(PARTS.iter().map(|s| format!("register-{}", s.as_str())));
        keys.extend(WorkComplaintStatus::ALL.iter().map(|s| format!("complaint-status-{}", s.as_str())));
        let missing = crate::i18n::untranslated(&keys);
        assert!(missing.is_empty(), "{missing:?}");
    }

    /// Every field an event's payload can carry is named in every language of the desk: read
    /// from the contract's source, so a field added there without a name here fails.
    #[test]
    fn every_field_of_an_event_is_named_in_every_language() {
        let source = include_str!("../../../contracts/src/event/payload.rs");
        let keys: Vec<String> = source
            .lines()
            .filter_map(|line| line.trim().strip_prefix("pub ")?.split_once(':'))
            .map(|(field, _)| field.trim())
            .filter(|f| f.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .filter(|f| *f != "kvk_number" && !f.ends_with("_id") && !["ended", "link", "links"].contains(f))
            .map(|f| format!("particular-{f}"))
            .collect();
        assert!(keys.len() > 40, "{keys:?}");
        let missing = crate::i18n::untranslated(&keys);
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn an_event_s_particulars_leave_the_agency_out() {
        let l = Lang::negotiate(Some("en"), None);
        let payload = json!({"kvk_number": "12345678", "certificate_id": "0194f3a2-7c1e-7b52-9a1d-3c4b5d6e7f80",
            "status": "revoked", "signals": ["fraud", "ban"], "nested": {}, "report_due_at": "2026-12-08T16:19:07.77Z",
            "newer_field": "x"});
        let said = particulars(&l, &payload);
        for part in ["status: revoked", "signals: fraud, ban", "report due at: 2026-12-08 16:19", "newer field: x"] {
            assert!(said.contains(part), "{part} in {said}");
        }
        assert!(!said.contains("12345678") && !said.contains("0194f3a2") && !said.contains("nested"), "{said}");
        let l = Lang::negotiate(Some("nl"), None);
        assert_eq!(particulars(&l, &json!({"kind": "hospital_admission"})), "wat: ziekenhuisopname");
        assert_eq!(particulars(&l, &json!({"amount_cents": 250_050})), "bedrag: € 2500,50");

        assert_eq!(event_key("certificate.provisional_issued"), "event-certificate-provisional-issued");
    }
}
