//! HTTP routes, one module per resource, and the helpers they share.

mod accidents;
mod agencies;
mod bodies;
mod certificates;
mod fines;
mod sanctions;
mod seals;
mod work_complaints;

/// The audit action of a read of an agency's complaints about its work (one agency's list,
/// or the worklist across agencies: each agency's read is in its trail).
pub const WORK_COMPLAINT_READ: &str = "work_complaint.read";
mod worklists;

use deadpool_postgres::Transaction;
use platform::auth::{Principal, Role};
use platform::http::{Routed, any_of, fixed, get, pair, post, put};
use uuid::Uuid;

use crate::domain::KvkNumber;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{self, Certificate};

pub(crate) use platform::http::authenticate;
pub(crate) use platform::write::write;

pub fn api(state: AppState) -> Routed {
    let s = &state;
    any_of([
        platform::dossier::route(s, zegel_contracts::register::Service::Certificates),
        get(fixed(warp::path!("api" / "v1" / "suspension-requests")), s, worklists::suspension_requests),
        get(fixed(warp::path!("api" / "v1" / "accidents")), s, worklists::open_accidents),
        get(fixed(warp::path!("api" / "v1" / "work-complaints")), s, worklists::work_complaints),
        get(fixed(warp::path!("api" / "v1" / "hirer-fines")), s, worklists::fines),
        put(warp::path!("api" / "v1" / "certification-bodies" / String), s, bodies::put),
        get(warp::path!("api" / "v1" / "certification-bodies" / String), s, bodies::bodies_get),
        get(warp::path!("api" / "v1" / "certification-bodies" / String / "certificates"), s, bodies::certificates),
        post(fixed(warp::path!("api" / "v1" / "agencies")), s, agencies::create_agency),
        get(warp::path!("api" / "v1" / "agencies" / String / "certificate"), s, agencies::public_view),
        post(warp::path!("api" / "v1" / "agencies" / String / "certificates"), s, agencies::issue_certificate),
        get(warp::path!("api" / "v1" / "certificates" / String), s, certificates::certificate_get),
        get(
            warp::path!("api" / "v1" / "certificates" / String / "audit-trail"),
            s,
            certificates::certificate_audit_trail,
        ),
        put(
            pair(warp::path!("api" / "v1" / "certificates" / String / "requirements" / String)),
            s,
            certificates::put_requirement,
        ),
        get(warp::path!("api" / "v1" / "certificates" / String / "checklist"), s, certificates::checklist),
        post(warp::path!("api" / "v1" / "certificates" / String / "extension"), s, certificates::extend),
        post(warp::path!("api" / "v1" / "certificates" / String / "certification"), s, certificates::certify),
        post(warp::path!("api" / "v1" / "certificates" / String / "audits"), s, certificates::record_audit),
        post(
            pair(warp::path!("api" / "v1" / "certificates" / String / "deficiencies" / String / "resolution")),
            s,
            certificates::resolve,
        ),
        post(warp::path!("api" / "v1" / "certificates" / String / "suspension"), s, certificates::suspend),
        post(warp::path!("api" / "v1" / "certificates" / String / "reinstatement"), s, certificates::reinstate),
        post(warp::path!("api" / "v1" / "certificates" / String / "revocation"), s, certificates::revoke),
        post(warp::path!("api" / "v1" / "certificates" / String / "withdrawal"), s, certificates::withdraw),
        post(warp::path!("api" / "v1" / "agencies" / String / "certificate" / "seal"), s, seals::issue),
        post(warp::path!("api" / "v1" / "agencies" / String / "accidents"), s, accidents::report),
        get(warp::path!("api" / "v1" / "agencies" / String / "accidents"), s, accidents::list),
        post(warp::path!("api" / "v1" / "accidents" / String / "authority-report"), s, accidents::authority_report),
        post(warp::path!("api" / "v1" / "accidents" / String / "safety-check"), s, accidents::safety_check),
        post(warp::path!("api" / "v1" / "agencies" / String / "work-complaints"), s, work_complaints::post),
        get(warp::path!("api" / "v1" / "agencies" / String / "work-complaints"), s, work_complaints::list),
        post(warp::path!("api" / "v1" / "work-complaints" / String / "status"), s, work_complaints::set_status),
        post(fixed(warp::path!("api" / "v1" / "hirer-fine-computations")), s, fines::computation),
        post(fixed(warp::path!("api" / "v1" / "hirer-fines")), s, fines::decide),
        get(warp::path!("api" / "v1" / "hirer-fines" / String), s, fines::get),
        post(warp::path!("api" / "v1" / "hirer-fines" / String / "irrevocability"), s, fines::irrevocable),
        get(fixed(warp::path!("api" / "v1" / "fine-schedule")), s, fines::schedule_get),
        post(warp::path!("api" / "v1" / "agencies" / String / "final-sanctions"), s, sanctions::record),
        get(warp::path!("api" / "v1" / "agencies" / String / "final-sanctions"), s, sanctions::list),
        put(warp::path!("api" / "v1" / "fine-schedule" / String), s, fines::schedule_put),
        state.desk.qr_route(&state.core),
    ])
}

