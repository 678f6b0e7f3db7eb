//! The hirer check: JSON for one agency or a whole supplier list, and a printable page
//! (Dutch and English) that works without JavaScript. A signed receipt is made only when
//! asked for, and only for an agency the registers know: nothing is stored otherwise.

use askama::Template;
use bytes::Bytes;
use platform::http::{Request, json, no_store, parse_json, readable_anywhere};
use platform::ids::KvkNumber;
use platform::problem::FieldError;
use serde::Deserialize;
use serde_json::json;
use warp::http::StatusCode;
use warp::reply::Response;

use super::page::{Chrome, page_response, param};
use crate::agency::{self, Check, Detail, Said};
use crate::error::Error;
use crate::error::Result;
use crate::i18n::Lang;
use crate::state::AppState;
use zegel_contracts::DepositStanding;

/// Most agencies in one bulk check (a hirer's whole supplier list).
pub const MAX_BULK: usize = 500;
/// Checks of a bulk request run this many at a time.
const BULK_CONCURRENCY: usize = 8;

fn kvk_from_path(raw: &str) -> Result<KvkNumber, Error> {
    KvkNumber::parse(raw, "/path/kvk")
        .map_err(|e| Error::Client(platform::Problem::bad_request(format!("Malformed KvK number: {}.", e.detail))))
}

fn answer(check: &Check, receipt: Option<&agency::Receipt>) -> serde_json::Value {
    let mut v = serde_json::to_value(check).unwrap_or_default();
    if let Some(receipt) = receipt {
        v["receipt"] = json!(receipt);
    }
    v
}

/// Whether the query asks for a receipt (`receipt=true`, or `receipt=1` from the page's checkbox).
fn wants_receipt(query: &str) -> bool {
    matches!(param(query, "receipt"), Some("true" | "1"))
}

/// GET /api/v1/agencies/{kvk}/check — the check, never stored: a GET stores nothing (any
/// web page can make its visitors' browsers send one), so a receipt is a POST.
pub(super) async fn check_get(state: AppState, req: Request, kvk: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let kvk = kvk_from_path(&kvk)?;
    if wants_receipt(&req.query) {
        return Err(Error::Client(platform::Problem::bad_request(format!(
            "A GET stores nothing: keep a receipt with POST /api/v1/agencies/{kvk}/receipts."
        ))));
    }
    let hirer = hirer_of(&state, &req)?;
    let check = agency::check_for(&state, kvk.as_str(), hirer.as_deref()).await?;
    Ok(readable_anywhere(no_store(json(StatusCode::OK, &answer(&check, None)))))
}

/// POST /api/v1/agencies/{kvk}/receipts — the check with a signed receipt, stored until
/// it expires. Never on another site's behalf (no CORS, and a browser's cross-site post is
/// refused), and charged to the caller's budget of writes.
pub(super) async fn receipt_post(state: AppState, req: Request, kvk: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let kvk = kvk_from_path(&kvk)?;
    refuse_cross_site(&req)?;
    let principal = caller_of(&state, &req)?;
    state.core.writes.charge_caller(&req, principal.as_ref())?;
    let hirer = principal.filter(|p| p.has(platform::auth::Role::Hirer)).and_then(|p| p.org);
    let check = agency::check_for(&state, kvk.as_str(), hirer.as_deref()).await?;
    let receipt = agency::receipt(&state, &check)
        .await?
        .ok_or(Error::NotFound("No register knows this agency; a receipt is issued only for a registered agency."))?;
    Ok(no_store(json(StatusCode::CREATED, &answer(&check, Some(&receipt)))))
}

