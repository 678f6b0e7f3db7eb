//! Buildings: registration by the housing provider, rooms, and the public view with the
//! capacity the norm in force allows.

use bytes::Bytes;
use platform::audit::{self, Actor};
use platform::auth::Role;
use platform::http::{Request, body, json, no_store, parse_json, request, with_state};
use platform::problem::FieldError;
use serde::Deserialize;
use serde_json::{Value, json};
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::StatusCode;
use warp::reply::Response;

use super::{authenticate, finish, write};
use crate::domain::{Area, BagId, BuildingType, Norm, Postcode, capacity, norm_on};
use crate::startup::AppState;
use crate::store::{self, Building};
use crate::{Error, Result};

/// Most bedrooms one building may report.
const MAX_BEDROOMS: usize = 500;

pub(super) fn routes(state: AppState) -> BoxedFilter<(Response,)> {
    buildings_create(state.clone()).or(building_get(state.clone())).unify().or(rooms_put(state)).unify().boxed()
}

fn text(raw: &str, pointer: &str, max: usize) -> std::result::Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
        Err(FieldError::new(pointer, format!("1 to {max} characters, no control characters")))
    } else {
        Ok(t.to_string())
    }
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

/// POST /api/v1/buildings — a housing provider registers a building it offers.
fn buildings_create(state: AppState) -> BoxedFilter<(Response,)> {
    warp::path!("api" / "v1" / "buildings")
        .and(warp::post())
        .and(request())
        .and(body())
        .and(with_state(state))
        .then(|req: Request, body: Bytes, state: AppState| async move {
            let result = register(&state, &req, &body).await;
            finish(&req, result)
        })
        .boxed()
}

async fn register(state: &AppState, req: &Request, raw: &Bytes) -> Result<Response> {
    let principal = authenticate(state, req)?;
    let provider = match (principal.has(Role::HousingProvider), principal.org.as_deref()) {
        (true, Some(org)) => platform::ids::KvkNumber::parse(org, "/org")
            .map_err(|_| Error::Forbidden("The token's org is not a KvK number.".into()))?,
        _ => {
            return Err(Error::Forbidden("Only a housing provider (org = its KvK number) registers buildings.".into()));
        }
    };
    let input: BuildingIn = parse_json(req, raw)?;
    let mut errors = Vec::new();
    let bag = BagId::parse(&input.bag_id, "/bag_id").map_err(|e| errors.push(e)).ok();
    let street = text(&input.street, "/street", 200).map_err(|e| errors.push(e)).ok();
    let place = text(&input.place, "/place", 100).map_err(|e| errors.push(e)).ok();
    let postcode = Postcode::parse(&input.postcode, "/postcode").map_err(|e| errors.push(e)).ok();
    let addition = input
        .addition
        .as_deref()
        .map(|a| text(a, "/addition", 20))
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
        building_type: serde_json::to_value(input.building_type)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        registered_on: state.clock.today(),
        living_area: None,
    };
    write(state, req, &principal, raw, async |tx| {
        store::insert_building(tx, &building).await?;
        audit::record(
            tx,
            &audit::Entry {
                actor: Actor::of(&principal, Role::HousingProvider),
                action: "building.register".into(),
                subject: building.bag_id.clone(),
                reason: None,
                before: None,
                after: serde_json::to_value(&building).ok(),
                request_id: req.id.clone(),
                cause_event_id: None,
            },
        )
        .await?;
        Ok((StatusCode::CREATED, view(state, &building, &[])))
    })
    .await
}

