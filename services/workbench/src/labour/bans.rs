//! Bans at the Labour Authority's desk (advice 2.1 F): the bans not lifted and not ended,
//! each with a form to lift it; and a form to impose an administrative ban on a person by
//! BSN. The BSN, name and date of birth go to the bans register and nowhere else: the page
//! never shows them again, not even after a refusal (they are typed again), and the
//! register's list carries none.

use askama::Template;
use bytes::Bytes;
use chrono::NaiveDate;
use platform::error::Error;
use platform::http::{Request, see_other};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::ban::{Basis, OfficerRole};
use zegel_contracts::register::Service;

use super::{ROLE, not_found, read};
use crate::desk::{Choice, Desk, Form, Head, refused, said, status_of};
use crate::i18n::Lang;
use crate::page::{Chrome, page_with};
use crate::state::AppState;

type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, Deserialize)]
struct BanIn {
    ban_id: Uuid,
    basis: Basis,
    roles_covered: Vec<OfficerRole>,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    reason: String,
}

#[derive(Debug, Deserialize)]
struct Bans {
    bans: Vec<BanIn>,
}

pub struct BanView {
    pub id: Uuid,
    pub term: String,
    pub basis: String,
    pub roles: String,
    pub reason: String,
    /// Whether this desk may lift it (an administrative ban; a court's is an admin's).
    pub liftable: bool,
}

#[derive(Template)]
#[template(path = "labour_bans.html")]
struct BansPage {
    chrome: Chrome,
    l: Lang,
    head: Head,
    bans: Vec<BanView>,
    roles: Vec<Choice>,
    starts_on: String,
    ends_on: String,
    reason: String,
}

fn roles_of(l: &Lang, roles: &[OfficerRole]) -> String {
    roles.iter().map(|r| l.t(&format!("officer-{}", r.as_str()))).collect::<Vec<_>>().join(", ")
}

fn ban_view(l: &Lang, b: BanIn) -> BanView {
    let ends = b.ends_on.map(|d| d.to_string()).unwrap_or_else(|| l.t("labour-open-ended"));
    BanView {
        id: b.ban_id,
        term: format!("{} – {ends}", b.starts_on),
        basis: l.t(&format!("basis-{}", b.basis.as_str())),
        roles: roles_of(l, &b.roles_covered),
        reason: b.reason,
        liftable: b.basis == Basis::Administrative,
    }
}

async fn show(
    desk: &mut Desk,
    status: StatusCode,
    head: (Option<String>, Vec<String>),
    posted: &Form,
) -> Result<Response> {
    let bans: Bans = match read(desk, Service::Bans, "/api/v1/bans").await {
        Ok(bans) => bans,
        Err(refusal) => return refused(&desk.lang, &refusal),
    };
    let l = desk.lang.clone();
    let chosen = posted.all("roles");
    let roles = OfficerRole::ALL
        .iter()
        .map(|r| Choice {
            value: r.as_str(),
            label: l.t(&format!("officer-{}", r.as_str())),
            chosen: chosen.contains(&r.as_str()),
        })
        .collect();
    let view = BansPage {
        chrome: Chrome::at(&l, l.t("labour-bans-title"), "/labour/bans".into()),
        head: desk.head("/labour/bans".into(), head.0, head.1),
        bans: bans.bans.into_iter().map(|b| ban_view(&l, b)).collect(),
        roles,
        starts_on: posted.get("starts_on").unwrap_or_default().into(),
        ends_on: posted.get("ends_on").unwrap_or_default().into(),
        reason: posted.get("reason").unwrap_or_default().into(),
        l: l.clone(),
    };
    page_with(status, &l, view.render())
}

/// GET /labour/bans
pub async fn bans(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let mut desk = match Desk::open(&state, &req, ROLE).await? {
        Ok(desk) => desk,
        Err(away) => return Ok(away),
    };
    let done = match req.param("done") {
        Some("imposed") => Some(desk.lang.t("done-ban-imposed")),
        Some("lifted") => Some(desk.lang.t("done-ban-lifted")),
        _ => None,
    };
    show(&mut desk, StatusCode::OK, (done, Vec::new()), &Form::default()).await
}