/// 403 for a browser's request that another site made: what stores something here is
/// asked for on our own pages or by a client of the API, never by a third site's page.
fn refuse_cross_site(req: &Request) -> Result<()> {
    if req.cross_site {
        return Err(Error::Client(
            platform::Problem::of(platform::problem::Kind::Forbidden)
                .with_detail("A receipt is kept on this site's own page or through the API, not from another site."),
        ));
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkIn {
    kvk_numbers: Vec<String>,
    #[serde(default)]
    receipts: bool,
}

/// POST /api/v1/agency-checks — a hirer's whole supplier list: up to 500 KvK numbers, one
/// result each, in the order given, with a receipt for each known agency when asked. The
/// rate limit counts every number.
pub(super) async fn bulk_post(state: AppState, req: Request, _: (), raw: Bytes) -> Result<Response> {
    let principal = platform::http::authenticate(&state, &req)?;
    if !principal.has(platform::auth::Role::Hirer) {
        return Err(Error::Client(
            platform::Problem::of(platform::problem::Kind::Forbidden)
                .with_detail("A supplier list is checked with a hirer's token."),
        ));
    }
    let input: BulkIn = parse_json(&req, &raw)?;
    let mut errors = Vec::new();
    if input.kvk_numbers.is_empty() || input.kvk_numbers.len() > MAX_BULK {
        errors.push(FieldError::new("/kvk_numbers", format!("1 to {MAX_BULK} KvK numbers")));
    }
    let numbers: Vec<KvkNumber> = input
        .kvk_numbers
        .iter()
        .enumerate()
        .filter_map(|(i, k)| KvkNumber::parse(k, &format!("/kvk_numbers/{i}")).map_err(|e| errors.push(e)).ok())
        .collect();
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    // One check (and one receipt) per agency, however often the list names it; the
    // results follow the list.
    let mut distinct: Vec<KvkNumber> = Vec::with_capacity(numbers.len());
    for kvk in &numbers {
        if !distinct.contains(kvk) {
            distinct.push(kvk.clone());
        }
    }
    state.core.limiter.charge(&req, distinct.len() as u32)?;
    let receipts = input.receipts;
    if receipts {
        refuse_cross_site(&req)?;
        state.core.writes.charge_caller_n(&req, Some(&principal), distinct.len() as u32)?;
    }
    let hirer = principal.org.clone();
    let hirer = hirer.as_deref();
    use futures::StreamExt;
    let checked_once: Vec<Result<serde_json::Value, Error>> = futures::stream::iter(distinct.clone())
        .map(|kvk| {
            let state = &state;
            async move {
                let (check, receipt) = checked(state, kvk.as_str(), receipts, hirer).await?;
                Ok(answer(&check, receipt.as_ref()))
            }
        })
        .buffered(BULK_CONCURRENCY)
        .collect()
        .await;
    let checked_once = checked_once.into_iter().collect::<Result<Vec<_>, Error>>()?;
    let results: Vec<serde_json::Value> = numbers
        .iter()
        .filter_map(|kvk| distinct.iter().position(|d| d == kvk).map(|i| checked_once[i].clone()))
        .collect();
    let may_hire = results.iter().filter(|r| r["may_hire"] == true).count();
    Ok(no_store(json(StatusCode::OK, &json!({ "count": results.len(), "may_hire": may_hire, "results": results }))))
}

struct PartRow {
    name: String,
    mark: &'static str,
    status: String,
    changed: String,
}

struct BuildingRow {
    name: String,
    mark: &'static str,
}

struct CheckResult {
    class: &'static str,
    icon: &'static str,
    verdict: String,
    agency: String,
    label_reasons: String,
    reasons: Vec<String>,
    label_part: String,
    label_status: String,
    label_changed: String,
    parts: Vec<PartRow>,
    label_iban: String,
    iban: String,
    label_buildings: String,
    buildings: Vec<BuildingRow>,
    label_checked_at: String,
    checked_at: String,
    label_receipt: String,
    receipt_href: String,
}

#[derive(Template)]
#[template(path = "check.html")]
struct CheckPage<'a> {
    chrome: Chrome<'a>,
    title: String,
    heading: String,
    intro: String,
    label_kvk: String,
    kvk: String,
    submit: String,
    label_keep_receipt: String,
    error: String,
    result: Option<CheckResult>,
}

fn mark(ok: bool) -> &'static str {
    if ok { "✓" } else { "✗" }
}

fn result_view(lang: &Lang, check: &Check, receipt_href: String) -> CheckResult {
    let parts = check
        .parts
        .iter()
        .map(|(name, p)| PartRow {
            name: lang.t(&format!("check-part-{name}")),
            mark: mark(p.ok),
            status: match (&p.detail, p.status) {
                // Inside a payout's top-up term: the deadline is part of what the hirer reads.
                (Detail::Deposit { top_up_by: Some(by) }, Said::Deposit(DepositStanding::TopUpDue)) => {
                    lang.t_args("check-status-top_up_due", &[("date", lang.day_of(by))])
                }
                (_, status) => lang.t(&format!("check-status-{}", status.as_str())),
            },
            changed: p.changed_at.as_deref().map(|t| lang.day_of(t)).unwrap_or_default(),
        })
        .collect();
    let agency = match check.agency_name() {
        Some(name) => format!("{name} (KvK {})", check.kvk_number),
        None => format!("KvK {}", check.kvk_number),
    };
    let buildings = check
        .buildings()
        .iter()
        .map(|b| BuildingRow { name: lang.t(&format!("check-mark-{}", b.mark_status)), mark: mark(b.certified) })
        .collect();
    CheckResult {
        class: if check.may_hire { "good" } else { "bad" },
        icon: mark(check.may_hire),
        verdict: lang.t(if check.may_hire { "check-may-hire" } else { "check-may-not-hire" }),
        agency,
        label_reasons: lang.t("check-reasons"),
        // The same sentences as at the door of a suspended certificate seal.
        reasons: check.reason_codes.iter().map(|r| lang.t(&format!("standing-{r}"))).collect(),
        label_part: lang.t("check-part"),
        label_status: lang.t("check-status"),
        label_changed: lang.t("check-changed"),
        parts,
        label_iban: lang.t("check-iban"),
        iban: check.iban().unwrap_or_default().to_string(),
        label_buildings: lang.t("check-buildings"),
        buildings,
        label_checked_at: lang.t("check-checked-at"),
        checked_at: lang.date_time(check.checked_at),
        label_receipt: lang.t("check-receipt"),
        receipt_href,
    }
}

