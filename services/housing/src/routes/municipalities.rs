//! The municipality's view: every building in its territory with its mark, capacity and
//! occupancy, filtered, as JSON or as CSV for its own systems. Its own code only.

use platform::auth::Role;
use platform::http::{Request, json, no_store};
use serde::Deserialize;
use serde_json::{Value, json};
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response;

use super::{authenticate, is_municipality};
use crate::domain::{BuildingType, MarkStatus};
use crate::state::AppState;
use crate::store::{self, ListFilter, Marked};
use crate::{Error, Result};

/// A CBS municipality code from the path (4 digits; 400 otherwise).
pub(crate) fn code_from_path(raw: &str) -> Result<String> {
    if raw.len() == 4 && raw.bytes().all(|b| b.is_ascii_digit()) {
        Ok(raw.to_string())
    } else {
        Err(Error::Client(platform::Problem::bad_request("Malformed municipality code: expected 4 digits (CBS).")))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Query {
    #[serde(default)]
    mark_status: Option<MarkStatus>,
    #[serde(default)]
    building_type: Option<BuildingType>,
    #[serde(default)]
    over_capacity: Option<bool>,
    #[serde(default)]
    provider_kvk: Option<String>,
    #[serde(default)]
    format: Option<String>,
}

/// GET /api/v1/municipalities/{code}/rehousing — the rehousing cases open in the
/// municipality (4.3 E), oldest deadline first, for the municipality and housing inspectors.
pub(super) async fn rehousing(state: AppState, req: Request, code: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let code = code_from_path(&code)?;
    if !(is_municipality(&principal, &code) || principal.has(Role::HousingInspector)) {
        return Err(Error::Forbidden(format!("Only municipality {code} and housing inspectors see its rehousing.")));
    }
    let client = state.core.pool.get().await?;
    let today = state.clock.today();
    let mut cases = Vec::new();
    for case in store::open_rehousing_in(&client, &code).await? {
        let address = store::building(&client, &case.bag_id, false)
            .await?
            .map(|b| format!("{}, {}", b.building.street_line(), b.building.place_line()));
        let mut v = serde_json::to_value(&case).map_err(|_| Error::Corrupt("rehousing case"))?;
        v["address"] = json!(address);
        v["overdue"] = json!(case.deadline < today);
        cases.push(v);
    }
    Ok(no_store(json(StatusCode::OK, &json!({ "municipality": code, "open": cases.len(), "cases": cases }))))
}

/// GET /api/v1/municipalities/{code}/buildings[?mark_status=&building_type=&over_capacity=&provider_kvk=&format=csv]
pub(super) async fn list(state: AppState, req: Request, code: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let code = code_from_path(&code)?;
    if !is_municipality(&principal, &code) {
        return Err(Error::Forbidden(format!("Only municipality {code} sees its list.")));
    }
    let q: Query = serde_urlencoded::from_str(&req.query)
        .map_err(|e| Error::Client(platform::Problem::bad_request(format!("Bad query: {e}."))))?;
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(Error::Client(platform::Problem::bad_request("format is json or csv."))),
    };
    if let Some(kvk) = &q.provider_kvk {
        platform::ids::KvkNumber::parse(kvk, "/provider_kvk")
            .map_err(|e| Error::Client(platform::Problem::bad_request(format!("provider_kvk: {}.", e.detail))))?;
    }
    let filter = ListFilter {
        mark_status: q.mark_status,
        building_type: q.building_type,
        over_capacity: q.over_capacity,
        provider_kvk: q.provider_kvk,
    };
    let client = state.core.pool.get().await?;
    let buildings = store::buildings_in(&client, &code, &filter).await?;
    platform::audit::Entry::new(
        platform::audit::Actor::of(&principal, Role::Municipality),
        "municipality.list",
        &code,
        &req.id,
    )
    .after(json!({ "buildings": buildings.len(), "csv": csv }))
    .record(&client)
    .await?;
    if csv {
        return to_csv(&code, &buildings);
    }
    let rows: Vec<Value> = buildings.iter().map(row).collect();
    Ok(no_store(json(StatusCode::OK, &json!({ "municipality": code, "count": rows.len(), "buildings": rows }))))
}

fn row(b: &Marked) -> Value {
    let x = &b.building;
    json!({
        "bag_id": x.bag_id,
        "street": x.street,
        "number": x.number,
        "addition": x.addition,
        "postcode": x.postcode,
        "place": x.place,
        "building_type": x.building_type,
        "provider_kvk": x.provider_kvk,
        "mark_status": b.mark_status,
        "mark_valid_until": b.mark_valid_until,
        "norm": b.norm,
        "capacity": b.capacity,
        "allowed": b.allowed,
        "occupancy": b.occupancy,
        "over_capacity": b.over_allowed(),
        "rooms_changed": b.rooms_changed_at.is_some(),
        "contract_forms": b.contract_forms.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(" "),
        "tenancy_broken": b.tenancy_broken.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" "),
    })
}

const COLUMNS: [&str; 18] = [
    "bag_id",
    "street",
    "number",
    "addition",
    "postcode",
    "place",
    "building_type",
    "provider_kvk",
    "mark_status",
    "mark_valid_until",
    "norm",
    "capacity",
    "allowed",
    "occupancy",
    "over_capacity",
    "rooms_changed",
    "contract_forms",
    "tenancy_broken",
];

fn to_csv(code: &str, buildings: &[Marked]) -> Result<Response> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |_| Error::Corrupt("csv");
    w.write_record(COLUMNS).map_err(fail)?;
    for b in buildings {
        let v = row(b);
        let cells: Vec<String> = COLUMNS
            .iter()
            .map(|c| match &v[*c] {
                Value::Null => String::new(),
                // A cell a spreadsheet would run as a formula is quoted (CSV injection).
                Value::String(s) if s.starts_with(['=', '+', '-', '@']) => format!("'{s}"),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        w.write_record(&cells).map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|_| Error::Corrupt("csv"))?;
    let mut res = Response::new(bytes.into());
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"buildings-{code}.csv\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(no_store(res))
}
