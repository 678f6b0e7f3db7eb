//! Buildings: registration by the housing provider, rooms and the capacity they give,
//! occupancy, a new application after a mark ended, and the public views (one building,
//! and every building of a provider — what the certificates register and hirers ask).

use bytes::Bytes;
use chrono::Datelike;
use platform::audit::{self, Actor};
use platform::auth::{Principal, Role};
use platform::http::{Request, json, no_store, parse_json};
use platform::problem::FieldError;
use serde::Deserialize;
use serde_json::{Value, json};
use warp::http::StatusCode;
use warp::reply::Response;

use super::{authenticate, bag_from_path, capacity_of, found, is_municipality, norm_for, text, view, write};
use crate::domain::{Area, BagId, BuildingType, MarkAction, Postcode};
use crate::register::{self, Change};
use crate::state::AppState;
use crate::store::{self, Building, Marked};
use crate::{Error, Result, events};

/// Most bedrooms one building may report.
const MAX_BEDROOMS: usize = 500;
/// Most people one building may report.
const MAX_OCCUPANCY: i32 = 10_000;

/// The building's public view as stored now.
async fn public_view(c: &impl deadpool_postgres::GenericClient, bag: &BagId) -> Result<Value> {
    let b = found(c, bag, false).await?;
    let bedrooms = store::bedrooms(c, bag.as_str()).await?.len();
    let last = store::last_inspection(c, bag.as_str()).await?;
    Ok(view(&b, bedrooms, last))
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
        Ok((StatusCode::CREATED, public_view(tx, &bag).await?))
    })
    .await
}

/// GET /api/v1/buildings/{bag_id} — public.
pub(super) async fn building_get(state: AppState, req: Request, bag_id: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let bag = bag_from_path(&bag_id)?;
    let client = state.core.pool.get().await?;
    Ok(no_store(json(StatusCode::OK, &public_view(&client, &bag).await?)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoomsIn {
    /// Floor area of each bedroom, m² (two decimals at most).
    bedrooms: Vec<Value>,
    /// Total living area including the bedrooms, m².
    living_area: Value,
}

/// PUT /api/v1/buildings/{bag_id}/rooms — the building's own provider reports its rooms.
pub(super) async fn rooms(state: AppState, req: Request, bag_id: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::HousingProvider], "Only the building's housing provider reports its rooms.")?;
    let bag = bag_from_path(&bag_id)?;
    let input: RoomsIn = parse_json(&req, &raw)?;
    let mut errors = Vec::new();
    if input.bedrooms.len() > MAX_BEDROOMS {
        errors.push(FieldError::new("/bedrooms", format!("at most {MAX_BEDROOMS} bedrooms")));
    }
    let bedrooms: Vec<Area> = input
        .bedrooms
        .iter()
        .enumerate()
        .filter_map(|(i, v)| Area::parse(v, &format!("/bedrooms/{i}")).map_err(|e| errors.push(e)).ok())
        .collect();
    let living = Area::parse(&input.living_area, "/living_area").map_err(|e| errors.push(e)).ok();
    if let Some(living) = living {
        let sum: u64 = bedrooms.iter().map(|b| u64::from(b.hundredths())).sum();
        if u64::from(living.hundredths()) < sum {
            errors.push(FieldError::new(
                "/living_area",
                "the living area includes the bedrooms, so it is at least their sum",
            ));
        }
    }
    let (Some(living), true) = (living, errors.is_empty()) else { return Err(Error::Invalid(errors)) };
    write(&state, &req, &principal, &raw, async |tx| {
        let mut b = found(tx, &bag, true).await?;
        if !provider_of(&b, &principal) {
            return Err(Error::Forbidden("Only the building's own housing provider reports its rooms.".into()));
        }
        let areas: Vec<i32> = bedrooms.iter().map(|b| i32::try_from(b.hundredths()).unwrap_or(i32::MAX)).collect();
        let living_h = i32::try_from(living.hundredths()).unwrap_or(i32::MAX);
        b.building.living_area = Some(living_h);
        let norm = norm_for(&state, &b.building);
        let capacity = capacity_of(norm, &b.building, &areas).unwrap_or(0);
        store::replace_rooms(tx, bag.as_str(), &areas, living_h, capacity).await?;
        audit::Entry::new(Actor::of(&principal, Role::HousingProvider), "building.rooms", bag.as_str(), &req.id)
            .before(json!({ "capacity": b.capacity }))
            .after(json!({ "bedrooms": areas, "living_area": living_h, "capacity": capacity }))
            .record(tx)
            .await?;
        Ok((StatusCode::OK, public_view(tx, &bag).await?))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OccupancyIn {
    /// People living there now.
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
            return Err(Error::Forbidden("Only the building's own housing provider reports its occupancy.".into()));
        }
        let (now, today) = (state.clock.now(), state.clock.today());
        // A season's occupancy starts with the first report of people in it (mobile units
        // may be lived in for 4 months a season); an empty building ends it.
        let occupied_since = match (input.people, b.occupied_since) {
            (0, _) => None,
            (_, Some(since)) if since.year() == today.year() => Some(since),
            _ => Some(today),
        };
        store::set_occupancy(tx, bag.as_str(), input.people, occupied_since, now).await?;
        let over = b.capacity.filter(|c| input.people > *c);
        if let Some(capacity) = over {
            platform::outbox::enqueue(tx, &events::over_capacity(&b, input.people, capacity, now)).await?;
        }
        audit::Entry::new(Actor::of(&principal, Role::HousingProvider), "building.occupancy", bag.as_str(), &req.id)
            .reason(over.map(|_| "more people than the capacity allows".to_string()))
            .before(json!({ "occupancy": b.occupancy }))
            .after(json!({ "occupancy": input.people, "capacity": b.capacity }))
            .record(tx)
            .await?;
        Ok((StatusCode::OK, public_view(tx, &bag).await?))
    })
    .await
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
            return Err(Error::Forbidden("Only the building's own housing provider applies for its mark.".into()));
        }
        let change =
            Change { actor: Actor::of(&principal, Role::HousingProvider), request_id: &req.id, now: state.clock.now() };
        register::apply(tx, &b, MarkAction::Reapply, &change).await?;
        Ok((StatusCode::CREATED, public_view(tx, &bag).await?))
    })
    .await
}

