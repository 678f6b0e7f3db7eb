//! The workbench's pages: the home page, logging in (to the provider and back) and out.
//!
//! Every answer is a page or a redirect: a login that fails lands on the home page with a
//! sentence, and the reason goes to the log only.

use askama::Template;
use bytes::Bytes;
use platform::error::Error;
use platform::http::{Request, Routed, any_of, fixed, get, pair, post, see_other};
use platform::problem::{Kind, Problem};
use serde::Deserialize;
use warp::http::{HeaderValue, header};
use warp::reply::Response;

use crate::page::{Chrome, language, page, unavailable};
use crate::session::{ATTEMPT_COOKIE, ATTEMPT_LIFETIME, COOKIE, Session, Sessions};
use crate::state::AppState;

type Result<T> = std::result::Result<T, Error>;

pub fn api(state: AppState) -> Routed {
    let s = &state;
    any_of([
        get(fixed(warp::path::end()), s, home),
        get(fixed(warp::path!("login")), s, login),
        get(fixed(warp::path!("login" / "callback")), s, callback),
        post(fixed(warp::path!("logout")), s, logout),
        get(fixed(warp::path!("accessibility")), s, accessibility),
        get(fixed(warp::path!("body")), s, crate::body::list),
        post(fixed(warp::path!("body" / "certificates")), s, crate::body::start),
        get(warp::path!("body" / "certificates" / String), s, crate::body::certificate),
        post(pair(warp::path!("body" / "certificates" / String / String)), s, crate::body::act),
        get(fixed(warp::path!("inspector")), s, crate::inspector::list),
        get(warp::path!("inspector" / "buildings" / String), s, crate::inspector::building),
        post(pair(warp::path!("inspector" / "buildings" / String / String)), s, crate::inspector::act),
        get(fixed(warp::path!("admission")), s, crate::admission::list),
        get(warp::path!("admission" / "claims" / String), s, crate::admission::claim),
        post(pair(warp::path!("admission" / "claims" / String / String)), s, crate::admission::act),
        get(warp::path!("admission" / "deposits" / String), s, crate::admission::deposit),
        post(pair(warp::path!("admission" / "deposits" / String / String)), s, crate::admission::deposit_act),
        get(fixed(warp::path!("labour")), s, crate::labour::list),
        get(warp::path!("labour" / "agencies" / String), s, crate::labour::dossier),
        post(pair(warp::path!("labour" / "agencies" / String / String)), s, crate::labour::dossier_act),
        get(fixed(warp::path!("labour" / "bans")), s, crate::labour::bans),
        post(fixed(warp::path!("labour" / "bans")), s, crate::labour::impose),
        post(pair(warp::path!("labour" / "bans" / String / String)), s, crate::labour::ban_act),
        get(fixed(warp::path!("labour" / "fines")), s, crate::labour::fines),
        get(warp::path!("labour" / "fines" / String), s, crate::labour::fine),
        post(fixed(warp::path!("labour" / "fines")), s, crate::labour::fines_act),
        post(pair(warp::path!("labour" / "fines" / String / String)), s, crate::labour::fine_act),
        get(fixed(warp::path!("municipality")), s, crate::municipality::list),
        post(fixed(warp::path!("municipality" / "requirement")), s, crate::municipality::requirement),
        get(warp::path!("municipality" / "buildings" / String), s, crate::municipality::building),
        post(pair(warp::path!("municipality" / "buildings" / String / String)), s, crate::municipality::permit),
        get(fixed(warp::path!("agency")), s, crate::agency::overview),
        post(warp::path!("agency" / "seals" / String), s, crate::agency::seal),
        post(warp::path!("agency" / String), s, crate::agency::act),
        post(pair(warp::path!("agency" / "placements" / String / String)), s, crate::agency::placement),
        post(pair(warp::path!("agency" / "accidents" / String / String)), s, crate::agency::accident),
        get(fixed(warp::path!("provider")), s, crate::provider::list),
        post(fixed(warp::path!("provider" / "buildings")), s, crate::provider::register),
        post(pair(warp::path!("provider" / "buildings" / String / String)), s, crate::provider::act),
        post(pair(warp::path!("provider" / "placements" / String / String)), s, crate::provider::accept),
        get(fixed(warp::path!("tax")), s, crate::tax::page),
        get(fixed(warp::path!("hirer")), s, crate::hirer::page),
        get(fixed(warp::path!("kvk")), s, crate::kvk::page),
        post(warp::path!("kvk" / "checks" / String), s, crate::kvk::check),
        post(warp::path!("hirer" / String), s, crate::hirer::act),
        post(pair(warp::path!("hirer" / "subscriptions" / String / String)), s, crate::hirer::end),
        post(pair(warp::path!("tax" / "agencies" / String / String)), s, crate::tax::step),
    ])
}

