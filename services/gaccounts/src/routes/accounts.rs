//! G-accounts: registration by the agency (or the tax authority), verification, blocking
//! and closure by the tax authority, and the public checks a hirer relies on.

use bytes::Bytes;
use platform::audit::{self, Actor};
use platform::auth::{Principal, Role};
use platform::http::{MaybeReasonIn, Request, json, no_store, parse_json};
use platform::problem::Kind;
use serde::Deserialize;
use serde_json::json;
use warp::http::StatusCode;
use warp::reply::Response;

use super::{authenticate, write};
use crate::domain::{Action, Iban, KvkNumber, Status, text};
use crate::error::{Error, Result};
use crate::events;
use crate::state::AppState;
use crate::store::{self, GAccount};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountIn {
    iban: String,
    bank: String,
}

/// The role a caller acts in for `kvk`'s account: the agency itself, or the tax authority.
pub(super) fn agency_or_tax(principal: &Principal, kvk: &KvkNumber) -> Result<Role> {
    principal
        .owner_or(Role::Agency, kvk.as_str(), Role::Tax)
        .ok_or_else(|| Error::Forbidden("Only the agency itself or the tax authority may do this.".into()))
}

/// PUT /api/v1/agencies/{kvk}/g-account
pub(super) async fn register(state: AppState, req: Request, kvk: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let kvk = KvkNumber::from_path(&kvk)?;
    let role = agency_or_tax(&principal, &kvk)?;
    let input: AccountIn = parse_json(&req, &raw)?;
    let iban = Iban::parse_g_account(&input.iban, "/iban");
    let bank = text(&input.bank, "/bank", 100);
    let (iban, bank) = match (iban, bank) {
        (Ok(i), Ok(b)) => (i, b),
        (i, b) => {
            return Err(Error::Invalid([i.err(), b.err()].into_iter().flatten().collect()));
        }
    };
    write(&state, &req, &principal, &raw, async |tx| {
        let now = state.clock.now();
        let actor = Actor::of(&principal, role);
        let (account, created) = match store::open_account(tx, kvk.as_str(), true).await? {
            // A request not yet verified may be corrected.
            Some(mut a) if a.status == Status::Requested => {
                a.iban = iban.as_str().into();
                a.bank = bank.clone();
                store::update_account(tx, &a).await?;
                (a, false)
            }
            Some(a) => {
                return Err(Error::Conflict {
                    kind: Kind::GAccountInUse,
                    detail: format!("Agency {kvk} has a G-account that is {}; the tax authority closes it before another is registered.", a.status.as_str()),
                });
            }
            None => {
                let a = GAccount {
                    g_account_id: uuid::Uuid::now_v7(),
                    kvk_number: kvk.as_str().into(),
                    iban: iban.as_str().into(),
                    bank: bank.clone(),
                    status: Status::Requested,
                    status_since: now,
                };
                store::insert_account(tx, &a).await?;
                store::insert_status_change(tx, a.g_account_id, None, Status::Requested, now).await?;
                (a, true)
            }
        };
        // A new account is told; a corrected request is not a change of status.
        let told = created.then(|| events::status_changed(&account, None, None, now));
        audit::Entry::new(actor, "g_account.register", kvk.as_str(), &req.id)
            .after(serde_json::to_value(&account).ok())
            .publishes_all(told)
            .record(tx)
            .await?;
        Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, json!(account)))
    })
    .await
}

