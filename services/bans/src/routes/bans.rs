//! Bans: imposed (administrative: inspectorate or tax; civil: admin for a court), lifted,
//! never deleted.

use bytes::Bytes;
use chrono::NaiveDate;
use platform::audit::{self, Actor};
use platform::auth::{Principal, Role};
use platform::http::{Request, json, parse_json};
use platform::problem::FieldError;
use platform::problem::Kind;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;

use super::{authenticate, write};
use crate::domain::{Basis, OfficerRole, RawBsn, check_ban_dates, text};
use crate::error::{Error, Result};
use crate::events;
use crate::state::AppState;
use crate::store::{self, Ban};
use crate::sweep;

/// Who may impose or lift a ban on this basis, and in which role.
fn imposing_role(principal: &Principal, basis: Basis) -> Result<Role> {
    match basis {
        Basis::Administrative => {
            [Role::Inspectorate, Role::Tax].into_iter().find(|r| principal.has(*r)).ok_or_else(|| {
                Error::Forbidden("Administrative bans are imposed by the inspectorate or the tax authority.".into())
            })
        }
        Basis::Civil if principal.has(Role::Admin) => Ok(Role::Admin),
        Basis::Civil => Err(Error::Forbidden("Civil bans are recorded by an admin, as ordered by a court.".into())),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BanIn {
    bsn: RawBsn,
    basis: Basis,
    roles_covered: Vec<OfficerRole>,
    starts_on: NaiveDate,
    #[serde(default)]
    ends_on: Option<NaiveDate>,
    reason: String,
    /// Needed only when the person is not yet known to the register.
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    date_of_birth: Option<NaiveDate>,
}

/// What is wrong with a ban's dates, if anything. The longest civil ban is a dated setting:
/// the row in force on the ban's first day; a day before every row is no day a ban of this
/// register can start on.
async fn dates_refused(state: &AppState, input: &BanIn) -> Result<Option<FieldError>> {
    let client = state.core.pool.get().await?;
    Ok(match store::civil_ban_max_years(&client, input.starts_on).await? {
        Some((civil_max_years, _)) => {
            check_ban_dates(input.basis, input.starts_on, input.ends_on, civil_max_years).err()
        }
        None => Some(FieldError::new("/starts_on", "before any rule this register applies to bans")),
    })
}

/// The ban `input` asks for, on person `person_id`.
fn new_ban(input: &BanIn, person_id: Uuid, reason: String, now: chrono::DateTime<chrono::Utc>) -> Ban {
    let mut roles = input.roles_covered.clone();
    // Stored in the order of their spelling, as before they were a type.
    roles.sort_by_key(|r| r.as_str());
    roles.dedup();
    Ban {
        ban_id: Uuid::now_v7(),
        person_id,
        basis: input.basis,
        roles_covered: roles,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        reason,
        lifted_on: None,
        lift_reason: None,
        created_at: now,
    }
}

pub(super) async fn impose(state: AppState, req: Request, _: (), raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(
        &[Role::Inspectorate, Role::Tax, Role::Admin],
        "Bans are imposed by the inspectorate or the tax authority, or recorded by an admin.",
    )?;
    let input: BanIn = parse_json(&req, &raw)?;
    let role = imposing_role(&principal, input.basis)?;
    let mut errors = Vec::new();
    let bsn = input.bsn.parse("/bsn").map_err(|e| errors.push(e)).ok();
    let reason = platform::http::reason(&input.reason).map_err(|e| errors.push(e)).ok();
    if input.roles_covered.is_empty() {
        errors.push(FieldError::new("/roles_covered", "name at least one role"));
    }
    errors.extend(dates_refused(&state, &input).await?);
    let name =
        input.name.as_deref().map(|n| text(n, "/name", 200)).transpose().map_err(|e| errors.push(e)).ok().flatten();
    let (Some(bsn), Some(reason), true) = (bsn, reason, errors.is_empty()) else { return Err(Error::Invalid(errors)) };
    let hash = bsn.keyed_hash(state.bsn_key());
    write(&state, &req, &principal, &raw, async |tx| {
        let person_id = match (store::person_by_hash(tx, &hash).await?, &name, input.date_of_birth) {
            (Some(id), _, _) => id,
            (None, Some(name), Some(dob)) => store::upsert_person(tx, &hash, name, dob).await?,
            (None, _, _) => {
                return Err(Error::Invalid(vec![FieldError::new(
                    "/name",
                    "this person is not known to the register yet: give name and date_of_birth",
                )]));
            }
        };
        let ban = new_ban(&input, person_id, reason.clone(), state.clock.now());
        store::insert_ban(tx, &ban, &principal.subject, role.as_str()).await?;
        let actor = Actor::of(&principal, role);
        audit::Entry::new(actor.clone(), "ban.impose", ban.ban_id.to_string(), &req.id)
            .reason(reason.clone())
            .after(serde_json::to_value(&ban).ok())
            .record(tx)
            .await?;
        let today = state.clock.today();
        if ban.starts_on <= today {
            // In force now: tell the registers about every agency it hits, at once.
            sweep::publish_start(tx, &ban, today, state.clock.now(), &actor, &req.id, None).await?;
        }
        Ok((StatusCode::CREATED, json!(ban)))
    })
    .await
}

fn ban_id(raw: &str) -> Result<Uuid> {
    Ok(platform::http::uuid_in_path(raw, "ban")?)
}

/// POST /api/v1/bans/{id}/lifting
pub(super) async fn lift(state: AppState, req: Request, id: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(
        &[Role::Inspectorate, Role::Tax, Role::Admin],
        "Bans are lifted by who imposed them, or by an admin.",
    )?;
    let id = ban_id(&id)?;
    let input: platform::http::ReasonIn = parse_json(&req, &raw)?;
    let reason = platform::http::reason(&input.reason)?;
    write(&state, &req, &principal, &raw, async |tx| {
        let before = store::ban_by_id(tx, id, true).await?.ok_or_else(|| Error::NotFound(format!("No ban {id}.")))?;
        let role = imposing_role(&principal, before.basis)?;
        if before.lifted_on.is_some() {
            return Err(Error::Conflict { kind: Kind::BanLifted, detail: format!("Ban {id} was lifted already.") });
        }
        let today = state.clock.today();
        let now = state.clock.now();
        // Whoever heard of the ban hears it is lifted: KvK and the inspectorate always (when
        // its start was published), and per agency it covered an officer of, that agency's
        // body and the hirers following it.
        let hit = if before.starts_on <= today { store::agencies_hit(tx, id, today).await? } else { Vec::new() };
        store::lift_ban(tx, id, today, &reason).await?;
        let after = store::ban_by_id(tx, id, false).await?.ok_or(Error::Corrupt("ban vanished"))?;
        let mut told = vec![events::lifted(id, today, now)];
        for (kvk, role) in &hit {
            let body = store::certifier_of(tx, kvk).await?;
            told.push(events::lifted_at(id, kvk, *role, today, body.as_deref(), now));
        }
        audit::Entry::new(Actor::of(&principal, role), "ban.lift", id.to_string(), &req.id)
            .reason(reason.clone())
            .before(serde_json::to_value(&before).ok())
            .after(serde_json::to_value(&after).ok())
            .publishes_all(told)
            .record(tx)
            .await?;
        Ok((StatusCode::OK, json!(after)))
    })
    .await
}

/// GET /api/v1/bans/{id} — the ban (no personal data) for the inspectorate, tax and admins.
pub(super) async fn ban_get(state: AppState, req: Request, id: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    if ![Role::Inspectorate, Role::Tax, Role::Admin].iter().any(|r| principal.has(*r)) {
        return Err(Error::Forbidden("Only the inspectorate, the tax authority and admins read bans.".into()));
    }
    let id = ban_id(&id)?;
    let client = state.core.pool.get().await?;
    let ban = store::ban_by_id(&client, id, false).await?.ok_or_else(|| Error::NotFound(format!("No ban {id}.")))?;
    Ok(json(StatusCode::OK, &ban))
}

/// GET /api/v1/bans — the bans not lifted and not ended (in force, or to start), newest
/// first, without personal data: for the inspectorate, tax and admins, who impose and lift
/// them.
pub(super) async fn current(state: AppState, req: Request, _: ()) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    if ![Role::Inspectorate, Role::Tax, Role::Admin].iter().any(|r| principal.has(*r)) {
        return Err(Error::Forbidden("Only the inspectorate, the tax authority and admins read bans.".into()));
    }
    let client = state.core.pool.get().await?;
    let bans = store::current_bans(&client, state.clock.today(), 200).await?;
    Ok(platform::http::no_store(json(StatusCode::OK, &json!({ "bans": bans }))))
}