/// The check, and its receipt when the visitor asked for one.
/// The hirer asking, when it asks with its own token (role hirer, org = its KvK number):
/// its check includes what concerns that hirer alone. No token: the public check.
fn hirer_of(state: &AppState, req: &Request) -> Result<Option<String>> {
    let principal = caller_of(state, req)?;
    Ok(principal.filter(|p| p.has(platform::auth::Role::Hirer)).and_then(|p| p.org))
}

/// The caller, when it sent a token (which must then be good).
fn caller_of(state: &AppState, req: &Request) -> Result<Option<platform::auth::Principal>> {
    if req.authorization.is_none() {
        return Ok(None);
    }
    Ok(Some(platform::http::authenticate(state, req)?))
}

async fn checked(
    state: &AppState,
    kvk: &str,
    with_receipt: bool,
    hirer: Option<&str>,
) -> Result<(Check, Option<agency::Receipt>), agency::Unavailable> {
    let check = agency::check_for(state, kvk, hirer).await?;
    let receipt = if with_receipt { agency::receipt(state, &check).await? } else { None };
    Ok((check, receipt))
}

/// GET /check[?kvk=12345678&lang=nl|en] — the page for people: a form, and the verdict.
/// A GET stores nothing; the form's second button posts for a receipt ([`check_page_post`]).
pub(super) async fn check_page(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let kvk = param(&req.query, "kvk").unwrap_or_default().trim().to_string();
    let lang = param(&req.query, "lang").map(str::to_string);
    check_page_for(&state, &req, lang.as_deref(), kvk, false).await
}

#[derive(Debug, Deserialize)]
struct CheckForm {
    #[serde(default)]
    kvk: String,
    #[serde(default)]
    lang: String,
}

/// POST /check — the page's "check and keep a receipt" button: the verdict with a signed
/// receipt. Only from this site's own page (a browser's cross-site post is refused).
pub(super) async fn check_page_post(state: AppState, req: Request, _: (), raw: Bytes) -> Result<Response> {
    state.core.limiter.check(&req)?;
    refuse_cross_site(&req)?;
    let form: CheckForm = serde_urlencoded::from_bytes(&raw)
        .map_err(|_| Error::Client(platform::Problem::bad_request("The form is incomplete.")))?;
    state.core.writes.charge_caller(&req, None)?;
    let lang = Some(form.lang).filter(|l| !l.is_empty());
    check_page_for(&state, &req, lang.as_deref(), form.kvk.trim().to_string(), true).await
}

async fn check_page_for(
    state: &AppState,
    req: &Request,
    lang: Option<&str>,
    kvk: String,
    with_receipt: bool,
) -> Result<Response> {
    // In every language of the suite, chosen as at the door (a hirer abroad, a worker's
    // union, an agency's own staff).
    let lang = Lang::negotiate(lang, req.accept_language.as_deref());
    let (mut error, mut result) = (String::new(), None);
    if !kvk.is_empty() {
        match KvkNumber::parse(&kvk, "/kvk") {
            Err(_) => error = lang.t("check-invalid"),
            Ok(number) => match checked(state, number.as_str(), with_receipt, None).await {
                Ok((check, receipt)) => {
                    let href = receipt.map(|r| format!("/v/{}?lang={}", r.seal, lang.code)).unwrap_or_default();
                    result = Some(result_view(&lang, &check, href));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "hirer check page unavailable");
                    error = lang.t("check-unavailable");
                }
            },
        }
    }
    let page = CheckPage {
        chrome: Chrome::of(&lang),
        title: lang.t("check-title"),
        heading: lang.t("check-title"),
        intro: lang.t("check-intro"),
        label_kvk: lang.t("check-kvk"),
        // Back into the form as typed, letters, digits and dashes only (a foreign agency's
        // number has all three).
        kvk: kvk.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(23).collect(),
        submit: lang.t("check-submit"),
        label_keep_receipt: lang.t("check-keep-receipt"),
        error,
        result,
    };
    page_response(&lang, page.render(), "check page")
}