/// POST /api/v1/agencies/{kvk}/g-account/{verification|blocking|unblocking|closure}
pub(super) async fn transition(
    state: AppState,
    req: Request,
    (kvk, action): (String, Action),
    raw: Bytes,
) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let kvk = KvkNumber::from_path(&kvk)?;
    if !principal.has(Role::Tax) {
        return Err(Error::Forbidden(
            "Only the tax authority verifies, blocks, unblocks or closes a G-account.".into(),
        ));
    }
    let input: MaybeReasonIn = if raw.is_empty() { MaybeReasonIn::default() } else { parse_json(&req, &raw)? };
    let reason = input.checked()?;
    if reason.is_none() && action != Action::Verify {
        return Err(Error::Invalid(vec![platform::problem::FieldError::new("/reason", "a reason is required")]));
    }
    write(&state, &req, &principal, &raw, async |tx| {
        let before = store::open_account(tx, kvk.as_str(), true)
            .await?
            .ok_or_else(|| Error::NotFound(format!("Agency {kvk} has no open G-account.")))?;
        let to = action.apply(before.status).ok_or_else(|| Error::Conflict {
            kind: Kind::IllegalTransition,
            detail: format!("A {} G-account cannot {}.", before.status.as_str(), action.as_str()),
        })?;
        let now = state.clock.now();
        let mut after = before.clone();
        after.status = to;
        after.status_since = now;
        store::update_account(tx, &after).await?;
        store::insert_status_change(tx, after.g_account_id, Some(before.status), to, now).await?;
        let told = events::status_changed(&after, Some(before.status), reason.as_deref(), now);
        audit::Entry::new(
            Actor::of(&principal, Role::Tax),
            format!("g_account.{}", action.as_str()),
            kvk.as_str(),
            &req.id,
        )
        .reason(reason.clone())
        .before(serde_json::to_value(&before).ok())
        .after(serde_json::to_value(&after).ok())
        .publishes(told)
        .record(tx)
        .await?;
        Ok((StatusCode::OK, json!(after)))
    })
    .await
}

/// GET /api/v1/agencies/{kvk}/g-account — public: the hirer pays the tax share into it.
pub(super) async fn g_account_get(state: AppState, req: Request, kvk: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let kvk = KvkNumber::from_path(&kvk)?;
    // A token is optional here; one that is sent must be good. The tax authority (which
    // verifies the number) and the agency itself see it whatever the status.
    let keeper = match req.authorization {
        Some(_) => {
            let principal = authenticate(&state, &req)?;
            principal.has(Role::Tax) || principal.acts_for(Role::Agency, kvk.as_str())
        }
        None => false,
    };
    let client = state.core.pool.get().await?;
    let view = match store::latest_account(&client, kvk.as_str()).await? {
        // The IBAN is public only while hirers may pay into it: a requested, blocked or
        // closed account's number is nobody else's business.
        Some(a) if a.status == Status::Active || keeper => {
            json!({ "kvk_number": kvk, "status": a.status, "iban": a.iban, "bank": a.bank, "since": a.status_since })
        }
        Some(a) => {
            json!({ "kvk_number": kvk, "status": a.status, "iban": null, "bank": null, "since": a.status_since })
        }
        None => json!({ "kvk_number": kvk, "status": "none", "iban": null, "bank": null, "since": null }),
    };
    Ok(no_store(json(StatusCode::OK, &view)))
}

/// GET /api/v1/agencies/{kvk}/g-account/match?iban=... — is the IBAN on an invoice this
/// agency's active G-account?
pub(super) async fn g_account_match(state: AppState, req: Request, kvk: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let kvk = KvkNumber::from_path(&kvk)?;
    let raw = req.query.split('&').find_map(|kv| kv.strip_prefix("iban=")).ok_or_else(|| {
        Error::Invalid(vec![platform::problem::FieldError::new("/query/iban", "give the IBAN to check as ?iban=")])
    })?;
    let decoded = raw.replace("%20", " ").replace('+', " ");
    let iban = Iban::parse(&decoded, "/query/iban")?;
    let client = state.core.pool.get().await?;
    let account = store::open_account(&client, kvk.as_str(), false).await?;
    let matches = account.as_ref().is_some_and(|a| a.status == Status::Active && a.iban == iban.as_str());
    Ok(no_store(json(StatusCode::OK, &json!({ "kvk_number": kvk, "iban": iban, "matches": matches }))))
}

/// GET /api/v1/agencies/{kvk}/g-account/history — the agency itself, tax, the inspectorate.
pub(super) async fn g_account_history(state: AppState, req: Request, kvk: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let kvk = KvkNumber::from_path(&kvk)?;
    let allowed =
        principal.acts_for(Role::Agency, kvk.as_str()) || principal.has(Role::Tax) || principal.has(Role::Inspectorate);
    if !allowed {
        return Err(Error::Forbidden(
            "Only the agency itself, the tax authority and the inspectorate see the history.".into(),
        ));
    }
    let client = state.core.pool.get().await?;
    let history = store::history(&client, kvk.as_str()).await?;
    Ok(json(StatusCode::OK, &json!({ "kvk_number": kvk, "history": history })))
}
