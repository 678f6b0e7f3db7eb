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

use crate::domain::{BagId, Norm, Rooms, norm_on};
use crate::state::AppState;
use crate::store::{self, Building, Marked};
use crate::{Error, Result};

pub(crate) use platform::http::authenticate;
pub(crate) use platform::write::write;

pub fn api(state: AppState) -> Routed {
    let s = &state;
    any_of([
        platform::dossier::route(s, zegel_contracts::register::Service::Housing),
        post(fixed(warp::path!("api" / "v1" / "buildings")), s, buildings::register),
        get(warp::path!("api" / "v1" / "buildings" / String), s, buildings::building_get),
        put(warp::path!("api" / "v1" / "buildings" / String / "rooms"), s, buildings::rooms),
        put(warp::path!("api" / "v1" / "buildings" / String / "occupancy"), s, buildings::occupancy),
        post(warp::path!("api" / "v1" / "buildings" / String / "application"), s, buildings::apply),
        get(warp::path!("api" / "v1" / "buildings" / String / "mark"), s, buildings::mark_get),
        get(warp::path!("api" / "v1" / "buildings" / String / "rehousing"), s, buildings::rehousing_get),
        get(warp::path!("api" / "v1" / "municipalities" / String / "rehousing"), s, municipalities::rehousing),
        get(warp::path!("api" / "v1" / "providers" / String / "buildings"), s, buildings::provider_buildings),
        post(warp::path!("api" / "v1" / "buildings" / String / "inspections"), s, inspections::inspect),
        get(fixed(warp::path!("api" / "v1" / "inspections" / "worklist")), s, inspections::worklist),
        post(warp::path!("api" / "v1" / "buildings" / String / "inspection-previews"), s, inspections::preview),
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
        get(warp::path!("api" / "v1" / "municipalities" / String / "beds"), s, municipalities::beds),
        post(warp::path!("api" / "v1" / "agencies" / String / "placements"), s, placements::record),
        get(warp::path!("api" / "v1" / "agencies" / String / "placements"), s, placements::list),
        post(warp::path!("api" / "v1" / "placements" / String / "end"), s, placements::end),
        post(warp::path!("api" / "v1" / "placements" / String / "acceptance"), s, placements::accept),
        get(warp::path!("api" / "v1" / "buildings" / String / "placements"), s, placements::in_building),
        put(warp::path!("api" / "v1" / "agencies" / String / "housing-declaration"), s, placements::declare),
        get(warp::path!("api" / "v1" / "agencies" / String / "housing"), s, placements::standing),
        post(warp::path!("api" / "v1" / "buildings" / String / "seal"), s, seals::issue),
        state.desk.qr_route(&state.core),
        get(warp::path!("api" / "v1" / "buildings" / String / "poster.svg"), s, seals::poster),
        get(warp::path!("api" / "v1" / "buildings" / String / "poster.pdf"), s, seals::poster_pdf),
    ])
}

/// A BAG id from the path (400 when malformed).
pub(crate) fn bag_from_path(raw: &str) -> Result<BagId> {
    BagId::parse(raw, "/path/bag_id")
        .map_err(|e| Error::Client(platform::Problem::bad_request(format!("Malformed BAG id: {}.", e.detail))))
}

pub(crate) async fn found(c: &impl GenericClient, bag: &BagId, lock: bool) -> Result<Marked> {
    store::building(c, bag.as_str(), lock).await?.ok_or_else(|| unseen(bag))
}

