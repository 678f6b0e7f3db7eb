//! Seals of adequate deposits (no amounts in the seal): the register's rule, then the desk.

use bytes::Bytes;
use platform::audit::Actor;
use platform::auth::Role;
use platform::http::Request;
use platform::problem::Kind;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_desk::Order;
use zegel_desk::nothing_said;

use super::{authenticate, write};
use crate::domain::KvkNumber;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;

/// The agency itself or the admission authority asks; the deposit must be adequate now.
/// POST /api/v1/agencies/{kvk}/deposit/seal
pub(super) async fn issue(state: AppState, req: Request, kvk: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let kvk = KvkNumber::from_path(&kvk)?;
    let role = principal.owner_or(Role::Agency, kvk.as_str(), Role::AdmissionAuthority).ok_or_else(|| {
        Error::Forbidden("Only the agency itself or the admission authority asks for a deposit seal.".into())
    })?;
    nothing_said(&req, &raw)?;
    write(&state, &req, &principal, &raw, async |tx| {
        let opened_on = store::account(tx, kvk.as_str())
            .await?
            .ok_or_else(|| Error::NotFound(format!("Agency {kvk} has no deposit.")))?;
        let standing = crate::ledger::standing(tx, &state, kvk.as_str(), opened_on, state.clock.today()).await?;
        if !standing.adequate {
            return Err(Error::Conflict {
                kind: Kind::DepositNotAdequate,
                detail: "A seal needs a deposit at the required level.".into(),
            });
        }
        let actor = Actor::of(&principal, role);
        let order = Order::new(kvk.as_str(), actor, "deposit.seal.issue", &req.id, state.clock.now());
        Ok((StatusCode::CREATED, state.desk.issue(tx, order).await?.view()?))
    })
    .await
}
