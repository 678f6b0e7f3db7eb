//! The page a phone camera opens: one large, unambiguous verdict — colour, words and an
//! icon, so it reads without colour vision — in the visitor's language, without JavaScript.
//! For a building: the address, how many people may live there under which norm, the
//! mark's dates, a warning when more people are registered than allowed, how to complain
//! (a plain form posting to the housing register) and where to get help.

use askama::Template;
use platform::http::{Request, no_store};
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response;
use zegel_attest::{Register, Verdict};
use zegel_contracts::{CertificateStatus, ComplaintCategory};

use crate::error::Error;
use crate::error::Result;
use crate::facts::{self, Shown};
use crate::i18n::{LANGUAGES, Lang};
use crate::state::AppState;
use crate::verify::{self, Outcome};

/// Complaint categories, as the housing register names them, in the order of the form.
/// Outcomes the housing register's form answer may name.
const SENT_ERRORS: [&str; 4] = ["invalid", "rate_limited", "unknown_building", "unavailable"];

/// What every page shares: its language, the switch and the footer (templates/base.html).
pub(super) struct Chrome<'a> {
    pub(super) lang: &'a str,
    pub(super) label_language: String,
    pub(super) languages: &'a [(&'a str, &'a str)],
    pub(super) footer: String,
    /// Every page links to the rights a worker has (advice 3.2 A), in its language.
    pub(super) rights_link: String,
    pub(super) rights_href: String,
    /// The skip link, the first thing a keyboard reaches: straight to the content.
    pub(super) skip: String,
    pub(super) accessibility_link: String,
    pub(super) accessibility_href: String,
}

impl<'a> Chrome<'a> {
    pub(super) fn of(lang: &'a Lang) -> Self {
        Self {
            lang: lang.code,
            label_language: lang.t("label-language"),
            languages: &LANGUAGES,
            footer: lang.t("footer"),
            rights_link: lang.t("rights-link"),
            rights_href: format!("/rights?lang={}", lang.code),
            skip: lang.t("skip-link"),
            accessibility_link: lang.t("accessibility-link"),
            accessibility_href: format!("/accessibility?lang={}", lang.code),
        }
    }
}

/// A rendered page as the response, or a logged 500 when a template failed.
pub(super) fn page_response(
    lang: &Lang,
    rendered: askama::Result<String>,
    what: &'static str,
) -> Result<Response, Error> {
    let body = rendered.map_err(|e| {
        tracing::error!(error = %e, page = what, "page did not render");
        Error::Internal
    })?;
    Ok(no_store(html(lang, body)))
}

struct Housing {
    label_capacity: String,
    capacity: String,
    label_norm: String,
    norm: String,
    label_valid_until: String,
    valid_until: String,
    label_last_inspection: String,
    last_inspection: String,
    over_capacity: String,
    complain_title: String,
    complain_text: String,
    complain_link: String,
    complain_href: String,
    help_title: String,
    help_inspectorate: String,
    help_fairwork: String,
    /// The resident's tenancy rights (advice 4.4).
    tenancy_title: String,
    tenancy: Vec<String>,
    /// A problem at work, not with the building (7.2 D).
    work_link: String,
    work_href: String,
    /// The poster's own code is out of date (its seal expired or belongs to an earlier
    /// mark): what the page shows is the building now, and the provider owes a new poster.
    outdated: String,
}

#[derive(Template)]
#[template(path = "rights.html")]
struct RightsPage<'a> {
    chrome: Chrome<'a>,
    title: String,
    intro: String,
    rights: Vec<String>,
    tenancy_title: String,
    tenancy: Vec<String>,
    help: String,
    claim_link: String,
    claim_href: String,
    work_link: String,
    work_href: String,
}

#[derive(Template)]
#[template(path = "verdict.html")]
struct VerdictPage<'a> {
    chrome: Chrome<'a>,
    title: String,
    class: &'a str,
    icon: &'a str,
    verdict_text: String,
    explain: String,
    reason: String,
    sealed: String,
    register: String,
    valid_until: String,
    expires: String,
    checked_at: String,
    label_register: String,
    label_valid_until: String,
    label_expires: String,
    label_checked_at: String,
    housing: Option<Housing>,
    receipt: Option<ReceiptView>,
}

#[derive(Template)]
#[template(path = "complaint.html")]
struct ComplaintPage<'a> {
    chrome: Chrome<'a>,
    title: String,
    heading: String,
    address: String,
    privacy: String,
    action: String,
    label_category: String,
    categories: Vec<(&'static str, String)>,
    label_text: String,
    submit: String,
}