/// The answer about a building one may not read: the same 404 as for one that is not
/// registered, so that nobody learns which addresses house migrants by trying BAG ids.
pub(crate) fn unseen(bag: &BagId) -> Error {
    Error::NotFound(format!("No building {bag} is registered, or you may not read it."))
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

/// The capacity of `b` under `norm`, from its rooms as an inspector measured them; `None`
/// until they are measured.
pub(crate) fn measured_capacity(norm: Norm, b: &Marked) -> Option<i32> {
    b.measured.as_ref().map(|(rooms, _)| rooms.capacity(norm, b.building.building_type))
}

/// The norm as words.
/// The number allowed fell below the people living there (a lower permit maximum, rooms
/// measured again, another norm): the municipality and the housing inspectors are told at
/// once, as when a provider reports too many people. Once per crossing, not per change.
pub(crate) async fn capacity_changed(
    tx: &impl deadpool_postgres::GenericClient,
    before: &Marked,
    after: &Marked,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::Result<()> {
    if after.over_allowed() && !before.over_allowed() {
        let (people, allowed) = (after.occupancy.unwrap_or_default(), after.allowed.unwrap_or_default());
        platform::outbox::enqueue(tx, &crate::events::over_capacity(after, people, allowed, now)).await?;
    }
    Ok(())
}

pub(crate) fn norm_text(norm: Option<Norm>) -> Option<&'static str> {
    Some(match norm? {
        Norm::Integrated => "one person per bedroom of at least 5.5 m², at least 15 m² of living area per person",
        Norm::Snf => {
            "SNF norm (transition): 3.5 m² sleeping area per person; 10 m² per person in lodging, 12 m² in a dwelling"
        }
    })
}

/// A building as those who may know where it is see it (its provider, housing inspectors,
/// its municipality): address, type, norm, the rooms as measured and as proposed, the
/// capacity, the mark, occupancy and the tenancy the last sample showed. Never complaints,
/// never deficiencies' details.
pub(crate) fn view(b: &Marked, proposed: Option<&Rooms>, last_inspection: Option<chrono::NaiveDate>) -> Value {
    let x = &b.building;
    let m2 = |a: crate::domain::Area| f64::from(a.hundredths()) / 100.0;
    let rooms = |r: &Rooms| json!({ "bedrooms": r.bedrooms.iter().map(|a| m2(*a)).collect::<Vec<_>>(), "living_area": m2(r.living_area) });
    json!({
        "bag_id": x.bag_id,
        "municipality": x.municipality,
        "address": { "street": x.street, "number": x.number, "addition": x.addition, "postcode": x.postcode, "place": x.place },
        "building_type": x.building_type,
        "provider_kvk": x.provider_kvk,
        "norm": b.norm,
        "norm_text": norm_text(b.norm),
        "measured": b.measured.as_ref().map(|(r, on)| {
            let mut v = rooms(r);
            v["measured_on"] = json!(on);
            v
        }),
        "proposed": proposed.map(rooms),
        "rooms_changed_since_measured": b.rooms_changed_at,
        "bedrooms": b.measured.as_ref().map(|(r, _)| r.bedrooms.len()),
        "capacity": b.capacity,
        "allowed": b.allowed,
        "mark": {
            "status": b.mark_status,
            "since": b.mark_since,
            "valid_until": b.mark_valid_until,
            "last_inspection": last_inspection,
        },
        "occupancy": b.occupancy,
        "over_capacity": b.over_allowed(),
        "tenancy": { "contract_forms": b.contract_forms, "broken": b.tenancy_broken },
    })
}

/// The building `bag` for `principal`, who must be one who may know where it is
/// ([`may_see_address`]); 403 saying `what` otherwise.
pub(crate) async fn for_one_who_knows(
    state: &AppState,
    c: &impl GenericClient,
    principal: &Principal,
    bag: &BagId,
    what: &str,
) -> Result<Marked> {
    let b = found(c, bag, false).await?;
    if may_see_address(c, principal, &b, state.clock.today()).await? {
        Ok(b)
    } else {
        // Who may, said without saying whether the building is registered.
        tracing::debug!(bag = %bag, "not for this caller: only the provider, a housing inspector or the municipality {what}");
        Err(unseen(bag))
    }
}

/// Whether `principal` keeps the record of `b`: its provider, a housing inspector, or its
/// municipality (the mark's history, the placements in it).
pub(crate) fn keeps_record(principal: &Principal, b: &Marked) -> bool {
    principal.acts_for(Role::HousingProvider, &b.building.provider_kvk)
        || principal.has(Role::HousingInspector)
        || is_municipality(principal, &b.building.municipality)
}

/// Whether `principal` may know where `b` is: its provider, a housing inspector, its
/// municipality, or the certification body of an agency that houses workers there on `day`
/// (it assesses that agency's housing). Everyone else learns a building's address only
/// from its own seal.
pub(crate) async fn may_see_address(
    c: &impl GenericClient,
    principal: &Principal,
    b: &Marked,
    day: chrono::NaiveDate,
) -> Result<bool> {
    if keeps_record(principal, b) {
        return Ok(true);
    }
    match principal.org.as_deref() {
        Some(body) if principal.has(Role::CertificationBody) => {
            store::certifies_an_agency_housed_in(c, &b.building.bag_id, body, day).await
        }
        _ => Ok(false),
    }
}