/// The public view: address, type, norm in force and the capacity it allows.
fn view(state: &AppState, b: &Building, bedrooms: &[i32]) -> Value {
    let norm =
        norm_on(b.registered_on, state.settings.integrated_from, state.settings.transition_ends, state.clock.today());
    let building_type: BuildingType = serde_json::from_value(json!(b.building_type)).unwrap_or(BuildingType::Dwelling);
    let areas: Vec<Area> = bedrooms.iter().map(|a| Area::from_hundredths(u32::try_from(*a).unwrap_or(0))).collect();
    let capacity = b
        .living_area
        .map(|l| capacity(norm, building_type, &areas, Area::from_hundredths(u32::try_from(l).unwrap_or(0))));
    json!({
        "bag_id": b.bag_id,
        "municipality": b.municipality,
        "address": { "street": b.street, "number": b.number, "addition": b.addition, "postcode": b.postcode, "place": b.place },
        "building_type": b.building_type,
        "provider_kvk": b.provider_kvk,
        "norm": norm,
        "norm_text": match norm {
            Norm::Integrated => "one person per bedroom of at least 5.5 m², at least 15 m² of living area per person",
            Norm::Snf => "SNF norm (transition): 3.5 m² sleeping area per person; 10 m² per person in lodging, 12 m² in a dwelling",
        },
        "bedrooms": bedrooms.len(),
        "living_area_m2": b.living_area.map(|l| f64::from(l) / 100.0),
        "capacity": capacity,
    })
}

/// GET /api/v1/buildings/{bag_id} — public.
fn building_get(state: AppState) -> BoxedFilter<(Response,)> {
    warp::path!("api" / "v1" / "buildings" / String)
        .and(warp::get())
        .and(request())
        .and(with_state(state))
        .then(|bag_id: String, req: Request, state: AppState| async move {
            let result = async {
                state.core.limiter.check(&req)?;
                let bag = BagId::parse(&bag_id, "/path/bag_id").map_err(|e| {
                    Error::Client(platform::Problem::bad_request(format!("Malformed BAG id: {}.", e.detail)))
                })?;
                let client = state.core.pool.get().await?;
                let b = store::building(&client, bag.as_str(), false)
                    .await?
                    .ok_or_else(|| Error::NotFound(format!("No building {bag} is registered.")))?;
                let bedrooms = store::bedrooms(&client, bag.as_str()).await?;
                Ok(no_store(json(StatusCode::OK, &view(&state, &b, &bedrooms))))
            }
            .await;
            finish(&req, result)
        })
        .boxed()
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
fn rooms_put(state: AppState) -> BoxedFilter<(Response,)> {
    warp::path!("api" / "v1" / "buildings" / String / "rooms")
        .and(warp::put())
        .and(request())
        .and(body())
        .and(with_state(state))
        .then(|bag_id: String, req: Request, body: Bytes, state: AppState| async move {
            let result = rooms(&state, &req, &bag_id, &body).await;
            finish(&req, result)
        })
        .boxed()
}

async fn rooms(state: &AppState, req: &Request, bag_id: &str, raw: &Bytes) -> Result<Response> {
    let principal = authenticate(state, req)?;
    let bag = BagId::parse(bag_id, "/path/bag_id")
        .map_err(|e| Error::Client(platform::Problem::bad_request(format!("Malformed BAG id: {}.", e.detail))))?;
    let input: RoomsIn = parse_json(req, raw)?;
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
    write(state, req, &principal, raw, async |tx| {
        let building = store::building(tx, bag.as_str(), true)
            .await?
            .ok_or_else(|| Error::NotFound(format!("No building {bag} is registered.")))?;
        if !principal.acts_for(Role::HousingProvider, &building.provider_kvk) {
            return Err(Error::Forbidden("Only the building's own housing provider reports its rooms.".into()));
        }
        let areas: Vec<i32> = bedrooms.iter().map(|b| i32::try_from(b.hundredths()).unwrap_or(i32::MAX)).collect();
        let living_h = i32::try_from(living.hundredths()).unwrap_or(i32::MAX);
        store::replace_rooms(tx, bag.as_str(), &areas, living_h).await?;
        let mut after = building.clone();
        after.living_area = Some(living_h);
        let v = view(state, &after, &areas);
        audit::record(
            tx,
            &audit::Entry {
                actor: Actor::of(&principal, Role::HousingProvider),
                action: "building.rooms".into(),
                subject: bag.as_str().into(),
                reason: None,
                before: None,
                after: Some(json!({ "bedrooms": areas, "living_area": living_h, "capacity": v["capacity"] })),
                request_id: req.id.clone(),
                cause_event_id: None,
            },
        )
        .await?;
        Ok((StatusCode::OK, v))
    })
    .await
}
