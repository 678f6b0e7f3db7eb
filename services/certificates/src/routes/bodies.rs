//! Certification bodies: accreditation is recorded by an admin (for the accreditation
//! council); only accredited bodies may act.

use bytes::Bytes;
use platform::audit::Actor;
use platform::auth::Role;
use platform::http::{Request, body, parse_json, request, with_state};
use serde::Deserialize;
use serde_json::json;
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;

use super::{authenticate, finish, write};
use crate::domain::{BodyId, Checks, text};
use crate::error::{Error, Result};
use crate::register::{self, Change};
use crate::state::AppState;
use crate::store;

pub(super) fn routes(state: AppState) -> BoxedFilter<(Response,)> {
    bodies_put(state.clone()).or(bodies_get(state)).unify().boxed()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BodyIn {
    name: String,
    accredited: bool,
}

/// PUT /api/v1/certification-bodies/{id}
fn bodies_put(state: AppState) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    warp::path!("api" / "v1" / "certification-bodies" / String)
        .and(warp::put())
        .and(request())
        .and(body())
        .and(with_state(state))
        .then(|id: String, req: Request, body: Bytes, state: AppState| async move {
            let result = put(&state, &req, &id, &body).await;
            finish(&req, result)
        })
}

async fn put(state: &AppState, req: &Request, id: &str, raw: &Bytes) -> Result<Response> {
    let principal = authenticate(state, req)?;
    if !principal.has(Role::Admin) {
        return Err(Error::Forbidden("Only an admin records accreditations.".into()));
    }
    let input: BodyIn = parse_json(req, raw)?;
    let mut checks = Checks::default();
    let id = checks.check(BodyId::parse(id, "/path/id"));
    let name = checks.check(text(&input.name, "/name", 200));
    checks.finish().map_err(Error::Invalid)?;
    let (Some(id), Some(name)) = (id, name) else { unreachable!("checked above") };
    write(state, req, &principal, raw, async |tx| {
        let before = store::body(tx, id.as_str()).await?;
        let after = store::upsert_body(tx, id.as_str(), &name, input.accredited).await?;
        let change = Change {
            actor: Actor::of(&principal, Role::Admin),
            reason: None,
            request_id: &req.id,
            cause_event_id: None,
            now: state.clock.now(),
        };
        register::record(tx, id.as_str(), "certification_body.put", &change, before.as_ref(), Some(&after)).await?;
        Ok((StatusCode::OK, json!(after)))
    })
    .await
}

/// GET /api/v1/certification-bodies/{id}
fn bodies_get(state: AppState) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    warp::path!("api" / "v1" / "certification-bodies" / String)
        .and(warp::get())
        .and(request())
        .and(with_state(state))
        .then(|id: String, req: Request, state: AppState| async move {
            let result: Result<_> = async {
                state.core.limiter.check(&req)?;
                let client = state.core.pool.get().await?;
                let body = store::body(&client, &id)
                    .await?
                    .ok_or_else(|| Error::NotFound(format!("No certification body {id}.")))?;
                Ok(platform::http::json(StatusCode::OK, &body))
            }
            .await;
            finish(&req, result)
        })
}
