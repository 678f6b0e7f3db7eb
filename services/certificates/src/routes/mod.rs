//! HTTP routes, one module per resource, and the helpers they share.

mod agencies;
mod bodies;
mod certificates;
mod seals;

use deadpool_postgres::Transaction;
use platform::auth::{Principal, Role};
use uuid::Uuid;
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::reply::Response;

use crate::domain::KvkNumber;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{self, Certificate};

pub(crate) use platform::http::{authenticate, finish};
pub(crate) use platform::write::write;

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

/// A KvK number from the path (400 when malformed).
pub(crate) fn kvk_from_path(raw: &str) -> Result<KvkNumber> {
    Ok(KvkNumber::from_path(raw)?)
}

/// A certificate id from the path (400 when malformed).
pub(crate) fn id_from_path(raw: &str, what: &str) -> Result<Uuid> {
    Ok(platform::http::uuid_in_path(raw, what)?)
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
