//! The municipality's view: every building in its territory with its mark, capacity and
//! occupancy, filtered, as JSON or as CSV for its own systems. Its own code only.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
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
    let permits = store::permits_in(&client, &code, state.clock.today()).await?;
    let required = store::permit_required(&client, &code).await?;
    platform::audit::Entry::new(
        platform::audit::Actor::of(&principal, Role::Municipality),
        "municipality.list",
        &code,
        &req.id,
    )
    .after(json!({ "buildings": buildings.len(), "csv": csv }))
    .record(&client)
    .await?;
    let rows: Vec<Value> = buildings.iter().map(|b| row(b, permits.get(&b.building.bag_id))).collect();
    if csv {
        return to_csv(&code, &rows);
    }
    let body = json!({ "municipality": code, "permit_required": required, "count": rows.len(), "buildings": rows });
    Ok(no_store(json(StatusCode::OK, &body)))
}

fn row(b: &Marked, permit: Option<&store::PermitState>) -> Value {
    let x = &b.building;
    let (permit_status, permit_problem) = permit.cloned().unwrap_or_default();
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
        "permit_status": permit_status,
        "permit_problem": permit_problem,
    })
}

const COLUMNS: [&str; 20] = [
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
    "permit_status",
    "permit_problem",
];

fn to_csv(code: &str, rows: &[Value]) -> Result<Response> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |_| Error::Corrupt("csv");
    w.write_record(COLUMNS).map_err(fail)?;
    for v in rows {
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BedsQuery {
    #[serde(default)]
    months: Option<u32>,
}

/// Most months one picture of beds goes back.
const MAX_MONTHS: u32 = 36;

/// The last `n` Dutch calendar months up to `now`, oldest first: each month's first day and
/// the instant it is counted at (its last second; `now` for the month still running).
pub(crate) fn months(now: DateTime<Utc>, n: u32) -> Vec<(NaiveDate, DateTime<Utc>)> {
    let today = platform::clock::dutch_date(now);
    let first = today.with_day(1).unwrap_or(today);
    (0..n)
        .rev()
        .filter_map(|back| {
            let start = first.checked_sub_months(Months::new(back))?;
            let last_day = start.checked_add_months(Months::new(1))?.pred_opt()?;
            let end = platform::clock::end_of_dutch_day(last_day)?.min(now);
            Some((start, end))
        })
        .collect()
}

/// GET /api/v1/municipalities/{code}/beds[?months=12] — the places allowed in buildings
/// with a mark in force and the people living in its buildings at the end of each of the
/// last months (the month still running: now), from the register's history of beds; a
/// month before the history began is said to be uncounted, never shown as zero. Its own
/// code only; counts, no addresses.
pub(super) async fn beds(state: AppState, req: Request, code: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let code = code_from_path(&code)?;
    if !is_municipality(&principal, &code) {
        return Err(Error::Forbidden(format!("Only municipality {code} sees its beds.")));
    }
    let q: BedsQuery = serde_urlencoded::from_str(&req.query)
        .map_err(|e| Error::Client(platform::Problem::bad_request(format!("Bad query: {e}."))))?;
    let n = q.months.unwrap_or(12);
    if !(1..=MAX_MONTHS).contains(&n) {
        return Err(Error::Invalid(vec![platform::problem::FieldError::new(
            "/months",
            format!("1 to {MAX_MONTHS} months"),
        )]));
    }
    let months = months(state.clock.now(), n);
    let at: Vec<DateTime<Utc>> = months.iter().map(|(_, end)| *end).collect();
    let client = state.core.pool.get().await?;
    let since = store::beds_counted_since(&client).await?;
    let counts = store::beds_at(&client, &code, &at).await?;
    let rows: Vec<Value> = months
        .iter()
        .zip(&counts)
        .map(|((start, end), c)| {
            let counted = *end >= since;
            json!({
                "month": start.format("%Y-%m").to_string(),
                "at": end,
                "counted": counted,
                "beds": counted.then_some(c.beds),
                "people": counted.then_some(c.people),
                "certified_buildings": counted.then_some(c.certified),
                "buildings": counted.then_some(c.buildings),
            })
        })
        .collect();
    let body = json!({ "municipality": code, "counted_since": since, "months": rows });
    Ok(no_store(json(StatusCode::OK, &body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_end_at_the_last_dutch_second_and_the_running_one_now() {
        let now = "2026-03-15T10:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let got = months(now, 3);
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            got,
            vec![
                (day("2026-01-01"), at("2026-01-31T22:59:59Z")),
                (day("2026-02-01"), at("2026-02-28T22:59:59Z")),
                (day("2026-03-01"), now),
            ]
        );
        // The first hours of a month in Amsterdam are still the previous month in UTC.
        let new_year = "2026-12-31T23:30:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(months(new_year, 1), vec![(day("2027-01-01"), new_year)]);
        assert_eq!(months(new_year, 13).first().map(|m| m.0), Some(day("2026-01-01")));
    }
}