#[derive(Template)]
#[template(path = "sent.html")]
struct SentPage<'a> {
    chrome: Chrome<'a>,
    title: String,
    class: &'a str,
    heading: String,
    message: String,
}

pub(super) use platform::http::query_param as param;

pub(super) async fn seal_page(state: AppState, req: Request, seal: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let lang = Lang::negotiate(param(&req.query, "lang"), req.accept_language.as_deref());
    let outcome = verify::check(&state, &seal).await;
    // A poster whose code is out of date still tells the resident where the building stands.
    let (outcome, outdated) = match verify::building_now(&state, &seal, &outcome).await {
        Some(now) => (now, true),
        None => (outcome, false),
    };
    // A receipt shows what was true at its check next to what is true now.
    let now = match (verify::register_of(&outcome), outcome.verdict, &outcome.subject) {
        (Some(Register::Lookup), Verdict::Valid, Some(kvk)) => crate::agency::check(&state, kvk).await.ok(),
        _ => None,
    };
    Ok(no_store(html(&lang, render(&lang, &seal, &outcome, now.as_ref(), outdated))))
}

/// The resident's tenancy rights, in their language.
fn tenancy(lang: &Lang) -> (String, Vec<String>) {
    (
        lang.t("tenancy-title"),
        ["tenancy-own", "tenancy-notice", "tenancy-work", "tenancy-call"].iter().map(|k| lang.t(k)).collect(),
    )
}

/// GET /rights — what a worker from abroad is entitled to and the registers check (advice
/// 3.2 A), in their language; linked from every page.
pub(super) async fn rights_page(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let lang = Lang::negotiate(param(&req.query, "lang"), req.accept_language.as_deref());
    let (tenancy_title, tenancy) = tenancy(&lang);
    let page = RightsPage {
        chrome: Chrome::of(&lang),
        title: lang.t("rights-title"),
        intro: lang.t("rights-intro"),
        rights: ["rights-certificate", "rights-deposit", "rights-gaccount", "rights-housing", "rights-complaints"]
            .iter()
            .map(|k| lang.t(k))
            .collect(),
        tenancy_title,
        tenancy,
        help: lang.t("rights-help"),
        claim_link: lang.t("claim-link"),
        claim_href: format!("/claim?lang={}", lang.code),
        work_link: lang.t("work-link"),
        work_href: format!("/work-complaint?lang={}", lang.code),
    };
    page_response(&lang, page.render(), "rights page")
}

fn housing(lang: &Lang, seal: &str, b: &facts::Building, outdated: bool) -> Housing {
    let (tenancy_title, tenancy) = tenancy(lang);
    Housing {
        label_capacity: lang.t("label-capacity"),
        capacity: b.capacity.map(|c| lang.t_count("capacity-value", "capacity", c)).unwrap_or_default(),
        label_norm: lang.t("label-norm"),
        norm: b.norm.map(|n| lang.t(&format!("norm-{n}"))).unwrap_or_default(),
        label_valid_until: lang.t("label-mark-valid-until"),
        valid_until: b.valid_until.as_deref().map(|d| lang.day_of(d)).unwrap_or_default(),
        label_last_inspection: lang.t("label-last-inspection"),
        last_inspection: b.last_inspection.as_deref().map(|d| lang.day_of(d)).unwrap_or_default(),
        // When over capacity is the verdict's reason it is said first, above; the warning
        // remains for a mark that ended for another reason while too many live there.
        over_capacity: if b.over_capacity && b.reason != Some(zegel_contracts::NotValidBecause::OverCapacity) {
            lang.t("over-capacity")
        } else {
            String::new()
        },
        complain_title: lang.t("complain-title"),
        complain_text: lang.t("complain-text"),
        complain_link: lang.t("complain-link"),
        complain_href: format!("/v/{seal}/complaint?lang={}", lang.code),
        help_title: lang.t("help-title"),
        help_inspectorate: lang.t("help-inspectorate"),
        help_fairwork: lang.t("help-fairwork"),
        tenancy_title,
        tenancy,
        work_link: lang.t("work-link"),
        work_href: format!("/work-complaint?lang={}", lang.code),
        outdated: if outdated { lang.t("poster-outdated") } else { String::new() },
    }
}

struct ReceiptView {
    title: String,
    label_agency: String,
    agency: String,
    label_then: String,
    then_at: String,
    then_verdict: String,
    label_now: String,
    now_verdict: String,
}

