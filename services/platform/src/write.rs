//! The write path every service shares: the caller's write budget, one transaction per
//! request, honouring the `Idempotency-Key` header, and a nudge to the outbox relay after
//! commit.

use deadpool_postgres::Transaction;
use serde_json::Value;
use warp::http::{HeaderValue, StatusCode};
use warp::reply::Response;

use crate::auth::Principal;
use crate::core::State;
use crate::http::{Request, json};
use crate::idempotency::{self, Key, Stored};

/// Runs `work` in one transaction. With an `Idempotency-Key`, a retry with the same key
/// and request by the same caller (subject, organisation, roles) gets the first response
/// back (marked `Idempotent-Replayed: true`) once its checks pass again, and changes
/// nothing again; the same key with another request is refused.
pub async fn write<S, F>(
    state: &S,
    req: &Request,
    principal: &Principal,
    body: &[u8],
    work: F,
) -> Result<Response, S::Error>
where
    S: State,
    F: AsyncFnOnce(&Transaction<'_>) -> Result<(StatusCode, Value), S::Error>,
{
    let core = state.core();
    core.writes.charge_caller(req, Some(principal))?;
    let key = req.idempotency_key.as_deref().map(Key::parse).transpose()?;
    let mut client = core.pool.get().await?;
    let mut tx = client.transaction().await?;
    // Keys are the caller's own: its subject for its organisation in its roles. The same
    // subject acting for another organisation runs the request (and its ownership checks)
    // afresh instead of getting the first organisation's answer.
    let scope = principal.scope();
    if let Some(key) = &key {
        let hash = core.fingerprints.of(req.method.as_str(), &req.path, body);
        if let Some(stored) = idempotency::begin(&tx, &scope, key, &hash).await? {
            // A replay runs the request's checks again — who may act on what, as of now —
            // in a savepoint that is rolled back: a caller whose rights ended since (an
            // accreditation withdrawn, a placement ended) gets its refusal, not the answer.
            // Any other outcome (the change is made already: a conflict) gives the answer.
            let again = {
                let check = tx.savepoint("replay").await?;
                work(&check).await
            };
            if let Err(e) = again {
                let status = crate::core::ServiceError::to_problem(&e, &req.id).status;
                if matches!(status, 401 | 403 | 404) || status >= 500 {
                    return Err(e);
                }
            }
            let mut res = json(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK), &stored.body);
            res.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            return Ok(res);
        }
    }
    let (status, value) = work(&tx).await?;
    if let Some(key) = &key {
        idempotency::finish(&tx, &scope, key, &Stored { status: status.as_u16(), body: value.clone() }).await?;
    }
    tx.commit().await?;
    core.relay.nudge();
    Ok(json(status, &value))
}
