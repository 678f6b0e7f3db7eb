//! A worker's wage claim from a phone, without JavaScript and without an account (advice
//! 2.1 C, 6.2 A): `/claim` asks the agency's KvK number, then shows the form, which posts
//! to the deposits register; the deposits register answers with a redirect to the claim's
//! private status page here, `/claims/{id}?t=…`, in the worker's language. The page reads
//! the claim by its number and the hash of the link's token (`deposits.worker_claim_status`):
//! whoever does not hold the link learns nothing, not even that the claim exists.

use askama::Template;
use platform::http::Request;
use platform::ids::KvkNumber;
use sha2::{Digest, Sha256};
use uuid::Uuid;
use warp::http::HeaderValue;
use warp::reply::Response;
use zegel_contracts::certificate::WorkComplaintCategory;

use super::page::{Chrome, allow_form_action, page_response, param};
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::state::AppState;

/// What the deposits register may send a worker back with.
const ERRORS: [&str; 3] = ["invalid", "unknown_agency", "unavailable"];

/// What a form about an agency says before and around its fields: it asks the agency's KvK
/// number first (at `path`), and shows what the register sent the worker back with.
struct Head {
    intro: String,
    error: String,
    label_kvk: String,
    next: String,
    path: &'static str,
}

/// The language, the agency (once its number is known) and the error of a form page;
/// `errors` are the words the register may send back, `keys` the prefix of its texts.
fn asked(req: &Request, errors: &[&str], keys: &str, path: &'static str) -> (Lang, Option<KvkNumber>, Head) {
    let lang = Lang::negotiate(param(&req.query, "lang"), req.accept_language.as_deref());
    let kvk = param(&req.query, "kvk").and_then(|k| KvkNumber::parse(k, "/kvk").ok());
    let error = param(&req.query, "error").filter(|e| errors.contains(e));
    let head = Head {
        intro: lang.t(&format!("{keys}-intro")),
        error: error.map(|e| lang.t(&format!("{keys}-error-{e}"))).unwrap_or_default(),
        label_kvk: lang.t(&format!("{keys}-kvk")),
        next: lang.t("claim-next"),
        path,
    };
    (lang, kvk, head)
}

/// A private page read by its number and link: the id and the hash of the token, or the
/// one answer for anything else (`absent`: whoever does not hold the link learns nothing,
/// not even that it exists).
fn private(req: &Request, id: &str, absent: &'static str) -> Result<(Uuid, [u8; 32])> {
    let id: Uuid = id.parse().map_err(|_| Error::NotFound(absent))?;
    let token = param(&req.query, "t").ok_or(Error::NotFound(absent))?;
    Ok((id, Sha256::digest(token.as_bytes()).into()))
}

/// A private page's answer: no referrer carries the link on, no proxy keeps the page.
fn private_response(lang: &Lang, rendered: askama::Result<String>, what: &'static str) -> Result<Response> {
    let mut res = page_response(lang, rendered, what)?;
    res.headers_mut().insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    Ok(res)
}

fn unavailable(e: anyhow::Error) -> Error {
    Error::Unavailable(crate::agency::Unavailable(format!("{e:#}")))
}

#[derive(Template)]
#[template(path = "claim.html")]
struct ClaimPage<'a> {
    chrome: Chrome<'a>,
    title: String,
    head: Head,
    /// The form, once the agency's KvK number is known.
    form: Option<ClaimForm>,
}

struct ClaimForm {
    action: String,
    kvk: String,
    nonce: String,
    label_name: String,
    label_contact: String,
    label_bsn: String,
    label_from: String,
    label_to: String,
    label_paid: String,
    label_description: String,
    label_evidence: String,
    privacy: String,
    submit: String,
}

#[derive(Template)]
#[template(path = "claim_status.html")]
struct StatusPage<'a> {
    chrome: Chrome<'a>,
    title: String,
    filed: String,
    label_number: String,
    number: String,
    status: String,
    class: &'a str,
    label_accepted: String,
    accepted: String,
    label_paid: String,
    paid: String,
    label_reason: String,
    reason: String,
    keep: String,
}

fn eur(cents: i64) -> String {
    format!("EUR {}.{:02}", cents / 100, cents % 100)
}

pub(super) async fn claim_page(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let (lang, kvk, head) = asked(&req, &ERRORS, "claim", "/claim");
    let deposits = state.settings.deposits_url.trim_end_matches('/').to_string();
    let form = kvk.map(|kvk| ClaimForm {
        action: format!("{deposits}/api/v1/agencies/{}/deposit/worker-claims", kvk.as_str()),
        kvk: kvk.as_str().to_string(),
        // Posting the same form twice files one claim (the deposits register keys on it).
        nonce: Uuid::new_v4().to_string(),
        label_name: lang.t("claim-name"),
        label_contact: lang.t("claim-contact"),
        label_bsn: lang.t("claim-bsn"),
        label_from: lang.t("claim-period-from"),
        label_to: lang.t("claim-period-to"),
        label_paid: lang.t("claim-paid"),
        label_description: lang.t("claim-description"),
        label_evidence: lang.t("claim-evidence"),
        privacy: lang.t("claim-privacy"),
        submit: lang.t("claim-submit"),
    });
    let page = ClaimPage { chrome: Chrome::of(&lang), title: lang.t("claim-title"), head, form };
    let mut res = page_response(&lang, page.render(), "claim form")?;
    // The form posts to the deposits register, a different origin.
    allow_form_action(&mut res, &state.settings.deposits_url);
    Ok(res)
}

