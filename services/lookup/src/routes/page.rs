//! The page a phone camera opens: one large, unambiguous verdict — colour, words and an
//! icon, so it reads without colour vision — in the visitor's language, without JavaScript.

use askama::Template;
use platform::http::{Request, no_store, request, with_state};
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response;
use zegel_attest::{Register, Verdict};

use super::finish;
use crate::i18n::{LANGUAGES, Lang};
use crate::startup::AppState;
use crate::verify::{self, Outcome};

pub(super) fn routes(state: AppState) -> BoxedFilter<(Response,)> {
    seal_page(state)
}

#[derive(Template)]
#[template(path = "verdict.html")]
struct VerdictPage<'a> {
    lang: &'a str,
    title: String,
    class: &'a str,
    icon: &'a str,
    verdict_text: String,
    explain: String,
    sealed: String,
    register: String,
    valid_until: String,
    expires: String,
    checked_at: String,
    label_register: String,
    label_valid_until: String,
    label_expires: String,
    label_checked_at: String,
    label_language: String,
    languages: &'a [(&'a str, &'a str)],
    footer: String,
}

/// GET /v/{seal}
fn seal_page(state: AppState) -> BoxedFilter<(Response,)> {
    warp::path!("v" / String)
        .and(warp::get())
        .and(warp::query::raw().or(warp::any().map(String::new)).unify())
        .and(request())
        .and(with_state(state))
        .then(|seal: String, query: String, req: Request, state: AppState| async move {
            let result = async {
                state.limiter.check(&req)?;
                let explicit = query.split('&').find_map(|kv| kv.strip_prefix("lang="));
                let lang = Lang::negotiate(explicit, req.accept_language.as_deref());
                let outcome = verify::check(&state, &seal).await;
                Ok(no_store(render(&lang, &outcome)))
            }
            .await;
            finish(&req, result)
        })
        .boxed()
}

fn fact(outcome: &Outcome, key: &str) -> String {
    match &outcome.facts[key] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn render(lang: &Lang, outcome: &Outcome) -> Response {
    let (class, icon) = match outcome.verdict {
        Verdict::Valid => ("good", "✓"),
        Verdict::Unavailable => ("unknown", "?"),
        _ => ("bad", "✗"),
    };
    let verdict = outcome.verdict.as_str();
    let register = verify::register_of(outcome);
    let sealed = match register {
        Some(Register::Certificates) if !fact(outcome, "agency_name").is_empty() => lang.t_args(
            "sealed-certificates",
            &[
                ("agency", fact(outcome, "agency_name")),
                ("kvk", fact(outcome, "kvk_number")),
                ("norm", fact(outcome, "norm")),
                ("status", lang.t(&format!("status-{}", fact(outcome, "certificate_status")))),
            ],
        ),
        _ => String::new(),
    };
    let page = VerdictPage {
        lang: lang.code,
        title: format!("{} — {}", lang.t(&format!("verdict-{verdict}")), lang.t("page-title")),
        class,
        icon,
        verdict_text: lang.t(&format!("verdict-{verdict}")),
        explain: lang.t(&format!("explain-{verdict}")),
        sealed,
        register: register.map(|r| lang.t(&format!("register-{}", r.service()))).unwrap_or_default(),
        valid_until: fact(outcome, "valid_until"),
        expires: outcome.expires_at.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        checked_at: outcome.checked_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        label_register: lang.t("label-register"),
        // For a certificate that ended, its last day is shown as such, not as "valid until".
        label_valid_until: if matches!(fact(outcome, "certificate_status").as_str(), "revoked" | "lapsed" | "withdrawn")
        {
            lang.t("label-ended-on")
        } else {
            lang.t("label-valid-until")
        },
        label_expires: lang.t("label-expires"),
        label_checked_at: lang.t("label-checked-at"),
        label_language: lang.t("label-language"),
        languages: LANGUAGES,
        footer: lang.t("footer"),
    };
    let html = page.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "verdict page did not render");
        String::from("<!doctype html><title>Zegel</title><p>Error</p>")
    });
    let mut res = Response::new(html.into());
    *res.status_mut() = StatusCode::OK;
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    res.headers_mut().insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.code));
    res.headers_mut().insert("vary", HeaderValue::from_static("accept-language"));
    res
}
