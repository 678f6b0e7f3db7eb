//! What every page of the workbench shares: its language, the frame around the content,
//! and how a rendered page goes out (never stored by a cache: it may name the person).

use platform::error::Error;
use platform::http::Request;
use platform::problem::{Kind, Problem};
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response;

use crate::i18n::{LANGUAGES, Lang};

/// What every page has around its content: language, title, skip link, the language
/// switch and the footer.
pub struct Chrome {
    pub lang: &'static str,
    pub title: String,
    pub skip: String,
    pub label_language: String,
    pub languages: &'static [(&'static str, &'static str)],
    pub accessibility: String,
    /// The page the language switch leads to (empty: this one). A page answered to a form
    /// names the page it stands for, since its own address takes posts only.
    pub here: String,
}

impl Chrome {
    pub fn of(lang: &Lang, title: String) -> Self {
        Chrome {
            lang: lang.code,
            title,
            skip: lang.t("skip"),
            label_language: lang.t("language"),
            languages: &LANGUAGES,
            accessibility: lang.t("accessibility"),
            here: String::new(),
        }
    }

    /// Like [`Chrome::of`] for a page that also answers a form: the switch leads to `here`.
    pub fn at(lang: &Lang, title: String, here: String) -> Self {
        Chrome { here, ..Chrome::of(lang, title) }
    }
}

/// The page's language: `?lang=`, else the browser's, else Dutch.
pub fn language(req: &Request) -> Lang {
    Lang::negotiate(req.param("lang"), req.accept_language.as_deref())
}

/// A rendered page in `lang`.
pub fn page(lang: &Lang, rendered: askama::Result<String>) -> Result<Response, Error> {
    page_with(StatusCode::OK, lang, rendered)
}

/// A rendered page in `lang` with `status` (a form sent back with what was wrong: 422).
pub fn page_with(status: StatusCode, lang: &Lang, rendered: askama::Result<String>) -> Result<Response, Error> {
    let body = rendered.map_err(|e| {
        tracing::error!(error = %e, "a page did not render");
        Error::Corrupt("a page that does not render")
    })?;
    let mut res = Response::new(body.into());
    *res.status_mut() = status;
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    res.headers_mut().insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.code));
    Ok(platform::http::no_store(res))
}

/// The session store or the provider did not answer: 503, the reason to the log only.
pub fn unavailable(reason: impl std::fmt::Display) -> Error {
    tracing::warn!(%reason, "the session store or the provider is unavailable");
    Error::Client(Problem::of(Kind::Unavailable).with_detail("Try again in a moment."))
}
