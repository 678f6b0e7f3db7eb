//! The KvK API (role kvk, a client-credential token): registration and deregistration
//! checks, and the stored checks for KvK and the inspectorate to audit. No answer of these
//! endpoints carries a BSN or a name.

use bytes::Bytes;
use chrono::NaiveDate;
use platform::auth::{Principal, Role};
use platform::http::{Request, json, no_store, parse_json};
use platform::ids::{KvkNumber, RawBsn};
use platform::problem::FieldError;
use serde::Deserialize;
use serde_json::json;
use warp::http::StatusCode;
use warp::reply::Response;

use crate::error::Error;
use crate::error::Result;
use crate::kvk::{self, Officer, Registration};
use crate::state::AppState;
use crate::store::{self, KvkCheck};

/// Most officers in one registration.
const MAX_OFFICERS: usize = 50;
/// Most SBI codes in one registration.
const MAX_SBI: usize = 20;

fn authenticate(state: &AppState, req: &Request) -> Result<Principal, Error> {
    Ok(state.core.auth.authenticate(req.authorization.as_deref())?)
}

fn kvk_only(principal: &Principal) -> Result<(), Error> {
    if principal.has(Role::Kvk) {
        Ok(())
    } else {
        Err(Error::Client(platform::Problem::forbidden("Only the Chamber of Commerce asks registration checks.")))
    }
}

fn answer(check: &KvkCheck) -> serde_json::Value {
    json!({
        "kvk_check_id": check.kvk_check_id,
        "kind": check.kind,
        "kvk_number": check.kvk_number,
        "result": check.result,
        "reasons": check.reasons,
        "mark_for_deregistration": check.mark_for_deregistration,
        "checked_at": check.checked_at,
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OfficerIn {
    bsn: RawBsn,
    role: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistrationIn {
    kvk_number: String,
    sbi_codes: Vec<String>,
    #[serde(default)]
    officers: Vec<OfficerIn>,
    vog_issued_on: NaiveDate,
}

/// POST /api/v1/kvk/registration-checks
pub(super) async fn registration_post(state: AppState, req: Request, _: (), raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    kvk_only(&principal)?;
    let input: RegistrationIn = parse_json(&req, &raw)?;
    let mut errors = Vec::new();
    // KvK registers Dutch numbers only (a foreign agency's Dutch branch has one).
    let kvk = KvkNumber::parse(&input.kvk_number, "/kvk_number")
        .and_then(|k| match k.foreign_country() {
            None => Ok(k),
            Some(_) => Err(FieldError::new("/kvk_number", "a KvK number is exactly 8 digits")),
        })
        .map_err(|e| errors.push(e))
        .ok();
    if input.sbi_codes.is_empty() || input.sbi_codes.len() > MAX_SBI {
        errors.push(FieldError::new("/sbi_codes", format!("1 to {MAX_SBI} SBI codes")));
    }
    for (i, c) in input.sbi_codes.iter().enumerate() {
        if !(4..=5).contains(&c.len()) || !c.bytes().all(|b| b.is_ascii_digit()) {
            errors.push(FieldError::new(format!("/sbi_codes/{i}"), "an SBI code is 4 or 5 digits"));
        }
    }
    if input.officers.len() > MAX_OFFICERS {
        errors.push(FieldError::new("/officers", format!("at most {MAX_OFFICERS} officers")));
    }
    let officers: Vec<Officer> = input
        .officers
        .iter()
        .enumerate()
        .filter_map(|(i, o)| {
            let role = platform::http::word(&o.role, &format!("/officers/{i}/role")).map_err(|e| errors.push(e));
            let bsn = o.bsn.parse(&format!("/officers/{i}/bsn")).map_err(|e| errors.push(e)).ok()?;
            Some(Officer { bsn, role: role.ok()? })
        })
        .collect();
    if input.vog_issued_on > state.clock.today() {
        errors.push(FieldError::new("/vog_issued_on", "not in the future"));
    }
    let (Some(kvk), true) = (kvk, errors.is_empty()) else { return Err(Error::Invalid(errors)) };
    let registration = Registration {
        kvk_number: kvk.as_str().into(),
        sbi_codes: input.sbi_codes,
        officers,
        vog_issued_on: input.vog_issued_on,
    };
    let check = kvk::registration(&state, &req, &principal.subject, &registration).await?;
    Ok(no_store(json(StatusCode::OK, &answer(&check))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeregistrationIn {
    kvk_number: String,
    date: NaiveDate,
}

/// POST /api/v1/kvk/deregistration-checks
pub(super) async fn deregistration_post(state: AppState, req: Request, _: (), raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    kvk_only(&principal)?;
    let input: DeregistrationIn = parse_json(&req, &raw)?;
    let kvk = KvkNumber::parse(&input.kvk_number, "/kvk_number")?;
    let check = kvk::deregistration(&state, &principal.subject, kvk.as_str(), input.date).await?;
    Ok(no_store(json(StatusCode::OK, &answer(&check))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChecksQuery {
    #[serde(default)]
    kvk: Option<String>,
    #[serde(default)]
    limit: Option<i64>,
}

/// GET /api/v1/kvk/checks[?kvk=&limit=] — KvK and the inspectorate, for audit.
pub(super) async fn checks_get(state: AppState, req: Request, _: ()) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    if !principal.has(Role::Kvk) && !principal.has(Role::Inspectorate) {
        return Err(Error::Client(platform::Problem::forbidden(
            "Only KvK and the inspectorate read the stored checks.",
        )));
    }
    let q: ChecksQuery = serde_urlencoded::from_str(&req.query)
        .map_err(|e| Error::Client(platform::Problem::bad_request(format!("Bad query: {e}."))))?;
    if let Some(k) = &q.kvk {
        KvkNumber::parse(k, "/kvk")
            .map_err(|e| Error::Client(platform::Problem::bad_request(format!("kvk: {}.", e.detail))))?;
    }
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(Error::Client(platform::Problem::bad_request("limit is 1 to 500.")));
    }
    let checks = store::kvk_checks(&state.core.pool, q.kvk.as_deref(), limit)
        .await
        .map_err(|e| crate::agency::Unavailable(format!("{e:#}")))?;
    Ok(no_store(json(StatusCode::OK, &json!({ "checks": checks }))))
}
