//! Buildings: registration by the housing provider, rooms and the capacity they give,
//! occupancy, a new application after a mark ended, and the public views (one building,
//! and every building of a provider — what the certificates register and hirers ask).

use bytes::Bytes;
use chrono::{Datelike, NaiveDate};
use platform::audit::{self, Actor};
use platform::auth::{Principal, Role};
use platform::http::{Request, json, no_store, parse_json};
use platform::problem::FieldError;
use serde::Deserialize;
use serde_json::{Value, json};
use warp::http::StatusCode;
use warp::reply::Response;

use super::{authenticate, bag_from_path, for_one_who_knows, found, norm_for, text, view, write};
use crate::domain::{BagId, BuildingType, MarkAction, Postcode, Rooms};
use crate::register::{self, Change};
use crate::state::AppState;
use crate::store::{self, Building, Marked};
use crate::{Error, Result, events, rehousing};

/// Most people one building may report.
const MAX_OCCUPANCY: i32 = 10_000;

/// The building as stored now, for those who may know where it is.
async fn building_view(c: &impl deadpool_postgres::GenericClient, bag: &BagId) -> Result<Value> {
    let b = found(c, bag, false).await?;
    let proposed = store::proposed_rooms(c, bag.as_str()).await?;
    let last = store::last_inspection(c, bag.as_str()).await?;
    Ok(view(&b, proposed.as_ref(), last))
}

