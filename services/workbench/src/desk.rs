//! A desk: the pages of one role's work. Each request finds its session (or is sent to
//! log in), checks that the person holds the desk's role (the registers decide again on
//! the person's own token; the workbench only offers what the role may do), and asks the
//! registers with a token the provider gave for that register, kept in the session until
//! it is nearly spent. A form posts back the session's CSRF token and is refused from
//! another site.

use askama::Template;
use bytes::Bytes;
use platform::auth::Role;
use platform::error::Error;
use platform::http::{Request, see_other};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::register::Service;

use crate::i18n::Lang;
use crate::page::{Chrome, language, page_with};
use crate::registers::Refusal;
use crate::session::{COOKIE, Session};
use crate::state::AppState;

/// A token is taken again this long before it ends, so that it does not end on the way.
const TOKEN_MARGIN_SECONDS: u64 = 30;

/// A form as posted: its fields by name, the CSRF token already checked.
#[derive(Debug, Default)]
pub struct Form(Vec<(String, String)>);

impl From<Vec<(String, String)>> for Form {
    fn from(fields: Vec<(String, String)>) -> Self {
        Form(fields)
    }
}

impl From<&[(&str, &str)]> for Form {
    fn from(pairs: &[(&str, &str)]) -> Self {
        Form(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }
}

impl Form {
    /// The trimmed value of `name`; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Every value of `name` that is not blank (a group of checkboxes), in form order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect()
    }
}

/// One option of a form's choice (a select's option, a checkbox): its value, its label
/// in the person's language, and whether it is chosen.
pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub chosen: bool,
}

/// What a desk page with forms carries (templates/desk_notices.html shows the last two):
/// the session's CSRF token, the address its forms post under, what was just saved and
/// what the register refused.
pub struct Head {
    pub csrf: String,
    pub action: String,
    pub done: Option<String>,
    pub errors: Vec<String>,
}

pub struct Desk {
    pub state: AppState,
    pub lang: Lang,
    pub session: Session,
    cookie: String,
    request_id: String,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct Notice {
    chrome: Chrome,
    text: String,
    back: String,
    back_href: String,
}

/// A page that says why there is nothing to show, with a way back.
pub fn notice(lang: &Lang, status: StatusCode, text: String) -> Result<Response, Error> {
    let notice = Notice {
        chrome: Chrome::at(lang, lang.t("notice-title"), "/".into()),
        text,
        back: lang.t("back-home"),
        back_href: format!("/?lang={}", lang.code),
    };
    page_with(status, lang, notice.render())
}

/// A building's address as the housing register writes it.
#[derive(Debug, serde::Deserialize)]
pub struct Address {
    street: String,
    number: i64,
    addition: Option<String>,
    postcode: String,
    place: String,
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let addition = self.addition.as_deref().map(|x| format!(" {x}")).unwrap_or_default();
        write!(f, "{} {}{addition}, {} {}", self.street, self.number, self.postcode, self.place)
    }
}

/// An organisation that is an agency or a company: a KvK number by the platform's rule.
pub fn kvk_org(org: &str) -> Option<String> {
    platform::ids::KvkNumber::parse(org, "/org").ok().map(|k| k.as_str().to_string())
}

/// What a page's `?kvk=` says: nothing (absent or blank), a KvK number, or something
/// that is not one (the page then says so, 422).
pub enum KvkParam {
    None,
    Kvk(String),
    Malformed,
}

pub fn kvk_param(req: &Request) -> KvkParam {
    match req.param("kvk").map(str::trim).filter(|k| !k.is_empty()) {
        None => KvkParam::None,
        Some(raw) => kvk_org(raw).map(KvkParam::Kvk).unwrap_or(KvkParam::Malformed),
    }
}

/// A BAG id from the path as the workbench passes it on: digits only (the register
/// judges the rest).
pub fn bag_in_path(raw: &str) -> Option<&str> {
    (!raw.is_empty() && raw.len() <= 16 && raw.bytes().all(|b| b.is_ascii_digit())).then_some(raw)
}

/// What a page says of a refusal, in the person's language where the workbench knows the
/// case, else the register's own sentence and fields.
pub fn said(lang: &Lang, refusal: &Refusal) -> Vec<String> {
    match refusal {
        Refusal::Unavailable => vec![lang.t("register-unavailable")],
        Refusal::Said { status: 401, .. } => vec![lang.t("login-again")],
        Refusal::Said { detail, fields, .. } => std::iter::once(detail.clone()).chain(fields.iter().cloned()).collect(),
    }
}

/// The status a page answers a refused form with: the register's own.
pub fn status_of(refusal: &Refusal) -> StatusCode {
    StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
}