/// The session of the request's cookie, if it has one that has not ended.
async fn session_of(state: &AppState, req: &Request) -> Result<Option<(String, Session)>> {
    let Some(id) = req.cookie(COOKIE) else { return Ok(None) };
    let session = state.sessions.find(id).await.map_err(unavailable)?;
    Ok(session.map(|s| (id.to_string(), s)))
}

struct PersonView {
    name: String,
    roles: String,
    org: String,
    csrf: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    chrome: Chrome,
    intro: String,
    error: String,
    person: Option<PersonView>,
    label_logged_in_as: String,
    label_roles: String,
    label_org: String,
    label_login: String,
    label_logout: String,
    label_desks: String,
    /// The desks the person's roles open: where, and what each is called.
    desks: Vec<(String, String)>,
}

/// The desks of the workbench, by the role each is for.
const DESKS: [(platform::auth::Role, &str, &str); 10] = [
    (platform::auth::Role::CertificationBody, "/body", "desk-body"),
    (platform::auth::Role::HousingInspector, "/inspector", "desk-inspector"),
    (platform::auth::Role::AdmissionAuthority, "/admission", "desk-admission"),
    (platform::auth::Role::Inspectorate, "/labour", "desk-labour"),
    (platform::auth::Role::Municipality, "/municipality", "desk-municipality"),
    (platform::auth::Role::Agency, "/agency", "desk-agency"),
    (platform::auth::Role::HousingProvider, "/provider", "desk-provider"),
    (platform::auth::Role::Tax, "/tax", "desk-tax"),
    (platform::auth::Role::Hirer, "/hirer", "desk-hirer"),
    (platform::auth::Role::Kvk, "/kvk", "desk-kvk"),
];

#[derive(Template)]
#[template(path = "accessibility.html")]
struct Accessibility {
    chrome: Chrome,
    heading: String,
    aim: String,
    tested: String,
    report: String,
    contact: String,
    contact_text: String,
}

/// GET / — who is logged in, and the way in or out.
async fn home(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let lang = language(&req);
    let session = session_of(&state, &req).await?;
    let desks = DESKS
        .iter()
        .filter(|(role, ..)| session.as_ref().is_some_and(|(_, s)| s.person.roles.iter().any(|r| r == role.as_str())))
        .map(|(_, href, key)| (format!("{href}?lang={}", lang.code), lang.t(key)))
        .collect();
    let person = session.map(|(_, s)| PersonView {
        name: s.person.name.clone().unwrap_or_else(|| s.person.subject.clone()),
        roles: s.person.roles.join(", "),
        org: s.person.org.clone().unwrap_or_default(),
        csrf: s.csrf,
    });
    let home = Home {
        chrome: Chrome::of(&lang, lang.t("title")),
        intro: lang.t("intro"),
        error: if req.param("error").is_some() { lang.t("login-failed") } else { String::new() },
        person,
        label_logged_in_as: lang.t("logged-in-as"),
        label_roles: lang.t("roles"),
        label_org: lang.t("organisation"),
        label_login: lang.t("login"),
        label_logout: lang.t("logout"),
        label_desks: lang.t("desks"),
        desks,
    };
    page(&lang, home.render())
}