fn provider_of(b: &Marked, principal: &Principal) -> bool {
    principal.acts_for(Role::HousingProvider, &b.building.provider_kvk)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BuildingIn {
    bag_id: String,
    street: String,
    number: i32,
    #[serde(default)]
    addition: Option<String>,
    postcode: String,
    place: String,
    building_type: BuildingType,
}

/// POST /api/v1/buildings — a housing provider registers a building it offers; its mark
/// starts as an application.
pub(super) async fn register(state: AppState, req: Request, _: (), raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let provider = match (principal.has(Role::HousingProvider), principal.org.as_deref()) {
        (true, Some(org)) => platform::ids::KvkNumber::parse(org, "/org")
            .map_err(|_| Error::Forbidden("The token's org is not a KvK number.".into()))?,
        _ => {
            return Err(Error::Forbidden("Only a housing provider (org = its KvK number) registers buildings.".into()));
        }
    };
    let input: BuildingIn = parse_json(&req, &raw)?;
    let mut errors = Vec::new();
    let bag = BagId::parse(&input.bag_id, "/bag_id").map_err(|e| errors.push(e)).ok();
    let street = text(&input.street, "/street", 200, false).map_err(|e| errors.push(e)).ok();
    let place = text(&input.place, "/place", 100, false).map_err(|e| errors.push(e)).ok();
    let postcode = Postcode::parse(&input.postcode, "/postcode").map_err(|e| errors.push(e)).ok();
    let addition = input
        .addition
        .as_deref()
        .map(|a| text(a, "/addition", 20, false))
        .transpose()
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    if !(1..=99_999).contains(&input.number) {
        errors.push(FieldError::new("/number", "a house number is 1 to 99999"));
    }
    let (Some(bag), Some(street), Some(place), Some(postcode), true) =
        (bag, street, place, postcode, errors.is_empty())
    else {
        return Err(Error::Invalid(errors));
    };
    let building = Building {
        bag_id: bag.as_str().into(),
        municipality: bag.municipality().into(),
        provider_kvk: provider.as_str().into(),
        street,
        number: input.number,
        addition,
        postcode: postcode.as_str().into(),
        place,
        building_type: input.building_type,
        registered_on: state.clock.today(),
        living_area: None,
    };
    let norm = norm_for(&state, &building);
    write(&state, &req, &principal, &raw, async |tx| {
        store::insert_building(tx, &building, norm, state.clock.now()).await?;
        audit::Entry::new(Actor::of(&principal, Role::HousingProvider), "building.register", &building.bag_id, &req.id)
            .after(serde_json::to_value(&building).ok())
            .record(tx)
            .await?;
        Ok((StatusCode::CREATED, building_view(tx, &bag).await?))
    })
    .await
}

/// GET /api/v1/buildings/{bag_id} — the building with its address, for its provider,
/// housing inspectors and its municipality. Anyone else learns a building's address only
/// from its own seal (the page at the door); a BAG id alone tells nothing.
pub(super) async fn building_get(state: AppState, req: Request, bag_id: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let bag = bag_from_path(&bag_id)?;
    let client = state.core.pool.get().await?;
    for_one_who_knows(&state, &client, &principal, &bag, "sees where a building is").await?;
    Ok(no_store(json(StatusCode::OK, &building_view(&client, &bag).await?)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoomsIn {
    /// Floor area of each bedroom, m² (two decimals at most).
    bedrooms: Vec<Value>,
    /// Total living area including the bedrooms, m².
    living_area: Value,
}

/// PUT /api/v1/buildings/{bag_id}/rooms — the building's own provider proposes its rooms.
/// The capacity comes from what an inspector measures; rooms other than those measured
/// suspend a certified mark until they are measured again.
pub(super) async fn rooms(state: AppState, req: Request, bag_id: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::HousingProvider], "Only the building's housing provider reports its rooms.")?;
    let bag = bag_from_path(&bag_id)?;
    let input: RoomsIn = parse_json(&req, &raw)?;
    let rooms = Rooms::parse(&input.bedrooms, &input.living_area, "").map_err(Error::Invalid)?;
    write(&state, &req, &principal, &raw, async |tx| {
        let b = found(tx, &bag, true).await?;
        if !provider_of(&b, &principal) {
            return Err(super::unseen(&bag));
        }
        let now = state.clock.now();
        let changed = b.measured.as_ref().is_some_and(|(measured, _)| *measured != rooms);
        store::propose_rooms(tx, bag.as_str(), &rooms, changed.then_some(now)).await?;
        let status = if changed {
            let change = Change { actor: Actor::of(&principal, Role::HousingProvider), request_id: &req.id, now };
            register::apply(tx, &b, MarkAction::RoomsChanged, &change).await?
        } else {
            b.mark_status
        };
        let (bedrooms, living_area) = rooms.to_stored();
        audit::Entry::new(Actor::of(&principal, Role::HousingProvider), "building.rooms", bag.as_str(), &req.id)
            .reason(changed.then(|| "other rooms than the inspector measured".to_string()))
            .before(json!({ "mark_status": b.mark_status }))
            .after(json!({ "bedrooms": bedrooms, "living_area": living_area, "mark_status": status }))
            .record(tx)
            .await?;
        Ok((StatusCode::OK, building_view(tx, &bag).await?))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OccupancyIn {
    people: i32,
}

/// PUT /api/v1/buildings/{bag_id}/occupancy — the provider reports how many people live
/// there; above capacity the municipality and the housing inspector are told.
pub(super) async fn occupancy(state: AppState, req: Request, bag_id: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::HousingProvider], "Only the building's housing provider reports its occupancy.")?;
    let bag = bag_from_path(&bag_id)?;
    let input: OccupancyIn = parse_json(&req, &raw)?;
    if !(0..=MAX_OCCUPANCY).contains(&input.people) {
        return Err(FieldError::new("/people", format!("0 to {MAX_OCCUPANCY} people")).into());
    }
    write(&state, &req, &principal, &raw, async |tx| {
        let b = found(tx, &bag, true).await?;
        if !provider_of(&b, &principal) {
            return Err(super::unseen(&bag));
        }
        let (now, today) = (state.clock.now(), state.clock.today());
        let occupied_since = season_start(b.occupied_since, input.people, today);
        store::set_occupancy(tx, bag.as_str(), input.people, occupied_since, now).await?;
        // More people than the capacity or the permit allows, whichever is less.
        let over = b.allowed.filter(|allowed| input.people > *allowed);
        audit::Entry::new(Actor::of(&principal, Role::HousingProvider), "building.occupancy", bag.as_str(), &req.id)
            .reason(over.map(|_| "more people than the capacity or the permit allows".to_string()))
            .before(json!({ "occupancy": b.occupancy }))
            .after(json!({ "occupancy": input.people, "capacity": b.capacity, "allowed": b.allowed }))
            .publishes_all(over.map(|allowed| events::over_capacity(&b, input.people, allowed, now)))
            .record(tx)
            .await?;
        if input.people == 0 {
            rehousing::close(tx, &b, rehousing::Closed::Empty, now).await?;
        } else {
            // People moved into a mobile unit out of season, or where the permit is not in force.
            rehousing::check(tx, bag.as_str(), now).await?;
        }
        Ok((StatusCode::OK, building_view(tx, &bag).await?))
    })
    .await
}

/// When this season's occupancy started, after `people` were reported on `today`: the
/// first report of people in a year starts it, and nothing reported later in the same year
/// starts it again — not even an empty building in between (a mobile unit may be lived in
/// for 4 months a season, not 4 months after each report of 0).
fn season_start(since: Option<NaiveDate>, people: i32, today: NaiveDate) -> Option<NaiveDate> {
    match since {
        Some(since) if since.year() == today.year() => Some(since),
        _ if people > 0 => Some(today),
        _ => None,
    }
}

/// POST /api/v1/buildings/{bag_id}/application — after a mark was revoked or expired, the
/// provider applies again: a new mark, which old seals never attest.
pub(super) async fn apply(state: AppState, req: Request, bag_id: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::HousingProvider], "Only the building's housing provider applies for its mark.")?;
    let bag = bag_from_path(&bag_id)?;
    if !raw.is_empty() {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Empty {}
        let _: Empty = parse_json(&req, &raw)?;
    }
    write(&state, &req, &principal, &raw, async |tx| {
        let b = found(tx, &bag, true).await?;
        if !provider_of(&b, &principal) {
            return Err(super::unseen(&bag));
        }
        let change =
            Change { actor: Actor::of(&principal, Role::HousingProvider), request_id: &req.id, now: state.clock.now() };
        register::apply(tx, &b, MarkAction::Reapply, &change).await?;
        Ok((StatusCode::CREATED, building_view(tx, &bag).await?))
    })
    .await
}

/// GET /api/v1/buildings/{bag_id}/rehousing — the building's rehousing cases (4.3 E), for
/// its provider (who owes the rehousing), housing inspectors and its municipality.
pub(super) async fn rehousing_get(state: AppState, req: Request, bag_id: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let bag = bag_from_path(&bag_id)?;
    let client = state.core.pool.get().await?;
    for_one_who_knows(&state, &client, &principal, &bag, "sees the building's rehousing").await?;
    let cases = store::rehousing_of(&client, bag.as_str()).await?;
    Ok(no_store(json(StatusCode::OK, &json!({ "bag_id": bag.as_str(), "cases": cases }))))
}

/// GET /api/v1/buildings/{bag_id}/mark — the mark's history and the deficiencies, for the
/// provider, the housing inspector and the building's municipality.
pub(super) async fn mark_get(state: AppState, req: Request, bag_id: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let bag = bag_from_path(&bag_id)?;
    let client = state.core.pool.get().await?;
    let b = found(&client, &bag, false).await?;
    if !super::keeps_record(&principal, &b) {
        return Err(super::unseen(&bag));
    }
    let history = store::mark_history(&client, bag.as_str()).await?;
    let deficiencies = store::deficiencies(&client, bag.as_str()).await?;
    let permit = store::permit(&client, bag.as_str()).await?;
    let permit_required = store::permit_required(&client, &b.building.municipality).await?;
    Ok(no_store(json(
        StatusCode::OK,
        &json!({
            "bag_id": bag.as_str(),
            "mark_id": b.mark_id,
            "status": b.mark_status,
            "valid_until": b.mark_valid_until,
            "history": history,
            "deficiencies": deficiencies,
            "permit_required": permit_required,
            "permit": permit,
        }),
    )))
}

/// GET /api/v1/providers/{kvk}/buildings — how many buildings a provider offers and how
/// their marks stand. Public as counts only: where migrants live is not for everyone. The
/// provider itself and housing inspectors get the list with addresses.
pub(super) async fn provider_buildings(state: AppState, req: Request, kvk: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let kvk = platform::ids::KvkNumber::parse(&kvk, "/path/kvk")
        .map_err(|e| Error::Client(platform::Problem::bad_request(format!("Malformed KvK number: {}.", e.detail))))?;
    // A token is optional here; one that is sent must be good.
    let principal = match req.authorization {
        Some(_) => Some(authenticate(&state, &req)?),
        None => None,
    };
    let listed = principal
        .as_ref()
        .is_some_and(|p| p.acts_for(Role::HousingProvider, kvk.as_str()) || p.has(Role::HousingInspector));
    let client = state.core.pool.get().await?;
    let now = state.clock.now();
    let buildings = store::buildings_of(&client, kvk.as_str()).await?;
    let certified = |b: &Marked| b.certified_until(now).is_some();
    let mut by_status = serde_json::Map::new();
    for b in &buildings {
        let n = by_status.entry(b.mark_status.as_str()).or_insert(json!(0));
        *n = json!(n.as_u64().unwrap_or(0) + 1);
    }
    let mut body = json!({
        "provider_kvk": kvk.as_str(),
        "buildings": buildings.len(),
        "certified": buildings.iter().filter(|b| certified(b)).count(),
        "by_mark_status": by_status,
        "all_certified": buildings.iter().all(certified),
        "checked_at": now,
    });
    if listed {
        body["list"] = buildings
            .iter()
            .map(|b| {
                json!({
                    "bag_id": b.building.bag_id,
                    "address": format!("{}, {}", b.building.street_line(), b.building.place_line()),
                    "mark_status": b.mark_status,
                    "valid_until": b.mark_valid_until,
                    "certified": certified(b),
                    "capacity": b.capacity,
                    "allowed": b.allowed,
                    "occupancy": b.occupancy,
                    "mark_since": b.mark_since,
                })
            })
            .collect();
    }
    Ok(no_store(json(StatusCode::OK, &body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_else(|_| unreachable!("test date"))
    }

    #[test]
    fn the_season_starts_with_the_first_people_and_nothing_restarts_it_that_year() {
        assert_eq!(season_start(None, 0, d("2026-04-01")), None, "empty, nothing started");
        assert_eq!(season_start(None, 4, d("2026-04-01")), Some(d("2026-04-01")), "first people");
        let since = Some(d("2026-04-01"));
        assert_eq!(season_start(since, 0, d("2026-06-01")), since, "an empty report in between restarts nothing");
        assert_eq!(season_start(since, 4, d("2026-06-02")), since, "people again the same season");
        assert_eq!(season_start(since, 4, d("2027-04-01")), Some(d("2027-04-01")), "a new year, a new season");
        assert_eq!(season_start(since, 0, d("2027-04-01")), None, "last year's season is over");
    }
}