/// GET /claims/{id}?t=&lang=[&filed=1] — the worker's private status page.
pub(super) async fn status_page(state: AppState, req: Request, id: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    const ABSENT: &str = "No claim with this number and link.";
    let (id, token) = private(&req, &id, ABSENT)?;
    let claim = crate::store::worker_claim(&state.core.pool, id, &token)
        .await
        .map_err(unavailable)?
        .ok_or(Error::NotFound(ABSENT))?;
    let chosen = param(&req.query, "lang").or(claim.language.as_deref());
    let lang = Lang::negotiate(chosen, req.accept_language.as_deref());
    let page = StatusPage {
        chrome: Chrome::of(&lang),
        title: lang.t("claim-title"),
        filed: if param(&req.query, "filed").is_some() { lang.t("claims-filed") } else { String::new() },
        label_number: lang.t("claims-number"),
        number: claim.claim_id.to_string(),
        status: lang.t(&format!("claims-status-{}", claim.status)),
        class: match claim.status.as_str() {
            "paid" | "accepted" => "good",
            "rejected" => "bad",
            _ => "unknown",
        },
        label_accepted: lang.t("claims-accepted"),
        accepted: claim.accepted_cents.map(eur).unwrap_or_default(),
        label_paid: lang.t("claims-paid-so-far"),
        paid: if claim.paid_cents > 0 { eur(claim.paid_cents) } else { String::new() },
        label_reason: lang.t("claims-reason"),
        reason: claim.reason.unwrap_or_default(),
        keep: lang.t("claims-keep"),
    };
    private_response(&lang, page.render(), "claim status")
}

/// What the certificates register may send a worker back with.
const WORK_ERRORS: [&str; 3] = ["invalid", "rate_limited", "unavailable"];

#[derive(Template)]
#[template(path = "work_complaint.html")]
struct WorkPage<'a> {
    chrome: Chrome<'a>,
    title: String,
    head: Head,
    form: Option<WorkForm>,
}

struct WorkForm {
    action: String,
    kvk: String,
    label_category: String,
    categories: Vec<(&'static str, String)>,
    label_text: String,
    submit: String,
}

#[derive(Template)]
#[template(path = "work_status.html")]
struct WorkStatusPage<'a> {
    chrome: Chrome<'a>,
    title: String,
    received: String,
    status: String,
    keep: String,
}

/// GET /work-complaint[?kvk=&lang=&error=] — a worker's anonymous complaint about work.
pub(super) async fn work_page(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let (lang, kvk, head) = asked(&req, &WORK_ERRORS, "work", "/work-complaint");
    let certificates = state.settings.certificates_url.trim_end_matches('/').to_string();
    let form = kvk.map(|kvk| WorkForm {
        action: format!("{certificates}/api/v1/agencies/{}/work-complaints", kvk.as_str()),
        kvk: kvk.as_str().to_string(),
        label_category: lang.t("work-category"),
        // What a worker can complain about, in the order of the form: the certificates
        // register's words.
        categories: WorkComplaintCategory::ALL.iter().map(|c| (c.as_str(), lang.t(&format!("work-cat-{c}")))).collect(),
        label_text: lang.t("work-text"),
        submit: lang.t("work-submit"),
    });
    let page = WorkPage { chrome: Chrome::of(&lang), title: lang.t("work-title"), head, form };
    let mut res = page_response(&lang, page.render(), "work complaint form")?;
    // The form posts to the certificates register, a different origin.
    allow_form_action(&mut res, &state.settings.certificates_url);
    Ok(res)
}

/// GET /work-complaints/{id}?t=&lang= — the private status page of a complaint about work.
pub(super) async fn work_status_page(state: AppState, req: Request, id: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    const ABSENT: &str = "No complaint with this number and link.";
    let (id, token) = private(&req, &id, ABSENT)?;
    let (status, language) = crate::store::work_complaint(&state.core.pool, id, &token)
        .await
        .map_err(unavailable)?
        .ok_or(Error::NotFound(ABSENT))?;
    let lang = Lang::negotiate(param(&req.query, "lang").or(Some(language.as_str())), req.accept_language.as_deref());
    let page = WorkStatusPage {
        chrome: Chrome::of(&lang),
        title: lang.t("work-title"),
        received: lang.t("works-received"),
        status: lang.t(&format!("works-status-{status}")),
        keep: lang.t("works-keep"),
    };
    private_response(&lang, page.render(), "work complaint status")
}