/// A refused read as a page with the register's status.
pub fn refused(lang: &Lang, refusal: &Refusal) -> Result<Response, Error> {
    let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    notice(lang, status, said(lang, refusal).join(" "))
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

impl Desk {
    /// The desk of `role` for the request's session; without a session, the way to log in;
    /// for a person without the role, a page that says so.
    pub async fn open(state: &AppState, req: &Request, role: Role) -> Result<Result<Desk, Response>, Error> {
        let lang = language(req);
        let found = match req.cookie(COOKIE) {
            Some(id) => state.sessions.find(id).await.map_err(crate::page::unavailable)?.map(|s| (id.to_string(), s)),
            None => None,
        };
        let Some((cookie, session)) = found else {
            return Ok(Err(see_other(&format!("/?lang={}", lang.code))));
        };
        if !session.person.roles.iter().any(|r| r == role.as_str()) {
            return Ok(Err(notice(&lang, StatusCode::FORBIDDEN, lang.t("not-your-desk"))?));
        }
        Ok(Ok(Desk { state: state.clone(), lang, session, cookie, request_id: req.id.clone() }))
    }

    /// Like [`Desk::open`] for a desk that acts for one organisation: the desk and the
    /// organisation as `org` reads it from the token, or a page saying (`missing`) that
    /// the person's account names none.
    pub async fn open_for(
        state: &AppState,
        req: &Request,
        role: Role,
        (org, missing): (fn(&str) -> Option<String>, &str),
    ) -> Result<Result<(Desk, String), Response>, Error> {
        let desk = match Desk::open(state, req, role).await? {
            Ok(desk) => desk,
            Err(away) => return Ok(Err(away)),
        };
        match org(desk.org()) {
            Some(org) => Ok(Ok((desk, org))),
            None => Ok(Err(notice(&desk.lang, StatusCode::FORBIDDEN, desk.lang.t(missing))?)),
        }
    }

    /// Like [`Desk::open`] for a posted form: the form too, once its CSRF token is the
    /// session's and it came from this site (else 403).
    pub async fn posted(
        state: &AppState,
        req: &Request,
        role: Role,
        raw: &Bytes,
    ) -> Result<Result<(Desk, Form), Response>, Error> {
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(raw).map_err(|_| {
            Error::Client(platform::problem::Problem::bad_request(
                "A form (application/x-www-form-urlencoded) is expected.",
            ))
        })?;
        let form = Form::from(fields);
        let desk = match Desk::open(state, req, role).await? {
            Ok(desk) => desk,
            Err(away) => return Ok(Err(away)),
        };
        if req.cross_site || !desk.session.csrf_matches(form.get("csrf").unwrap_or_default()) {
            return Err(Error::Forbidden("This form did not come from this session.".into()));
        }
        Ok(Ok((desk, form)))
    }

    /// The person's organisation (a body's id, a municipality's code), as the token says.
    pub fn org(&self) -> &str {
        self.session.person.org.as_deref().unwrap_or_default()
    }

    pub fn csrf(&self) -> &str {
        &self.session.csrf
    }

    /// The [`Head`] of a page whose forms post under `action`.
    pub fn head(&self, action: String, done: Option<String>, errors: Vec<String>) -> Head {
        Head { csrf: self.session.csrf.clone(), action, done, errors }
    }

    /// The person's token for `service`: the one kept, or a new one from the provider by
    /// the refresh token (kept, with the refresh token that replaces it, if any).
    async fn token(&mut self, service: Service) -> Result<String, Refusal> {
        if let Some(kept) = self.session.tokens.get(service.as_str())
            && kept.expires_at > now() + TOKEN_MARGIN_SECONDS
        {
            return Ok(kept.access_token.clone());
        }
        let Some(Ok(provider)) = self.state.provider().await else {
            return Err(Refusal::Unavailable);
        };
        let (token, rotated) = provider.token_for(&self.session.person.refresh_token, service).await.map_err(|e| {
            tracing::info!(error = %e, "the provider gave no token for a register: the person logs in again");
            Refusal::Said { status: 401, detail: String::new(), fields: Vec::new() }
        })?;
        if let Some(refresh) = rotated {
            self.session.person.refresh_token = refresh;
        }
        let access = token.access_token.clone();
        self.session.tokens.insert(service.as_str().to_string(), token);
        self.state.sessions.save(&self.cookie, &self.session).await.map_err(|e| {
            tracing::warn!(error = %e, "the session store is unavailable");
            Refusal::Unavailable
        })?;
        Ok(access)
    }

    /// `method path` at `service` as the person, with `body`.
    pub async fn ask<T: DeserializeOwned>(
        &mut self,
        service: Service,
        call: (Method, &str),
        body: Option<&Value>,
    ) -> Result<T, Refusal> {
        let token = self.token(service).await?;
        self.state.registers.ask(service, Some(&token), call, body, (&self.request_id, None)).await
    }

    /// A write without a body that must happen once: `key` (a nonce the form carries) is
    /// its idempotency key, so that the same form posted twice is booked once.
    pub async fn ask_once<T: DeserializeOwned>(
        &mut self,
        service: Service,
        call: (Method, &str),
        key: &str,
    ) -> Result<T, Refusal> {
        let token = self.token(service).await?;
        self.state.registers.ask(service, Some(&token), call, None, (&self.request_id, Some(key))).await
    }

    /// A public read of `service` (no token: what anyone may read).
    pub async fn read_public<T: DeserializeOwned>(&self, service: Service, path: &str) -> Result<T, Refusal> {
        self.state.registers.ask(service, None, (Method::GET, path), None, (&self.request_id, None)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_names_a_building_by_digits_only() {
        assert_eq!(bag_in_path("0363010000123456"), Some("0363010000123456"));
        for bad in ["", "0363x", "../mark", "03630100001234567"] {
            assert_eq!(bag_in_path(bad), None, "{bad}");
        }
    }
}
