//! Certification bodies: accreditation is recorded by an admin (for the accreditation
//! council); only accredited bodies may act.

use bytes::Bytes;
use platform::audit::Actor;
use platform::auth::Role;
use platform::http::{Request, parse_json};
use serde::Deserialize;
use serde_json::json;
use warp::http::StatusCode;
use warp::reply::Response;

use super::{authenticate, write};
use crate::domain::{BodyId, Checks, text};
use crate::error::{Error, Result};
use crate::register::{self, Change};
use crate::state::AppState;
use crate::store;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BodyIn {
    name: String,
    accredited: bool,
}

/// PUT /api/v1/certification-bodies/{id}
pub(super) async fn put(state: AppState, req: Request, id: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    if !principal.has(Role::Admin) {
        return Err(Error::forbidden("Only an admin records accreditations.".into()));
    }
    let input: BodyIn = parse_json(&req, &raw)?;
    let mut checks = Checks::default();
    let id = checks.check(BodyId::parse(&id, "/path/id"));
    let name = checks.check(text(&input.name, "/name", 200));
    checks.finish().map_err(Error::invalid)?;
    let (Some(id), Some(name)) = (id, name) else { unreachable!("checked above") };
    write(&state, &req, &principal, &raw, async |tx| {
        let before = store::body(tx, id.as_str()).await?;
        let after = store::upsert_body(tx, id.as_str(), &name, input.accredited).await?;
        let change = Change {
            actor: Actor::of(&principal, Role::Admin),
            reason: None,
            request_id: &req.id,
            cause_event_id: None,
            ground: None,
            now: state.clock.now(),
        };
        // The other registers end (or restore) the body's reading rights with its
        // accreditation (platform::certifier).
        let changed = before.as_ref().is_none_or(|b| b.accredited != after.accredited);
        let told = changed.then(|| crate::events::accreditation(&after, change.now));
        register::entry(id.as_str(), "certification_body.put", &change, before.as_ref(), Some(&after))
            .publishes_all(told)
            .record(tx)
            .await?;
        Ok((StatusCode::OK, json!(after)))
    })
    .await
}

/// How many certificates a body's list holds at most: the newest.
const LISTED: i64 = 1000;

/// GET /api/v1/certification-bodies/{id}/certificates — the body's own certificates,
/// newest first, for its desk. Which agencies a body certifies is no public fact (the
/// public asks by agency): the body itself (while accredited), the inspectorate and an
/// admin read the list; anyone else is refused alike whether the body exists or not.
pub(super) async fn certificates(state: AppState, req: Request, id: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let client = state.core.pool.get().await?;
    let allowed = principal.has(Role::Inspectorate)
        || principal.has(Role::Admin)
        || super::reads_as_body(&client, &principal, &id).await?;
    if !allowed {
        return Err(Error::forbidden("Only the body itself and the inspectorate read a body's certificates.".into()));
    }
    let listed = store::certificates_of_body(&client, &id, LISTED + 1).await?;
    let truncated = listed.len() > LISTED as usize;
    let certificates: Vec<_> = listed
        .iter()
        .take(LISTED as usize)
        .map(|l| {
            let mut v = super::certificates::view(&l.certificate);
            v["agency_name"] = json!(l.agency_name);
            v["open_deficiencies"] = json!(l.open_deficiencies);
            v["next_due"] = json!(l.next_due);
            v
        })
        .collect();
    let answer = json!({ "certification_body_id": id, "certificates": certificates, "truncated": truncated });
    Ok(platform::http::json(StatusCode::OK, &answer))
}

/// GET /api/v1/certification-bodies/{id}
pub(super) async fn bodies_get(state: AppState, req: Request, id: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let client = state.core.pool.get().await?;
    let body =
        store::body(&client, &id).await?.ok_or_else(|| Error::not_found(format!("No certification body {id}.")))?;
    Ok(platform::http::json(StatusCode::OK, &body))
}