/// GET /api/v1/buildings/{bag_id}/mark — the mark's history and the deficiencies, for the
/// provider, the housing inspector and the building's municipality.
pub(super) async fn mark_get(state: AppState, req: Request, bag_id: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let bag = bag_from_path(&bag_id)?;
    let client = state.core.pool.get().await?;
    let b = found(&client, &bag, false).await?;
    if !(provider_of(&b, &principal)
        || principal.has(Role::HousingInspector)
        || is_municipality(&principal, &b.building.municipality))
    {
        return Err(Error::Forbidden(
            "Only the provider, a housing inspector or the municipality sees the mark's record.".into(),
        ));
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

/// GET /api/v1/providers/{kvk}/buildings — public: the buildings a provider (an agency
/// that houses its workers) offers and whether every one of them is certified now.
pub(super) async fn provider_buildings(state: AppState, req: Request, kvk: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let kvk = platform::ids::KvkNumber::parse(&kvk, "/path/kvk")
        .map_err(|e| Error::Client(platform::Problem::bad_request(format!("Malformed KvK number: {}.", e.detail))))?;
    let client = state.core.pool.get().await?;
    let now = state.clock.now();
    let buildings = store::buildings_of(&client, kvk.as_str()).await?;
    let certified = |b: &Marked| b.certified_until(now).is_some();
    let list: Vec<Value> = buildings
        .iter()
        .map(|b| {
            json!({
                "bag_id": b.building.bag_id,
                "address": format!("{}, {}", b.building.street_line(), b.building.place_line()),
                "mark_status": b.mark_status,
                "valid_until": b.mark_valid_until,
                "certified": certified(b),
                "capacity": b.capacity,
                "mark_since": b.mark_since,
            })
        })
        .collect();
    Ok(no_store(json(
        StatusCode::OK,
        &json!({
            "provider_kvk": kvk.as_str(),
            "buildings": list,
            "all_certified": buildings.iter().all(certified),
            "checked_at": now,
        }),
    )))
}
