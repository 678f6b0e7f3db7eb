//! Person checks: is this person banned on a date? A POST, so that a BSN never appears
//! in a URL or an access log line. Every check is written to the access log.

use bytes::Bytes;
use chrono::NaiveDate;
use platform::audit::Actor;
use platform::auth::Role;
use platform::http::{Request, json, no_store, parse_json};
use serde::Deserialize;
use serde_json::json;
use warp::http::StatusCode;
use warp::reply::Response;

use super::authenticate;
use crate::domain::{KvkNumber, RawBsn, text};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use platform::problem::FieldError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckIn {
    bsn: RawBsn,
    #[serde(default)]
    on_date: Option<NaiveDate>,
    /// Why the caller checks (logged).
    purpose: String,
    /// The agency the check is for; a certification body must name one of its own.
    #[serde(default)]
    kvk_number: Option<String>,
}

/// A certification body reads personal data only for an agency it holds an application
/// or a certificate of (as the certificates register published it); 403 otherwise.
pub(super) async fn require_certifier(
    client: &impl deadpool_postgres::GenericClient,
    principal: &platform::auth::Principal,
    kvk: &KvkNumber,
) -> Result<()> {
    let body = principal.org.as_deref().unwrap_or_default();
    if body.is_empty() || !store::certifies(client, body, kvk.as_str()).await? {
        return Err(Error::Forbidden(format!(
            "This certification body holds no application or certificate of agency {kvk}."
        )));
    }
    Ok(())
}

pub(super) async fn check(state: AppState, req: Request, _: (), raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let role = [Role::Kvk, Role::Inspectorate, Role::CertificationBody]
        .into_iter()
        .find(|r| principal.has(*r))
        .ok_or_else(|| Error::Forbidden("Only KvK, certification bodies and the inspectorate check persons.".into()))?;
    let input: CheckIn = parse_json(&req, &raw)?;
    let bsn = input.bsn.parse("/bsn")?;
    let purpose = text(&input.purpose, "/purpose", 200)?;
    let kvk = input.kvk_number.as_deref().map(|k| KvkNumber::parse(k, "/kvk_number")).transpose()?;
    let day = input.on_date.unwrap_or_else(|| state.clock.today());
    let client = state.core.pool.get().await?;
    let person = store::person_by_hash(&client, &bsn.keyed_hash(state.bsn_key())).await?;
    if role == Role::CertificationBody {
        let kvk = kvk.as_ref().ok_or_else(|| {
            Error::Invalid(vec![FieldError::new("/kvk_number", "a certification body names the agency it checks for")])
        })?;
        require_certifier(&client, &principal, kvk).await?;
        // A body checks the persons who run its own agency, no one else: the same answer
        // whether the person is unknown here or known and not an officer of it, so that
        // the refusal tells nothing about the person.
        let officer = match person {
            Some(id) => store::is_officer(&client, id, kvk.as_str(), day).await?,
            None => false,
        };
        if !officer {
            return Err(Error::Forbidden(format!(
                "A certification body checks only the persons KvK registered as officers of agency {kvk} on {day}."
            )));
        }
    }
    store::log_access(
        &client,
        &Actor::of(&principal, role),
        &format!("person check: {purpose}"),
        person,
        kvk.as_ref().map(KvkNumber::as_str),
        &req.id,
    )
    .await?;
    let bans = match person {
        Some(id) => store::bans_of(&client, id).await?,
        None => Vec::new(),
    };
    let in_force = |b: &store::Ban| zegel_contracts::ban::in_force(b.starts_on, b.ends_on, b.lifted_on, day);
    let banned = bans.iter().any(in_force);
    Ok(no_store(json(StatusCode::OK, &json!({ "on_date": day, "banned": banned, "bans": bans }))))
}

/// GET /api/v1/access-log — who read personal data (inspectorate, admin).
pub(super) async fn access_log(state: AppState, req: Request, _: ()) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    if !principal.has(Role::Inspectorate) && !principal.has(Role::Admin) {
        return Err(Error::Forbidden("Only the inspectorate and admins read the access log.".into()));
    }
    let client = state.core.pool.get().await?;
    Ok(json(StatusCode::OK, &json!({ "entries": store::access_log(&client, 500).await? })))
}