fn receipt(lang: &Lang, outcome: &Outcome, then: &facts::Receipt, now: Option<&crate::agency::Check>) -> ReceiptView {
    let verdict = |may: bool| lang.t(if may { "check-may-hire" } else { "check-may-not-hire" });
    let name = then.agency_name().unwrap_or_default();
    ReceiptView {
        title: lang.t("receipt-title"),
        label_agency: lang.t("receipt-agency"),
        agency: format!("{name} ({})", outcome.subject.as_deref().unwrap_or_default()).trim().to_string(),
        label_then: lang.t("receipt-then"),
        then_at: then.checked_at.as_deref().map(|t| lang.moment_of(t)).unwrap_or_default(),
        then_verdict: verdict(then.may_hire),
        label_now: lang.t("receipt-now"),
        now_verdict: now.map(|c| verdict(c.may_hire)).unwrap_or_else(|| lang.t("check-unavailable")),
    }
}

/// What the page says the seal attests, in the visitor's language.
struct Said {
    /// What was sealed (an agency's certificate, a building, a report).
    sealed: String,
    valid_until: String,
    /// The certificate ended: its last day is shown as such.
    ended: bool,
    /// Why it is not valid (the failing parts, or a building's reason).
    reason: String,
}

fn said(lang: &Lang, outcome: &Outcome, shown: &Shown) -> Said {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let day = |v: &Option<String>| v.as_deref().map(|d| lang.day_of(d)).unwrap_or_default();
    let (sealed, valid_until, ended, reason) = match shown {
        Shown::Certificate(c) if c.agency_name.is_some() => (
            lang.t_args(
                "sealed-certificates",
                &[
                    ("agency", text(&c.agency_name)),
                    ("kvk", text(&c.kvk_number)),
                    ("norm", text(&c.norm)),
                    ("status", c.certificate_status.map(|s| lang.t(&format!("status-{s}"))).unwrap_or_default()),
                ],
            ),
            day(&c.valid_until),
            c.certificate_status.is_some_and(CertificateStatus::ended),
            // What fails now, part by part, in the visitor's language.
            c.standing.iter().map(|r| lang.t(&format!("standing-{r}"))).collect::<Vec<_>>().join(" "),
        ),
        Shown::Building(b) if b.bag_id.is_some() => {
            let (street, place) = b.address();
            // Why a building's seal is not valid, in the resident's language.
            let reason = match b.reason {
                Some(r) if outcome.verdict != Verdict::Valid => lang.t(&format!("reason-{r}")),
                _ => String::new(),
            };
            (lang.t_args("sealed-housing", &[("address", street), ("place", place)]), String::new(), false, reason)
        }
        Shown::Certificate(c) => (String::new(), day(&c.valid_until), false, String::new()),
        Shown::Report(r) => (
            lang.t_args(
                "sealed-statistics",
                &[
                    ("year", r.statistics.year.to_string()),
                    ("as_of", r.statistics.as_of.clone()),
                    ("sha256", r.statistics.sha256.clone()),
                ],
            ),
            String::new(),
            false,
            String::new(),
        ),
        _ => (String::new(), String::new(), false, String::new()),
    };
    Said { sealed, valid_until, ended, reason }
}

fn render(lang: &Lang, seal: &str, outcome: &Outcome, now: Option<&crate::agency::Check>, outdated: bool) -> String {
    let (class, icon) = match outcome.verdict {
        Verdict::Valid => ("good", "✓"),
        Verdict::Unavailable => ("unknown", "?"),
        _ => ("bad", "✗"),
    };
    let verdict = outcome.verdict.as_str();
    let register = verify::register_of(outcome);
    let shown = Shown::of(register, &outcome.facts);
    let Said { sealed, valid_until, ended, reason } = said(lang, outcome, &shown);
    let page = VerdictPage {
        chrome: Chrome::of(lang),
        title: format!("{} — {}", lang.t(&format!("verdict-{verdict}")), lang.t("page-title")),
        class,
        icon,
        verdict_text: lang.t(&format!("verdict-{verdict}")),
        explain: match (outdated, outcome.verdict) {
            (false, _) => lang.t(&format!("explain-{verdict}")),
            (true, Verdict::Valid) => lang.t("building-now-valid"),
            (true, _) => lang.t("building-now-invalid"),
        },
        reason,
        sealed,
        register: register.map(|r| lang.t(&format!("register-{}", r.service()))).unwrap_or_default(),
        valid_until,
        expires: outcome.expires_at.map(|t| lang.date_time(t)).unwrap_or_default(),
        checked_at: lang.date_time(outcome.checked_at),
        label_register: lang.t("label-register"),
        // For a certificate that ended, its last day is shown as such, not as "valid until".
        label_valid_until: if ended { lang.t("label-ended-on") } else { lang.t("label-valid-until") },
        label_expires: lang.t("label-expires"),
        label_checked_at: lang.t("label-checked-at"),
        housing: match &shown {
            Shown::Building(b) if b.bag_id.is_some() => Some(housing(lang, seal, b, outdated)),
            _ => None,
        },
        receipt: match &shown {
            Shown::Receipt(then) if outcome.verdict == Verdict::Valid => Some(receipt(lang, outcome, then, now)),
            _ => None,
        },
    };
    page.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "verdict page did not render");
        String::from("<!doctype html><title>Zegel</title><p>Error</p>")
    })
}

