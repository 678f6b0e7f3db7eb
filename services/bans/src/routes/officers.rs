//! Officers of agencies, as KvK registers them, and the public ban status of an agency.

use bytes::Bytes;
use chrono::NaiveDate;
use platform::audit::{self, Actor};
use platform::auth::Role;
use platform::http::{Request, json, no_store, parse_json};
use platform::problem::FieldError;
use serde::Deserialize;
use serde_json::json;
use warp::http::StatusCode;
use warp::reply::Response;

use super::{authenticate, write};
use crate::domain::{KvkNumber, OfficerRole, RawBsn, text};
use crate::error::{Error, Result};
use crate::events;
use crate::state::AppState;
use crate::store::{self, NewOfficer};

/// Most officers one registration may list.
const MAX_OFFICERS: usize = 50;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OfficerIn {
    bsn: RawBsn,
    name: String,
    date_of_birth: NaiveDate,
    role: OfficerRole,
    from: NaiveDate,
    #[serde(default)]
    to: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OfficersIn {
    officers: Vec<OfficerIn>,
}

/// The officers KvK registers, checked: each person by the keyed hash of their BSN (the BSN
/// itself goes no further), with their name and their term.
fn persons<'a>(
    state: &AppState,
    input: &'a OfficersIn,
    today: NaiveDate,
) -> Result<Vec<(Vec<u8>, String, &'a OfficerIn)>> {
    let mut errors = Vec::new();
    if input.officers.len() > MAX_OFFICERS {
        errors.push(FieldError::new("/officers", format!("at most {MAX_OFFICERS} officers")));
    }
    let mut people = Vec::new();
    for (i, o) in input.officers.iter().enumerate() {
        let bsn = o.bsn.parse(&format!("/officers/{i}/bsn")).map_err(|e| errors.push(e)).ok();
        let name = text(&o.name, &format!("/officers/{i}/name"), 200).map_err(|e| errors.push(e)).ok();
        if o.date_of_birth > today {
            errors.push(FieldError::new(format!("/officers/{i}/date_of_birth"), "must not be in the future"));
        }
        if o.to.is_some_and(|to| to < o.from) {
            errors.push(FieldError::new(format!("/officers/{i}/to"), "must not be before from"));
        }
        if let (Some(bsn), Some(name)) = (bsn, name) {
            people.push((bsn.keyed_hash(state.bsn_key()), name, o));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    Ok(people)
}

/// PUT /api/v1/agencies/{kvk}/officers
pub(super) async fn register(state: AppState, req: Request, kvk: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let kvk = KvkNumber::from_path(&kvk)?;
    if !principal.has(Role::Kvk) {
        return Err(Error::Forbidden("Only KvK registers the officers of an agency.".into()));
    }
    let input: OfficersIn = parse_json(&req, &raw)?;
    let today = state.clock.today();
    let people = persons(&state, &input, today)?;
    write(&state, &req, &principal, &raw, async |tx| {
        let mut officers = Vec::new();
        for (hash, name, o) in &people {
            let person_id = store::upsert_person(tx, hash, name, o.date_of_birth).await?;
            officers.push(NewOfficer { person_id, role: o.role, from_on: o.from, to_on: o.to });
        }
        let linked_before = store::linked_officers(tx, kvk.as_str(), today).await?;
        store::register_officers(tx, kvk.as_str(), &officers, today).await?;
        let now = state.clock.now();
        let body = store::certifier_of(tx, kvk.as_str()).await?;
        // The phoenix check: a banned person registered at this agency is flagged at once.
        let banned = store::banned_officers(tx, kvk.as_str(), today).await?;
        let mut told: Vec<_> = banned
            .iter()
            .map(|(ban_id, role)| events::banned_officer_appointed(*ban_id, kvk.as_str(), *role, body.as_deref(), now))
            .collect();
        // The phoenix radar: a person who ran an agency whose certificate ended with a
        // waiting period still running appears here — signalled once, when they appear.
        let linked = store::linked_officers(tx, kvk.as_str(), today).await?;
        let appeared: Vec<_> = linked.iter().filter(|l| !linked_before.contains(l)).collect();
        told.extend(appeared.iter().map(|link| events::linked_officer(kvk.as_str(), link, body.as_deref(), now)));
        let summary = json!({ "kvk_number": kvk, "officers": officers.len(), "banned_officers": banned.len(),
                              "linked_officers": linked.len() });
        audit::Entry::new(Actor::of(&principal, Role::Kvk), "officers.register", kvk.as_str(), &req.id)
            .after(summary.clone())
            .publishes_all(told)
            .record(tx)
            .await?;
        Ok((StatusCode::OK, summary))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OfficersQuery {
    /// Why the caller reads them (logged).
    purpose: Option<String>,
}

/// Who reads what KvK registered about the persons behind an agency — KvK, the
/// inspectorate or a certification body — in which role, and why (`?purpose=`, logged).
fn reader(state: &AppState, req: &Request, what: &str) -> Result<(platform::auth::Principal, Role, String)> {
    let principal = authenticate(state, req)?;
    let role = [Role::Kvk, Role::Inspectorate, Role::CertificationBody]
        .into_iter()
        .find(|r| principal.has(*r))
        .ok_or_else(|| Error::Forbidden(format!("Only KvK, certification bodies and the inspectorate {what}.")))?;
    let query: OfficersQuery = serde_urlencoded::from_str(&req.query)
        .map_err(|e| Error::Invalid(vec![FieldError::new("/query", format!("unreadable query: {e}"))]))?;
    let purpose = text(
        query.purpose.as_deref().ok_or_else(|| Error::Invalid(vec![FieldError::new("/query/purpose", "required")]))?,
        "/query/purpose",
        200,
    )?;
    Ok((principal, role, purpose))
}

/// GET /api/v1/agencies/{kvk}/officers?purpose=… — names and birth dates (never BSNs) for
/// KvK, the inspectorate and the certification body of the agency; every read is logged
/// with its purpose.
pub(super) async fn officers_get(state: AppState, req: Request, kvk: String) -> Result<Response> {
    let kvk = KvkNumber::from_path(&kvk)?;
    let (principal, role, purpose) = reader(&state, &req, "see officers")?;
    let client = state.core.pool.get().await?;
    let today = state.clock.today();
    let mut officers = store::officers(&client, kvk.as_str(), today).await?;
    if role == Role::CertificationBody {
        super::checks::require_certifier(&client, &principal, &kvk).await?;
        // A body assesses who runs the agency now; who ran it before is for KvK and the
        // inspectorate (the phoenix radar tells a body of links without names).
        officers.retain(|o| o.to_on.is_none_or(|to| to >= today));
    }
    store::log_access(
        &client,
        &Actor::of(&principal, role),
        &format!("officer list: {purpose}"),
        None,
        Some(kvk.as_str()),
        &req.id,
    )
    .await?;
    Ok(no_store(json(StatusCode::OK, &json!({ "kvk_number": kvk, "officers": officers }))))
}

/// GET /api/v1/agencies/{kvk}/officer-links?purpose=… — the phoenix radar for one agency:
/// whether a current officer ran another agency whose certificate ended with a waiting
/// period still running, and which (role, agency, certificate, ground, until when) — never
/// who. For KvK, the inspectorate and a certification body: any body may ask, since the
/// certificates register asks it with the body's own token when that body is about to
/// issue a first certificate (the entry test); every read is logged with its purpose.
pub(super) async fn links_get(state: AppState, req: Request, kvk: String) -> Result<Response> {
    let kvk = KvkNumber::from_path(&kvk)?;
    let (principal, role, purpose) = reader(&state, &req, "see officer links")?;
    let client = state.core.pool.get().await?;
    if role == Role::CertificationBody {
        let body = principal.org.as_deref().unwrap_or_default();
        if body.is_empty() || !platform::certifier::accredited(&client, body).await? {
            return Err(Error::Forbidden("Only an accredited certification body reads officer links.".into()));
        }
    }
    let links = store::linked_officers(&client, kvk.as_str(), state.clock.today()).await?;
    store::log_access(
        &client,
        &Actor::of(&principal, role),
        &format!("officer links: {purpose}"),
        None,
        Some(kvk.as_str()),
        &req.id,
    )
    .await?;
    Ok(no_store(json(StatusCode::OK, &json!({ "kvk_number": kvk, "clear": links.is_empty(), "links": links }))))
}

/// GET /api/v1/agencies/{kvk}/ban-status — public: whether the agency is clear, and
/// nothing else (no names, no BSNs, no dates of birth, no count).
pub(super) async fn ban_status(state: AppState, req: Request, kvk: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let kvk = KvkNumber::from_path(&kvk)?;
    let client = state.core.pool.get().await?;
    if !store::agency_known(&client, kvk.as_str()).await? {
        return Err(Error::NotFound(format!("KvK has registered no officers for agency {kvk}.")));
    }
    let clear = store::banned_officers(&client, kvk.as_str(), state.clock.today()).await?.is_empty();
    Ok(no_store(json(StatusCode::OK, &json!({ "clear": clear, "checked_at": state.clock.now() }))))
}
