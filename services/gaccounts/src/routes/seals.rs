//! Seals of active G-accounts (no IBAN, no amounts in the seal): the register's rule, then
//! the desk.

use bytes::Bytes;
use platform::audit::Actor;
use platform::http::Request;
use platform::problem::Kind;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_desk::Order;
use zegel_desk::nothing_said;

use super::{authenticate, write};
use crate::domain::{KvkNumber, Status};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;

/// The agency or the tax authority asks; the account must be active now.
/// POST /api/v1/agencies/{kvk}/g-account/seal
pub(super) async fn issue(state: AppState, req: Request, kvk: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let kvk = KvkNumber::from_path(&kvk)?;
    let role = super::accounts::agency_or_tax(&principal, &kvk)?;
    nothing_said(&req, &raw)?;
    write(&state, &req, &principal, &raw, async |tx| {
        let account = store::open_account(tx, kvk.as_str(), false)
            .await?
            .ok_or_else(|| Error::NotFound(format!("Agency {kvk} has no G-account.")))?;
        if account.status != Status::Active {
            return Err(Error::Conflict {
                kind: Kind::NoActiveGAccount,
                detail: format!("A seal needs an active G-account; this one is {}.", account.status.as_str()),
            });
        }
        let actor = Actor::of(&principal, role);
        let order = Order::new(kvk.as_str(), actor, "g_account.seal.issue", &req.id, state.clock.now())
            .attests(account.g_account_id, None);
        Ok((StatusCode::CREATED, state.desk.issue(tx, order).await?.view()?))
    })
    .await
}