/// A KvK number from the path (400 when malformed).
pub(crate) fn kvk_from_path(raw: &str) -> Result<KvkNumber> {
    Ok(KvkNumber::from_path(raw)?)
}

/// A request to act on certificate `id` with a body of `T`, read in the order every such
/// handler needs: the caller authenticated, its role one the handler allows (else 403,
/// before anything is looked up), the id, then the body.
pub(crate) struct Asked<T> {
    pub principal: Principal,
    pub id: Uuid,
    pub input: T,
}

/// The roles that may ask, and what anyone else is told.
pub(crate) struct Only(pub &'static [Role], pub &'static str);

/// Reads an [`Asked`] from the request.
pub(crate) fn asked<T: serde::de::DeserializeOwned>(
    state: &AppState,
    req: &platform::http::Request,
    Only(roles, refusal): Only,
    id: &str,
    raw: &bytes::Bytes,
) -> Result<Asked<T>> {
    let principal = authenticate(state, req)?;
    principal.require_any(roles, refusal)?;
    let id = id_from_path(id, "certificate")?;
    let input = platform::http::parse_json(req, raw)?;
    Ok(Asked { principal, id, input })
}

/// A certificate id from the path (400 when malformed).
pub(crate) fn id_from_path(raw: &str, what: &str) -> Result<Uuid> {
    Ok(platform::http::uuid_in_path(raw, what)?)
}

/// Loads and locks a certificate that the calling certification body issued; 403 for
/// anyone else, or for a body whose accreditation was withdrawn.
pub(crate) async fn own_certificate(tx: &Transaction<'_>, principal: &Principal, id: Uuid) -> Result<Certificate> {
    let body_id = acting_body(tx, principal).await?;
    let cert = store::certificate_by_id(tx, id, true).await?.ok_or_else(|| no_certificate(id))?;
    if cert.certification_body_id != body_id {
        // Another body's certificate: as if there were none.
        return Err(no_certificate(id));
    }
    Ok(cert)
}

/// The answer about a certificate that does not exist, or that the caller may not see
/// (the same, so that a refusal tells nothing).
pub(crate) fn no_certificate(id: Uuid) -> Error {
    Error::not_found(format!("No certificate {id} that you may see."))
}

/// Whether `principal` reads as certification body `body`: it acts for that body and the
/// body is accredited now (a body's reading rights end with its accreditation, as its
/// writes do).
pub(crate) async fn reads_as_body(
    c: &impl deadpool_postgres::GenericClient,
    principal: &Principal,
    body: &str,
) -> Result<bool> {
    Ok(principal.acts_for(Role::CertificationBody, body) && store::body(c, body).await?.is_some_and(|b| b.accredited))
}

pub(crate) async fn acting_body(tx: &impl deadpool_postgres::GenericClient, principal: &Principal) -> Result<String> {
    if !principal.has(Role::CertificationBody) {
        return Err(Error::forbidden("Only a certification body may do this.".into()));
    }
    let org = principal
        .org
        .as_deref()
        .ok_or_else(|| Error::forbidden("The token names no certification body (org).".into()))?;
    match store::body(tx, org).await? {
        Some(b) if b.accredited => Ok(b.certification_body_id),
        Some(_) => Err(Error::forbidden("The accreditation of this certification body has been withdrawn.".into())),
        None => Err(Error::forbidden("This certification body is not registered as accredited.".into())),
    }
}
