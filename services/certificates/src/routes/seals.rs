//! Seals of agency certificates: the register's rule (a provisional or certified
//! certificate, asked for by the agency or the body that issued it), then the desk.

use bytes::Bytes;
use platform::audit::Actor;
use platform::auth::Role;
use platform::http::Request;
use platform::problem::Kind;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_desk::Order;
use zegel_desk::nothing_said;

use super::{authenticate, kvk_from_path, write};
use crate::domain::Status;
use crate::error::{Error, Result};
use crate::routes::certificates::valid_until;
use crate::state::AppState;
use crate::store;

/// POST /api/v1/agencies/{kvk}/certificate/seal
pub(super) async fn issue(state: AppState, req: Request, kvk: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let kvk = kvk_from_path(&kvk)?;
    if !principal.acts_for(Role::Agency, kvk.as_str()) && !principal.has(Role::CertificationBody) {
        // Another agency is refused before anything of this one is looked up.
        return Err(Error::forbidden("Only the agency itself or its certification body has its seal issued.".into()));
    }
    nothing_said(&req, &raw)?;
    write(&state, &req, &principal, &raw, async |tx| {
        let cert = store::latest_certificate(tx, kvk.as_str())
            .await?
            .ok_or_else(|| Error::not_found(format!("Agency {kvk} has no certificate.")))?;
        let role = if principal.acts_for(Role::Agency, kvk.as_str()) {
            Role::Agency
        } else {
            let body = super::acting_body(tx, &principal).await?;
            if body != cert.certification_body_id {
                return Err(Error::forbidden("This certificate was issued by another certification body.".into()));
            }
            Role::CertificationBody
        };
        if !matches!(cert.status, Status::Provisional | Status::Certified) {
            return Err(Error::conflict(
                Kind::NoValidCertificate,
                format!("A seal needs a valid certificate; this one is {}.", cert.status.as_str()),
            ));
        }
        let certificate_id = cert.certificate_id.to_string();
        // The seal never outlives the certificate: to the end of its last valid (Dutch) day.
        let until = valid_until(&cert).and_then(platform::clock::end_of_dutch_day);
        let actor = Actor::of(&principal, role);
        let order = Order::new(kvk.as_str(), actor, "certificate.seal.issue", &req.id, state.clock.now())
            .attests(cert.certificate_id, until)
            .audited_on(&certificate_id);
        Ok((StatusCode::CREATED, state.desk.issue(tx, order).await?.view()?))
    })
    .await
}
