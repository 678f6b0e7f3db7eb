//! What the agency does at its desk besides reading: record where it houses workers and
//! when they left, declare that it houses no one, register its G-account for the tax
//! authority to verify, and, after an accident a hirer reported, record its report to the
//! Labour Authority and the safety check. Each form goes to the register that keeps it,
//! with the person's own token; what a register refuses comes back on the page.

use bytes::Bytes;
use chrono::NaiveDate;
use platform::error::Error;
use platform::http::{Request, see_other};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::register::Service;

use super::{ROLE, show};
use crate::desk::{Desk, Form, kvk_org, notice, said, status_of};
use crate::state::AppState;

type Result<T> = std::result::Result<T, Error>;

/// What was just done, said on the page it leads back to.
pub const DONE: [&str; 6] = ["placed", "declared", "g-account", "left", "authority-report", "safety-check"];

/// A call to a register: which, how, where, with what.
type Call = (Service, Method, String, Value);

/// The call for one of the agency's own forms; or the key of the sentence that says what
/// could not be read. The register judges the rest.
fn call_of(kvk: &str, action: &str, form: &Form) -> std::result::Result<(Call, &'static str), &'static str> {
    match action {
        "placements" => {
            let from: NaiveDate = form.get("from").and_then(|d| d.parse().ok()).ok_or("field-date")?;
            let body = json!({
                "bag_id": form.get("bag_id").unwrap_or_default(),
                "from": from,
                "rent_withheld": form.get("rent_withheld") == Some("yes"),
            });
            Ok(((Service::Housing, Method::POST, format!("/api/v1/agencies/{kvk}/placements"), body), "placed"))
        }
        "declaration" => {
            let houses_no_one = form.get("houses_no_one") == Some("yes");
            let path = format!("/api/v1/agencies/{kvk}/housing-declaration");
            Ok(((Service::Housing, Method::PUT, path, json!({ "houses_no_one": houses_no_one })), "declared"))
        }
        "g-account" => {
            let body =
                json!({ "iban": form.get("iban").unwrap_or_default(), "bank": form.get("bank").unwrap_or_default() });
            Ok(((Service::Gaccounts, Method::PUT, format!("/api/v1/agencies/{kvk}/g-account"), body), "g-account"))
        }
        _ => Err("agency-no-such-form"),
    }
}

/// The call for a form about one placement or accident of the agency.
fn call_on(what: &str, id: Uuid, action: &str, form: &Form) -> std::result::Result<(Call, &'static str), &'static str> {
    match (what, action) {
        ("placements", "end") => {
            let to: NaiveDate = form.get("to").and_then(|d| d.parse().ok()).ok_or("field-date")?;
            Ok(((Service::Housing, Method::POST, format!("/api/v1/placements/{id}/end"), json!({ "to": to })), "left"))
        }
        ("accidents", "authority-report") => {
            let body = json!({ "reference": form.get("reference").unwrap_or_default() });
            let path = format!("/api/v1/accidents/{id}/authority-report");
            Ok(((Service::Certificates, Method::POST, path, body), "authority-report"))
        }
        ("accidents", "safety-check") => {
            let body = json!({ "measures": form.get("measures").unwrap_or_default() });
            Ok((
                (Service::Certificates, Method::POST, format!("/api/v1/accidents/{id}/safety-check"), body),
                "safety-check",
            ))
        }
        _ => Err("agency-no-such-form"),
    }
}

/// Sends `call`; back to the desk saying `done`, or the desk again with the refusal.
async fn send(
    mut desk: Desk,
    kvk: &str,
    call: std::result::Result<(Call, &'static str), &'static str>,
) -> Result<Response> {
    let ((service, method, path, body), done) = match call {
        Ok(call) => call,
        Err("agency-no-such-form") => {
            return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("agency-no-such-form"));
        }
        Err(key) => {
            let errors = vec![desk.lang.t(key)];
            return show(&mut desk, kvk, StatusCode::UNPROCESSABLE_ENTITY, (None, errors)).await;
        }
    };
    match desk.ask::<Value>(service, (method, &path), Some(&body)).await {
        Ok(_) => Ok(see_other(&format!("/agency?lang={}&done={done}", desk.lang.code))),
        Err(refusal) => {
            let (status, errors) = (status_of(&refusal), said(&desk.lang, &refusal));
            show(&mut desk, kvk, status, (None, errors)).await
        }
    }
}

/// POST /agency/{placements|declaration|g-account}
pub async fn act(state: AppState, req: Request, action: String, raw: Bytes) -> Result<Response> {
    let (desk, form) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let Some(kvk) = kvk_org(desk.org()) else {
        return notice(&desk.lang, StatusCode::FORBIDDEN, desk.lang.t("agency-no-kvk"));
    };
    let call = call_of(&kvk, &action, &form);
    send(desk, &kvk, call).await
}

/// A form about one placement or accident of the agency.
async fn on(state: AppState, req: Request, what: &str, (id, action): (String, String), raw: Bytes) -> Result<Response> {
    let (desk, form) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let (Some(kvk), Ok(id)) = (kvk_org(desk.org()), Uuid::parse_str(&id)) else {
        return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("agency-no-such-form"));
    };
    let call = call_on(what, id, &action, &form);
    send(desk, &kvk, call).await
}

/// POST /agency/placements/{id}/end — the agency's workers left the building.
pub async fn placement(state: AppState, req: Request, path: (String, String), raw: Bytes) -> Result<Response> {
    on(state, req, "placements", path, raw).await
}

/// POST /agency/accidents/{id}/{authority-report|safety-check}
pub async fn accident(state: AppState, req: Request, path: (String, String), raw: Bytes) -> Result<Response> {
    on(state, req, "accidents", path, raw).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agency_s_forms_become_the_registers_calls() {
        let placed =
            Form::from(&[("bag_id", "0983010000000001"), ("from", "2026-12-01"), ("rent_withheld", "yes")][..]);
        let ((service, method, path, body), done) = call_of("12345678", "placements", &placed).expect("a call");
        assert_eq!(
            (service, method, path.as_str(), done),
            (Service::Housing, Method::POST, "/api/v1/agencies/12345678/placements", "placed")
        );
        assert_eq!(body, json!({"bag_id": "0983010000000001", "from": "2026-12-01", "rent_withheld": true}));
        assert_eq!(call_of("12345678", "placements", &Form::from(&[("from", "1 Dec")][..])).err(), Some("field-date"));
        assert_eq!(call_of("12345678", "closure", &Form::default()).err(), Some("agency-no-such-form"));
        let id = Uuid::nil();
        let ended = call_on("placements", id, "end", &Form::from(&[("to", "2026-12-31")][..])).expect("a call");
        assert_eq!(ended.0.3, json!({"to": "2026-12-31"}));
        assert_eq!(call_on("accidents", id, "end", &Form::default()).err(), Some("agency-no-such-form"));
    }
}
