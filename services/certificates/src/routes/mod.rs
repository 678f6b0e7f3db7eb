//! HTTP routes, one module per resource, and the helpers they share.

mod agencies;
mod bodies;
mod certificates;
mod seals;

use bytes::Bytes;
use deadpool_postgres::Transaction;
use platform::auth::{Principal, Role};
use platform::http::{Request, respond};
use serde_json::Value;
use uuid::Uuid;
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;

use crate::domain::KvkNumber;
use crate::error::{Error, Result};
use crate::startup::AppState;
use crate::store::{self, Certificate};

/// Every API route of the service.
pub fn api(state: AppState) -> BoxedFilter<(Response,)> {
    bodies::routes(state.clone())
        .or(agencies::routes(state.clone()))
        .unify()
        .or(certificates::routes(state.clone()))
        .unify()
        .or(seals::routes(state))
        .unify()
        .boxed()
}

/// The single place a handler's result becomes a response.
pub(crate) fn finish(req: &Request, result: Result<Response>) -> Response {
    respond(req, result.map_err(|e| e.to_problem(&req.id)))
}

/// Runs `work` in one transaction, honouring the `Idempotency-Key` header: a retry with
/// the same key and request gets the first response back and changes nothing again.
pub(crate) async fn write<F>(
    state: &AppState,
    req: &Request,
    principal: &Principal,
    body: &Bytes,
    work: F,
) -> Result<Response>
where
    F: AsyncFnOnce(&Transaction<'_>) -> Result<(StatusCode, Value)>,
{
    platform::write::write(&state.pool, &state.relay, req, principal, body, work).await
}

/// Authenticates the caller (401 otherwise).
pub(crate) fn authenticate(state: &AppState, req: &Request) -> Result<Principal> {
    Ok(state.auth.authenticate(req.authorization.as_deref())?)
}

/// A KvK number from the path (400 when malformed).
pub(crate) fn kvk_from_path(raw: &str) -> Result<KvkNumber> {
    Ok(KvkNumber::from_path(raw)?)
}

/// A certificate id from the path (400 when malformed).
pub(crate) fn id_from_path(raw: &str, what: &str) -> Result<Uuid> {
    raw.parse()
        .map_err(|_| Error::Client(platform::Problem::bad_request(format!("Malformed {what} id: expected a UUID."))))
}

/// Loads and locks a certificate that the calling certification body issued; 403 for
/// anyone else, or for a body whose accreditation was withdrawn.
pub(crate) async fn own_certificate(tx: &Transaction<'_>, principal: &Principal, id: Uuid) -> Result<Certificate> {
    let body_id = acting_body(tx, principal).await?;
    let cert = store::certificate_by_id(tx, id, true)
        .await?
        .ok_or_else(|| Error::NotFound(format!("No certificate {id}.")))?;
    if cert.certification_body_id != body_id {
        return Err(Error::Forbidden("This certificate was issued by another certification body.".into()));
    }
    Ok(cert)
}

/// The accredited body the caller acts for.
pub(crate) async fn acting_body(tx: &Transaction<'_>, principal: &Principal) -> Result<String> {
    if !principal.has(Role::CertificationBody) {
        return Err(Error::Forbidden("Only a certification body may do this.".into()));
    }
    let org = principal
        .org
        .as_deref()
        .ok_or_else(|| Error::Forbidden("The token names no certification body (org).".into()))?;
    match store::body(tx, org).await? {
        Some(b) if b.accredited => Ok(b.certification_body_id),
        Some(_) => Err(Error::Forbidden("The accreditation of this certification body has been withdrawn.".into())),
        None => Err(Error::Forbidden("This certification body is not registered as accredited.".into())),
    }
}