/// GET /accessibility — the workbench's accessibility statement.
async fn accessibility(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let lang = language(&req);
    let contact = state.settings.accessibility_contact.clone();
    let statement = Accessibility {
        chrome: Chrome::of(&lang, lang.t("accessibility-title")),
        heading: lang.t("accessibility-title"),
        aim: lang.t("accessibility-aim"),
        tested: lang.t("accessibility-tested"),
        report: lang.t("accessibility-report"),
        contact_text: contact.trim_start_matches("mailto:").to_string(),
        contact,
    };
    page(&lang, statement.render())
}

fn with_cookies(mut res: Response, cookies: &[String]) -> Response {
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            res.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    platform::http::no_store(res)
}

/// GET /login — to the provider, with a new attempt kept for this browser.
async fn login(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let Some(provider) = state.provider().await else {
        return Err(Error::Client(Problem::of(Kind::Unavailable).with_detail("No OpenID provider is configured.")));
    };
    let provider = provider.map_err(unavailable)?;
    let (url, attempt) = provider.start();
    let id = state.sessions.begin(&attempt).await.map_err(unavailable)?;
    let cookie = Sessions::cookie(ATTEMPT_COOKIE, &id, ATTEMPT_LIFETIME, state.secure());
    Ok(with_cookies(see_other(&url), &[cookie]))
}

/// GET /login/callback?code=&state= — the provider sent the browser back: a session, or
/// the home page with a sentence.
async fn callback(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let forget = Sessions::removal(ATTEMPT_COOKIE);
    let (code, returned) = (req.param("code").unwrap_or_default(), req.param("state"));
    let attempt = match req.cookie(ATTEMPT_COOKIE) {
        Some(id) => state.sessions.take_attempt(id).await.map_err(unavailable)?,
        None => None,
    };
    let person = match (attempt, state.provider().await) {
        (Some(attempt), Some(Ok(provider))) => {
            provider.finish(&attempt, returned.unwrap_or_default(), code).await.map_err(|e| e.to_string())
        }
        (None, _) => Err("no login attempt of this browser".to_string()),
        (_, None) => Err("no provider".to_string()),
        (_, Some(Err(e))) => Err(e.to_string()),
    };
    let person = match person {
        Ok(person) => person,
        Err(reason) => {
            tracing::info!(%reason, "a login failed");
            return Ok(with_cookies(see_other("/?error=login"), &[forget]));
        }
    };
    let subject = person.subject.clone();
    let (id, _) = state.sessions.open(person).await.map_err(unavailable)?;
    audited(&state, "session.login", &subject, &req.id).await?;
    let lifetime = state.sessions.lifetimes().absolute;
    Ok(with_cookies(see_other("/"), &[forget, Sessions::cookie(COOKIE, &id, lifetime, state.secure())]))
}

/// The workbench's own audit trail: who logged in and out, when (what they do is in the
/// registers' trails, under their own name).
async fn audited(state: &AppState, action: &str, subject: &str, request_id: &str) -> Result<()> {
    let client = state.core.pool.get().await?;
    let entry = platform::audit::Entry::new(platform::audit::Actor::system("workbench"), action, subject, request_id);
    Ok(entry.record(&client).await?)
}

#[derive(Deserialize)]
struct LogoutIn {
    #[serde(default)]
    csrf: String,
}

/// POST /logout — ends the session here, then at the provider.
async fn logout(state: AppState, req: Request, _: (), raw: Bytes) -> Result<Response> {
    let input: LogoutIn = serde_urlencoded::from_bytes(&raw)
        .map_err(|_| Error::Client(Problem::bad_request("A form with its csrf field is expected.")))?;
    let Some((id, session)) = session_of(&state, &req).await? else {
        return Ok(with_cookies(see_other("/"), &[Sessions::removal(COOKIE)]));
    };
    if req.cross_site || !session.csrf_matches(&input.csrf) {
        return Err(Error::Forbidden("This form did not come from this session.".into()));
    }
    state.sessions.close(&id).await.map_err(unavailable)?;
    let subject = &session.person.subject;
    audited(&state, "session.logout", subject, &req.id).await?;
    let at_provider = match state.provider().await {
        Some(Ok(provider)) => provider.logout_url(&session.person),
        _ => "/".into(),
    };
    Ok(with_cookies(see_other(&at_provider), &[Sessions::removal(COOKIE)]))
}
