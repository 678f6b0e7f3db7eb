//! What the suite states about itself on the public host: how to report a vulnerability
//! (`/.well-known/security.txt`, RFC 9116) and how accessible its pages are (the
//! accessibility statement every page links to, as Dutch public bodies publish one).

use askama::Template;
use chrono::SecondsFormat;
use platform::http::{Request, no_store};
use warp::http::{HeaderValue, header};
use warp::reply::Response;

use super::page::{Chrome, page_response, param};
use crate::error::Result;
use crate::i18n::Lang;
use crate::state::AppState;

/// The day the statement was last reviewed against the pages (the model statement's
/// "date of the statement"): change it when the pages or their checks change.
const REVIEWED: (i32, u32, u32) = (2026, 12, 7);

#[derive(Template)]
#[template(path = "accessibility.html")]
struct AccessibilityPage<'a> {
    chrome: Chrome<'a>,
    title: String,
    paragraphs: Vec<String>,
    contact_text: String,
    contact_href: &'a str,
    contact_label: &'a str,
    reviewed: String,
}

/// GET /accessibility — the accessibility statement, in the visitor's language.
pub(super) async fn accessibility_page(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let lang = Lang::negotiate(param(&req.query, "lang"), req.accept_language.as_deref());
    let contact = state.settings.accessibility_contact.as_str();
    let (year, month, day) = REVIEWED;
    let reviewed = chrono::NaiveDate::from_ymd_opt(year, month, day).map(|on| lang.date(on)).unwrap_or_default();
    let page = AccessibilityPage {
        chrome: Chrome::of(&lang),
        title: lang.t("accessibility-title"),
        paragraphs: [
            "accessibility-intro",
            "accessibility-standard",
            "accessibility-checked",
            "accessibility-status",
            "accessibility-limits",
        ]
        .iter()
        .map(|k| lang.t(k))
        .collect(),
        contact_text: lang.t("accessibility-contact"),
        contact_href: contact,
        // What a person reads and types: the address without its scheme.
        contact_label: contact.strip_prefix("mailto:").unwrap_or(contact),
        reviewed: lang.t_args("accessibility-reviewed", &[("date", reviewed)]),
    };
    page_response(&lang, page.render(), "accessibility statement")
}

/// GET /.well-known/security.txt — where to report a vulnerability, until when that holds,
/// and where this file lives (so a copy elsewhere is recognised as one).
pub(super) async fn security_txt(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let own = &state.settings;
    let mut body = String::from("# Zegel: report a vulnerability privately, never in a public issue.\n");
    body.push_str(&format!("Contact: {}\n", own.security_contact));
    if let Some(expires) = own.security_expiry() {
        body.push_str(&format!("Expires: {}\n", expires.to_rfc3339_opts(SecondsFormat::Secs, true)));
    }
    if !own.security_policy.is_empty() {
        body.push_str(&format!("Policy: {}\n", own.security_policy));
    }
    body.push_str("Preferred-Languages: nl, en\n");
    body.push_str(&format!("Canonical: {}/.well-known/security.txt\n", state.desk.verify_url()));
    let mut res = Response::new(body.into());
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    Ok(no_store(res))
}
