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

/// GET /api/v1/certification-bodies/{id}
pub(super) async fn bodies_get(state: AppState, req: Request, id: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let client = state.core.pool.get().await?;
    let body =
        store::body(&client, &id).await?.ok_or_else(|| Error::not_found(format!("No certification body {id}.")))?;
    Ok(platform::http::json(StatusCode::OK, &body))
}