/// The bans register's request from the impose form; or the key of the sentence that says
/// which field could not be read. The register checks the BSN, the dates and the roles.
fn ban_request(form: &Form) -> std::result::Result<Value, &'static str> {
    let mut body = Map::new();
    body.insert("basis".into(), json!(Basis::Administrative));
    body.insert("bsn".into(), json!(form.get("bsn").ok_or("field-bsn")?));
    let roles: Option<Vec<OfficerRole>> = form.all("roles").into_iter().map(OfficerRole::parse).collect();
    body.insert("roles_covered".into(), json!(roles.ok_or("field-roles")?));
    let date = |name: &str| form.get(name).map(|d| d.parse::<NaiveDate>().map_err(|_| "field-date")).transpose();
    body.insert("starts_on".into(), json!(date("starts_on")?.ok_or("field-date")?));
    if let Some(ends) = date("ends_on")? {
        body.insert("ends_on".into(), json!(ends));
    }
    body.insert("reason".into(), json!(form.get("reason").ok_or("field-reason-missing")?));
    if let Some(name) = form.get("name") {
        body.insert("name".into(), json!(name));
    }
    if let Some(born) = date("date_of_birth")? {
        body.insert("date_of_birth".into(), json!(born));
    }
    Ok(Value::Object(body))
}

/// POST /labour/bans — impose an administrative ban.
pub async fn impose(state: AppState, req: Request, _: (), raw: Bytes) -> Result<Response> {
    let (mut desk, form) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let body = match ban_request(&form) {
        Ok(body) => body,
        Err(key) => {
            let errors = vec![desk.lang.t(key)];
            return show(&mut desk, StatusCode::UNPROCESSABLE_ENTITY, (None, errors), &form).await;
        }
    };
    match desk.ask::<Value>(Service::Bans, (Method::POST, "/api/v1/bans"), Some(&body)).await {
        Ok(_) => Ok(see_other(&format!("/labour/bans?lang={}&done=imposed", desk.lang.code))),
        Err(refusal) => {
            let status = status_of(&refusal);
            let errors = said(&desk.lang, &refusal);
            show(&mut desk, status, (None, errors), &form).await
        }
    }
}

/// POST /labour/bans/{id}/lifting — lift a ban, with the reason (it stays in history).
pub async fn ban_act(state: AppState, req: Request, (id, action): (String, String), raw: Bytes) -> Result<Response> {
    let (mut desk, form) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let (Ok(id), "lifting") = (Uuid::parse_str(&id), action.as_str()) else {
        return not_found(&desk.lang, "no-such-ban");
    };
    let Some(reason) = form.get("reason") else {
        let errors = vec![desk.lang.t("field-reason-missing")];
        return show(&mut desk, StatusCode::UNPROCESSABLE_ENTITY, (None, errors), &Form::default()).await;
    };
    let path = format!("/api/v1/bans/{id}/lifting");
    match desk.ask::<Value>(Service::Bans, (Method::POST, &path), Some(&json!({ "reason": reason }))).await {
        Ok(_) => Ok(see_other(&format!("/labour/bans?lang={}&done=lifted", desk.lang.code))),
        Err(refusal) => {
            let status = status_of(&refusal);
            let errors = said(&desk.lang, &refusal);
            show(&mut desk, status, (None, errors), &Form::default()).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_impose_form_becomes_the_register_s_request() {
        let form = Form::from(
            &[
                ("bsn", "111222333"),
                ("roles", "director"),
                ("roles", "owner"),
                ("starts_on", "2026-12-07"),
                ("ends_on", ""),
                ("reason", "Repeated underpayment."),
            ][..],
        );
        assert_eq!(
            ban_request(&form),
            Ok(json!({"basis": "administrative", "bsn": "111222333", "roles_covered": ["director", "owner"],
                "starts_on": "2026-12-07", "reason": "Repeated underpayment."}))
        );
        let no_roles = Form::from(&[("bsn", "111222333"), ("starts_on", "2026-12-07"), ("reason", "x")][..]);
        assert_eq!(
            ban_request(&no_roles),
            Ok(json!({"basis": "administrative", "bsn": "111222333", "roles_covered": [],
            "starts_on": "2026-12-07", "reason": "x"}))
        );
        let bad_role = Form::from(&[("bsn", "1"), ("roles", "janitor"), ("starts_on", "2026-12-07")][..]);
        assert_eq!(ban_request(&bad_role), Err("field-roles"));
        let bad_date = Form::from(&[("bsn", "1"), ("roles", "owner"), ("starts_on", "7-12-2026")][..]);
        assert_eq!(ban_request(&bad_date), Err("field-date"));
    }

    #[test]
    fn every_word_of_the_bans_register_on_this_desk_is_translated() {
        let mut keys: Vec<String> = OfficerRole::ALL.iter().map(|r| format!("officer-{}", r.as_str())).collect();
        keys.extend(Basis::ALL.iter().map(|b| format!("basis-{}", b.as_str())));
        let missing = crate::i18n::untranslated(&keys);
        assert!(missing.is_empty(), "{missing:?}");
    }
}
