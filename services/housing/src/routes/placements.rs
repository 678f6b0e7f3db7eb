//! Where an agency houses its workers (advice 4.4 B): a placement in any building of the
//! register, whoever provides it — housing separated from work, or by a specialised firm —
//! or a declaration that it houses no one. The agency's standing reads both: it may be
//! hired only while every building it houses workers in is certified now.
//!
//! Need to know: the agency records and reads its own; its certification body reads them
//! (it assesses the agency's housing); the Labour Authority and housing inspectors read any
//! agency's (they check the housing and the withheld rent). Nobody else sees where an
//! agency's workers live.

use bytes::Bytes;
use chrono::NaiveDate;
use platform::audit::{self, Actor};
use platform::auth::{Principal, Role};
use platform::http::{Request, json, no_store, parse_json, uuid_in_path};
use platform::ids::KvkNumber;
use platform::problem::{Checks, FieldError, Kind};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;

use super::{authenticate, write};
use crate::domain::BagId;
use crate::state::AppState;
use crate::store::{self, Placement};
use crate::{Error, Result};

/// The agency itself, acting for its own KvK number.
fn the_agency(principal: &Principal, kvk: &KvkNumber) -> Result<()> {
    if principal.acts_for(Role::Agency, kvk.as_str()) {
        Ok(())
    } else {
        Err(Error::Forbidden("Only the agency itself records where it houses its workers.".into()))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlacementIn {
    bag_id: String,
    from: NaiveDate,
    #[serde(default)]
    to: Option<NaiveDate>,
    rent_withheld: bool,
}

/// POST /api/v1/agencies/{kvk}/placements — the agency records a building it houses
/// workers in, from a day (and until a day, if known).
pub(super) async fn record(state: AppState, req: Request, kvk: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let kvk = KvkNumber::from_path(&kvk)?;
    the_agency(&principal, &kvk)?;
    let input: PlacementIn = parse_json(&req, &raw)?;
    let mut checks = Checks::default();
    let bag = checks.check(BagId::parse(&input.bag_id, "/bag_id"));
    let today = state.clock.today();
    if !(earliest(today)..=latest_start(today)).contains(&input.from) {
        checks.fail("/from", format!("between {} and {}", earliest(today), latest_start(today)));
    }
    if input.to.is_some_and(|to| to < input.from) {
        checks.fail("/to", "must not be before from");
    } else if input.to.is_some_and(|to| to > latest_end(today)) {
        checks.fail("/to", format!("at the latest {}", latest_end(today)));
    }
    let bag = match (bag, checks.finish()) {
        (Some(bag), Ok(())) => bag,
        (_, Err(errors)) => return Err(Error::Invalid(errors)),
        (None, Ok(())) => return Err(Error::Invalid(vec![FieldError::new("/bag_id", "a BAG id")])),
    };
    write(&state, &req, &principal, &raw, async |tx| {
        if !platform::certifier::held(tx, kvk.as_str()).await? {
            return Err(Error::Invalid(vec![FieldError::new(
                "/path/kvk",
                "the housing register knows no application or certificate of this agency: a placement is recorded \
                 once a certification body holds one",
            )]));
        }
        let Some(building) = store::building(tx, bag.as_str(), false).await? else {
            return Err(Error::Invalid(vec![FieldError::new(
                "/bag_id",
                "no building with this id in the housing register",
            )]));
        };
        let now = state.clock.now();
        let placement = Placement {
            placement_id: Uuid::now_v7(),
            kvk_number: kvk.as_str().into(),
            bag_id: bag.as_str().into(),
            from: input.from,
            to: input.to,
            rent_withheld: input.rent_withheld,
            // In a building it provides itself the agency's word is the provider's.
            accepted_at: (building.building.provider_kvk == kvk.as_str()).then_some(now),
        };
        store::insert_placement(tx, &placement, &principal.subject, now).await?;
        audit::Entry::new(Actor::of(&principal, Role::Agency), "placement.record", kvk.as_str(), &req.id)
            .after(json!(placement))
            .record(tx)
            .await?;
        let certified = building.certified_until(now).is_some();
        Ok((
            StatusCode::CREATED,
            json!({ "placement": placement, "mark_status": building.mark_status, "certified": certified }),
        ))
    })
    .await
}

/// Records a change of a placement in the audit trail (under its agency) and answers with it.
async fn changed(
    tx: &deadpool_postgres::Transaction<'_>,
    actor: Actor,
    action: &str,
    request_id: &str,
    before: &Placement,
    after: Placement,
) -> Result<(StatusCode, serde_json::Value)> {
    audit::Entry::new(actor, action, &before.kvk_number, request_id)
        .before(json!(before))
        .after(json!(after))
        .record(tx)
        .await?;
    Ok((StatusCode::OK, json!({ "placement": after })))
}

/// The earliest first day of a placement: older stays are past the register's use.
fn earliest(today: NaiveDate) -> NaiveDate {
    today - chrono::Months::new(60)
}

/// The latest first day: a placement is recorded when it is arranged, at most a year ahead.
fn latest_start(today: NaiveDate) -> NaiveDate {
    today + chrono::Months::new(12)
}

/// The latest last day: stays are seasonal or a few years at most.
fn latest_end(today: NaiveDate) -> NaiveDate {
    today + chrono::Months::new(120)
}

/// POST /api/v1/placements/{id}/acceptance — the building's housing provider accepts a
/// placement of another agency in its building, or a housing inspector confirms it (seen
/// on the spot). Only then does the placement let the agency's certification body read the
/// building.
pub(super) async fn accept(state: AppState, req: Request, id: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(
        &[Role::HousingProvider, Role::HousingInspector],
        "Only the building's housing provider or a housing inspector accepts a placement.",
    )?;
    let id: Uuid = uuid_in_path(&id, "placement")?;
    write(&state, &req, &principal, &raw, async |tx| {
        let missing = || Error::NotFound(format!("No placement {id} in a building of yours."));
        let before = store::placement_by_id(tx, id, true).await?.ok_or_else(missing)?;
        let building = store::building(tx, &before.bag_id, false).await?.ok_or_else(missing)?;
        let role = if principal.acts_for(Role::HousingProvider, &building.building.provider_kvk) {
            Role::HousingProvider
        } else if principal.has(Role::HousingInspector) {
            Role::HousingInspector
        } else {
            // Another provider learns nothing of the placement, not even that it exists.
            return Err(missing());
        };
        if before.accepted_at.is_some() {
            return Ok((StatusCode::OK, json!({ "placement": before })));
        }
        let now = state.clock.now();
        store::accept_placement(tx, id, &principal.subject, now).await?;
        let after = Placement { accepted_at: Some(now), ..before.clone() };
        changed(tx, Actor::of(&principal, role), "placement.accept", &req.id, &before, after).await
    })
    .await
}

/// GET /api/v1/buildings/{bag_id}/placements — the agencies that record placements in a
/// building, for its provider (who accepts them), housing inspectors and its municipality.
pub(super) async fn in_building(state: AppState, req: Request, bag_id: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let bag = super::bag_from_path(&bag_id)?;
    let client = state.core.pool.get().await?;
    let b = super::found(&client, &bag, false).await?;
    if !super::keeps_record(&principal, &b) {
        return Err(super::unseen(&bag));
    }
    let placements = store::placements_in(&client, bag.as_str()).await?;
    Ok(no_store(json(StatusCode::OK, &json!({ "bag_id": bag.as_str(), "placements": placements }))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EndIn {
    to: NaiveDate,
}

/// POST /api/v1/placements/{id}/end — the agency's workers left the building on `to`.
pub(super) async fn end(state: AppState, req: Request, id: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::Agency], "Only the placing agency ends a placement.")?;
    let id: Uuid = uuid_in_path(&id, "placement")?;
    let input: EndIn = parse_json(&req, &raw)?;
    write(&state, &req, &principal, &raw, async |tx| {
        let before = store::placement_by_id(tx, id, true)
            .await?
            .filter(|p| principal.acts_for(Role::Agency, &p.kvk_number))
            .ok_or_else(|| Error::NotFound(format!("Your agency has no placement {id}.")))?;
        if before.to.is_some_and(|to| to < state.clock.today()) {
            return Err(Error::Conflict { kind: Kind::PlacementEnded, detail: format!("Placement {id} has ended.") });
        }
        if input.to < before.from {
            return Err(Error::Invalid(vec![FieldError::new("/to", "must not be before the placement's first day")]));
        }
        if input.to > latest_end(state.clock.today()) {
            let latest = latest_end(state.clock.today());
            return Err(Error::Invalid(vec![FieldError::new("/to", format!("at the latest {latest}"))]));
        }
        store::end_placement(tx, id, input.to).await?;
        let after = Placement { to: Some(input.to), ..before.clone() };
        changed(tx, Actor::of(&principal, Role::Agency), "placement.end", &req.id, &before, after).await
    })
    .await
}

/// GET /api/v1/agencies/{kvk}/placements — the agency itself, the Labour Authority and
/// housing inspectors: every placement with the building's mark now, and the declaration.
pub(super) async fn list(state: AppState, req: Request, kvk: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let kvk = KvkNumber::from_path(&kvk)?;
    let client = state.core.pool.get().await?;
    let its_body = match principal.org.as_deref() {
        Some(body) if principal.has(Role::CertificationBody) => {
            platform::certifier::certifies(&client, body, kvk.as_str()).await?
        }
        _ => false,
    };
    if !(principal.acts_for(Role::Agency, kvk.as_str())
        || principal.has(Role::Inspectorate)
        || principal.has(Role::HousingInspector)
        || its_body)
    {
        return Err(Error::Forbidden(
            "Only the agency itself, its certification body, the Labour Authority and housing inspectors see where it \
             houses workers."
                .into(),
        ));
    }
    let now = state.clock.now();
    let mut shown = Vec::new();
    // The body sees a placement once the building's side has confirmed it: before that it
    // names a building only on the agency's word.
    let sees = |p: &Placement| !its_body || p.accepted_at.is_some() || principal.has(Role::Inspectorate);
    for p in store::placements_of(&client, kvk.as_str()).await?.into_iter().filter(sees) {
        let mark = store::building(&client, &p.bag_id, false).await?;
        let certified = mark.as_ref().is_some_and(|b| b.certified_until(now).is_some());
        shown.push(json!({ "placement": p, "mark_status": mark.map(|b| b.mark_status), "certified": certified }));
    }
    let declared = store::declaration(&client, kvk.as_str()).await?;
    Ok(no_store(json(
        StatusCode::OK,
        &json!({ "kvk_number": kvk, "houses_no_one": declared.unwrap_or(false), "placements": shown }),
    )))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeclarationIn {
    houses_no_one: bool,
}

/// PUT /api/v1/agencies/{kvk}/housing-declaration — the agency declares that it houses
/// no one (or withdraws that). Not while it has placements that have not ended.
pub(super) async fn declare(state: AppState, req: Request, kvk: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let kvk = KvkNumber::from_path(&kvk)?;
    the_agency(&principal, &kvk)?;
    let input: DeclarationIn = parse_json(&req, &raw)?;
    write(&state, &req, &principal, &raw, async |tx| {
        let placed = store::current_placements(tx, kvk.as_str(), state.clock.today()).await?;
        if input.houses_no_one && placed > 0 {
            return Err(Error::Conflict {
                kind: Kind::HousesWorkers,
                detail: format!("The agency has {placed} placements that have not ended; end them first."),
            });
        }
        store::declare(tx, kvk.as_str(), input.houses_no_one, &principal.subject, state.clock.now()).await?;
        let view = json!({ "kvk_number": kvk, "houses_no_one": input.houses_no_one });
        audit::Entry::new(Actor::of(&principal, Role::Agency), "housing.declare", kvk.as_str(), &req.id)
            .after(view.clone())
            .record(tx)
            .await?;
        Ok((StatusCode::OK, view))
    })
    .await
}

/// GET /api/v1/agencies/{kvk}/housing — public, for the agency's standing (asked by the
/// certificates register at certification): whether it declared that it houses no one,
/// and the mark of every building it houses workers in today. No BAG id, no address: where
/// workers live is for those who need to know (see [`list`]).
pub(super) async fn standing(state: AppState, req: Request, kvk: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let kvk = KvkNumber::from_path(&kvk)?;
    let client = state.core.pool.get().await?;
    let used = store::buildings_in_use(&client, kvk.as_str()).await?;
    let declared = store::declaration(&client, kvk.as_str()).await?.unwrap_or(false);
    let buildings: Vec<_> =
        used.iter().map(|(mark, certified)| json!({ "mark_status": mark, "certified": certified })).collect();
    Ok(no_store(json(StatusCode::OK, &json!({ "houses_no_one": declared, "buildings": buildings }))))
}