fn html(lang: &Lang, body: String) -> Response {
    let mut res = Response::new(body.into());
    *res.status_mut() = StatusCode::OK;
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    res.headers_mut().insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.code));
    res.headers_mut().insert("vary", HeaderValue::from_static("accept-language"));
    res
}

/// GET /v/{seal}/complaint — the complaint form for the building a genuine housing seal
/// names (whatever its status: a revoked building is where complaints matter most).
pub(super) async fn complaint_form(state: AppState, req: Request, seal: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let lang = Lang::negotiate(param(&req.query, "lang"), req.accept_language.as_deref());
    let outcome = verify::check(&state, &seal).await;
    let outcome = verify::building_now(&state, &seal, &outcome).await.unwrap_or(outcome);
    let genuine = !matches!(
        outcome.verdict,
        Verdict::Tampered | Verdict::UnknownIssuer | Verdict::Unavailable | Verdict::Expired | Verdict::NotYetValid
    );
    let building = match Shown::of(verify::register_of(&outcome), &outcome.facts) {
        Shown::Building(b) if genuine => b,
        _ => return Err(Error::NotFound("This code does not name a building in the housing register.")),
    };
    let Some(bag_id) = building.bag_id.as_deref() else {
        return Err(Error::NotFound("This code does not name a building in the housing register."));
    };
    let (street, place) = building.address();
    let page = ComplaintPage {
        chrome: Chrome::of(&lang),
        title: lang.t("form-title"),
        heading: lang.t("form-title"),
        address: format!("{street}, {place}"),
        privacy: lang.t("form-privacy"),
        action: format!("{}/api/v1/buildings/{bag_id}/complaints", state.settings.housing_url.trim_end_matches('/')),
        label_category: lang.t("form-category"),
        categories: ComplaintCategory::ALL.iter().map(|c| (c.as_str(), lang.t(&format!("category-{c}")))).collect(),
        label_text: lang.t("form-text"),
        submit: lang.t("form-submit"),
    };
    let mut res = page_response(&lang, page.render(), "complaint form")?;
    // The form posts to the housing register, a different origin.
    allow_form_action(&mut res, &state.settings.housing_url);
    Ok(res)
}

/// Lets a page's form post to the register at `url`, a different origin (a CSP source is
/// an origin, without a path); nothing else is loosened.
pub(super) fn allow_form_action(res: &mut Response, url: &str) {
    let origin = reqwest::Url::parse(url).map(|u| u.origin().ascii_serialization());
    let policy = platform::http::CONTENT_SECURITY_POLICY
        .replace("form-action 'self'", &format!("form-action 'self' {}", origin.unwrap_or_default()));
    if let Ok(v) = HeaderValue::from_str(&policy) {
        res.headers_mut().insert("content-security-policy", v);
    }
}

/// GET /complaint/sent — where the housing register sends a resident after the form.
pub(super) async fn complaint_sent(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let lang = Lang::negotiate(param(&req.query, "lang"), req.accept_language.as_deref());
    let error = param(&req.query, "error").filter(|e| SENT_ERRORS.contains(e));
    let page = SentPage {
        chrome: Chrome::of(&lang),
        title: lang.t("sent-title"),
        class: if error.is_some() { "bad" } else { "good" },
        heading: if error.is_some() { lang.t("complain-title") } else { lang.t("sent-title") },
        message: match error {
            Some(e) => lang.t(&format!("sent-error-{e}")),
            None => lang.t("sent-ok"),
        },
    };
    page_response(&lang, page.render(), "thank-you page")
}
