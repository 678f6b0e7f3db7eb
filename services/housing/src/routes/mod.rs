//! HTTP routes of the housing register.

mod buildings;
mod complaints;
mod inspections;
mod municipalities;
mod permits;
mod placements;
mod seals;

use deadpool_postgres::GenericClient;
use platform::auth::{Principal, Role};
use platform::http::{Routed, any_of, fixed, get, pair, post, put};
use serde_json::{Value, json};

use crate::domain::{Area, BagId, Norm, capacity, norm_on};
use crate::state::AppState;
use crate::store::{self, Building, Marked};
use crate::{Error, Result};

pub(crate) use platform::http::authenticate;
pub(crate) use platform::write::write;

/// Every API route of the service.
pub fn api(state: AppState) -> Routed {
    let s = &state;
    any_of([
        post(fixed(warp::path!("api" / "v1" / "buildings")), s, buildings::register),
        get(warp::path!("api" / "v1" / "buildings" / String), s, buildings::building_get),
        put(warp::path!("api" / "v1" / "buildings" / String / "rooms"), s, buildings::rooms),
        put(warp::path!("api" / "v1" / "buildings" / String / "occupancy"), s, buildings::occupancy),
        post(warp::path!("api" / "v1" / "buildings" / String / "application"), s, buildings::apply),
        get(warp::path!("api" / "v1" / "buildings" / String / "mark"), s, buildings::mark_get),
        get(warp::path!("api" / "v1" / "providers" / String / "buildings"), s, buildings::provider_buildings),
        post(warp::path!("api" / "v1" / "buildings" / String / "inspections"), s, inspections::inspect),
        post(
            pair(warp::path!("api" / "v1" / "buildings" / String / "deficiencies" / String / "resolve")),
            s,
            inspections::resolve,
        ),
        put(warp::path!("api" / "v1" / "buildings" / String / "permit"), s, permits::decide),
        put(warp::path!("api" / "v1" / "municipalities" / String / "permit-requirement"), s, permits::requirement_put),
        post(warp::path!("api" / "v1" / "buildings" / String / "complaints"), s, complaints::complaint_post),
        get(warp::path!("api" / "v1" / "buildings" / String / "complaints"), s, complaints::complaints_get),
        get(warp::path!("api" / "v1" / "municipalities" / String / "buildings"), s, municipalities::list),
        post(warp::path!("api" / "v1" / "agencies" / String / "placements"), s, placements::record),
        get(warp::path!("api" / "v1" / "agencies" / String / "placements"), s, placements::list),
        post(warp::path!("api" / "v1" / "placements" / String / "end"), s, placements::end),
        put(warp::path!("api" / "v1" / "agencies" / String / "housing-declaration"), s, placements::declare),
        get(warp::path!("api" / "v1" / "agencies" / String / "housing"), s, placements::standing),
        post(warp::path!("api" / "v1" / "buildings" / String / "seal"), s, seals::issue),
        state.desk.qr_route(&state.core),
        get(warp::path!("api" / "v1" / "buildings" / String / "poster.svg"), s, seals::poster),
    ])
}

/// A BAG id from the path (400 when malformed).
pub(crate) fn bag_from_path(raw: &str) -> Result<BagId> {
    BagId::parse(raw, "/path/bag_id")
        .map_err(|e| Error::Client(platform::Problem::bad_request(format!("Malformed BAG id: {}.", e.detail))))
}

/// The building, or 404.
pub(crate) async fn found(c: &impl GenericClient, bag: &BagId, lock: bool) -> Result<Marked> {
    store::building(c, bag.as_str(), lock)
        .await?
        .ok_or_else(|| Error::NotFound(format!("No building {bag} is registered.")))
}

/// Text from outside (one checker for the whole suite).
pub(crate) use platform::http::bounded_text as text;

/// Whether the caller is the municipality the building (or code) belongs to.
pub(crate) fn is_municipality(principal: &Principal, code: &str) -> bool {
    principal.acts_for(Role::Municipality, code)
}

/// The norm in force for `b` today.
pub(crate) fn norm_for(state: &AppState, b: &Building) -> Norm {
    norm_on(b.registered_on, state.settings.integrated_from, state.settings.transition_ends, state.clock.today())
}

/// The capacity of `b` under `norm` with these bedrooms; `None` until rooms are reported.
pub(crate) fn capacity_of(norm: Norm, b: &Building, bedrooms: &[i32]) -> Option<i32> {
    let areas: Vec<Area> = bedrooms.iter().map(|a| Area::from_hundredths(u32::try_from(*a).unwrap_or(0))).collect();
    b.living_area.map(|l| {
        let c = capacity(norm, b.building_type, &areas, Area::from_hundredths(u32::try_from(l).unwrap_or(0)));
        i32::try_from(c).unwrap_or(i32::MAX)
    })
}

/// The norm as words.
pub(crate) fn norm_text(norm: Option<Norm>) -> Option<&'static str> {
    Some(match norm? {
        Norm::Integrated => "one person per bedroom of at least 5.5 m², at least 15 m² of living area per person",
        Norm::Snf => {
            "SNF norm (transition): 3.5 m² sleeping area per person; 10 m² per person in lodging, 12 m² in a dwelling"
        }
    })
}

/// The public view of a building: address, type, norm, capacity, mark, occupancy flag.
/// Never complaints, never deficiencies' details.
pub(crate) fn view(b: &Marked, bedrooms: usize, last_inspection: Option<chrono::NaiveDate>) -> Value {
    let x = &b.building;
    json!({
        "bag_id": x.bag_id,
        "municipality": x.municipality,
        "address": { "street": x.street, "number": x.number, "addition": x.addition, "postcode": x.postcode, "place": x.place },
        "building_type": x.building_type,
        "provider_kvk": x.provider_kvk,
        "norm": b.norm,
        "norm_text": norm_text(b.norm),
        "bedrooms": bedrooms,
        "living_area_m2": x.living_area.map(|l| f64::from(l) / 100.0),
        "capacity": b.capacity,
        "mark": {
            "status": b.mark_status,
            "since": b.mark_since,
            "valid_until": b.mark_valid_until,
            "last_inspection": last_inspection,
        },
        "occupancy": b.occupancy,
        "over_capacity": matches!((b.occupancy, b.capacity), (Some(o), Some(c)) if o > c),
    })
}
