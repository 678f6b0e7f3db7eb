//! The housing provider's desk (issue 35, desk 7): its buildings with their marks, the
//! people allowed and the people it last reported, and the provider's whole work on them —
//! register a building, report its rooms (the capacity follows from what an inspector
//! measures), report how many live there now (more than allowed is told to the
//! municipality and the housing inspectors at once, and the page at the door stops saying
//! certified), accept the placements agencies record in it, apply again after a mark ended,
//! and the seal of a certified building on a poster for its door. The provider is the
//! person's organisation (a KvK number); the housing register lists its own buildings only.

use askama::Template;
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use platform::auth::Role;
use platform::error::Error;
use platform::http::{Request, see_other};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::MarkStatus;
use zegel_contracts::housing::BuildingType;
use zegel_contracts::register::Service;

use crate::body::{Poster, Sealed};
use crate::desk::{Choice, Desk, Form, Head, bag_in_path, kvk_org, notice, refused, said, status_of};
use crate::i18n::Lang;
use crate::page::{Chrome, page, page_with};
use crate::registers::Refusal;
use crate::state::AppState;

type Result<T> = std::result::Result<T, Error>;

const ROLE: Role = Role::HousingProvider;

/// Bedroom rows the rooms form offers.
pub const BEDROOM_ROWS: usize = 6;
/// Buildings whose placements the page asks for (one read each).
const PLACEMENTS_OF_AT_MOST: usize = 50;

#[derive(Debug, Deserialize)]
struct Buildings {
    #[serde(default)]
    list: Vec<Listed>,
}

#[derive(Debug, Deserialize)]
struct Listed {
    bag_id: String,
    address: String,
    mark_status: MarkStatus,
    valid_until: Option<DateTime<Utc>>,
    certified: bool,
    allowed: Option<i64>,
    occupancy: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct Placements {
    placements: Vec<PlacementIn>,
}

#[derive(Debug, Deserialize)]
struct PlacementIn {
    placement_id: Uuid,
    kvk_number: String,
    from: NaiveDate,
    to: Option<NaiveDate>,
    accepted_at: Option<DateTime<Utc>>,
}

pub struct Row {
    bag: String,
    address: String,
    mark: String,
    valid_until: String,
    allowed: String,
    people: String,
    certified: bool,
    /// The mark ended: the provider may apply again.
    ended: bool,
    /// Placements waiting for the provider's acceptance: id, and what they say.
    pending: Vec<(Uuid, String)>,
}

#[derive(Template)]
#[template(path = "provider.html")]
struct ProviderPage {
    chrome: Chrome,
    l: Lang,
    head: Head,
    rows: Vec<Row>,
    bedroom_rows: Vec<usize>,
    types: Vec<Choice>,
}

fn count(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_else(|| "–".into())
}

/// The placements in `bag` that wait for the provider: recorded by an agency, not accepted,
/// not ended.
async fn pending(desk: &mut Desk, l: &Lang, bag: &str) -> std::result::Result<Vec<(Uuid, String)>, Refusal> {
    let path = format!("/api/v1/buildings/{bag}/placements");
    let placements: Placements = desk.ask(Service::Housing, (Method::GET, &path), None).await?;
    let today = desk.state.clock.today();
    Ok(placements
        .placements
        .into_iter()
        .filter(|p| p.accepted_at.is_none() && p.to.is_none_or(|to| to >= today))
        .map(|p| {
            (
                p.placement_id,
                format!("{} {} {} {}", l.t("provider-placed-by"), p.kvk_number, l.t("provider-from"), p.from),
            )
        })
        .collect())
}

async fn show(desk: &mut Desk, kvk: &str, status: StatusCode, head: (Option<String>, Vec<String>)) -> Result<Response> {
    let path = format!("/api/v1/providers/{kvk}/buildings");
    let buildings: Buildings = match desk.ask(Service::Housing, (Method::GET, &path), None).await {
        Ok(buildings) => buildings,
        Err(refusal) => return refused(&desk.lang, &refusal),
    };
    let l = desk.lang.clone();
    let mut rows = Vec::new();
    for (i, b) in buildings.list.into_iter().enumerate() {
        let pending = if i < PLACEMENTS_OF_AT_MOST {
            match pending(desk, &l, &b.bag_id).await {
                Ok(pending) => pending,
                Err(refusal) => return refused(&l, &refusal),
            }
        } else {
            Vec::new()
        };
        rows.push(Row {
            mark: l.t(&format!("mark-{}", b.mark_status.as_str())),
            valid_until: b.valid_until.map(|u| platform::clock::dutch_date(u).to_string()).unwrap_or_default(),
            allowed: count(b.allowed),
            people: count(b.occupancy),
            certified: b.certified,
            ended: matches!(b.mark_status, MarkStatus::Revoked | MarkStatus::Expired),
            pending,
            bag: b.bag_id,
            address: b.address,
        });
    }
    let view = ProviderPage {
        chrome: Chrome::at(&l, format!("{} {kvk}", l.t("provider-title")), "/provider".into()),
        head: desk.head("/provider/buildings".into(), head.0, head.1),
        rows,
        bedroom_rows: (0..BEDROOM_ROWS).collect(),
        types: BuildingType::ALL
            .iter()
            .map(|t| Choice { value: t.as_str(), label: l.t(&format!("building-{}", t.as_str())), chosen: false })
            .collect(),
        l: l.clone(),
    };
    page_with(status, &l, view.render())
}

/// What was just done, said on the page it leads back to.
const DONE: [&str; 5] = ["occupancy", "registered", "rooms", "application", "accepted"];

/// GET /provider — the provider's buildings.
pub async fn list(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let (mut desk, kvk) = match Desk::open_for(&state, &req, ROLE, (kvk_org, "provider-no-kvk")).await? {
        Ok(opened) => opened,
        Err(away) => return Ok(away),
    };
    let done = req.param("done").filter(|d| DONE.contains(d)).map(|d| desk.lang.t(&format!("done-provider-{d}")));
    show(&mut desk, &kvk, StatusCode::OK, (done, Vec::new())).await
}

/// The housing register's request of a new building from the form (it judges every field).
fn building_request(form: &Form) -> Value {
    let mut body = Map::new();
    for name in ["bag_id", "street", "postcode", "place", "building_type"] {
        body.insert(name.into(), json!(form.get(name).unwrap_or_default()));
    }
    // A house number that is not a number is sent as typed, for the register to refuse.
    let number = form.get("number").unwrap_or_default();
    body.insert("number".into(), number.parse::<i64>().map(|n| json!(n)).unwrap_or_else(|_| json!(number)));
    if let Some(addition) = form.get("addition") {
        body.insert("addition".into(), json!(addition));
    }
    Value::Object(body)
}

/// POST /provider/buildings — register a building; its mark starts as an application.
pub async fn register(state: AppState, req: Request, _: (), raw: Bytes) -> Result<Response> {
    let (mut desk, form) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let Some(kvk) = kvk_org(desk.org()) else {
        return notice(&desk.lang, StatusCode::FORBIDDEN, desk.lang.t("provider-no-kvk"));
    };
    let body = building_request(&form);
    match desk.ask::<Value>(Service::Housing, (Method::POST, "/api/v1/buildings"), Some(&body)).await {
        Ok(_) => Ok(see_other(&format!("/provider?lang={}&done=registered", desk.lang.code))),
        Err(refusal) => {
            let (status, errors) = (status_of(&refusal), said(&desk.lang, &refusal));
            show(&mut desk, &kvk, status, (None, errors)).await
        }
    }
}

/// The register's call for `action` on building `bag` from the form; or the key of the
/// sentence that says what could not be read.
fn call_of(bag: &str, action: &str, form: &Form) -> std::result::Result<(Method, String, Value), &'static str> {
    let at = |what: &str| format!("/api/v1/buildings/{bag}/{what}");
    match action {
        "occupancy" => match form.get("people").map(str::parse::<i64>) {
            Some(Ok(people)) => Ok((Method::PUT, at("occupancy"), json!({ "people": people }))),
            _ => Err("field-people"),
        },
        "rooms" => match crate::inspector::form::rooms(form, BEDROOM_ROWS)? {
            Some(rooms) => Ok((Method::PUT, at("rooms"), rooms)),
            None => Err("field-living-area"),
        },
        "application" => Ok((Method::POST, at("application"), json!({}))),
        "seal" => Ok((Method::POST, at("seal"), json!({}))),
        _ => Err("no-such-building"),
    }
}

/// POST /provider/buildings/{bag}/{occupancy|rooms|application|seal} — residents or rooms
/// reported, a new application, or the building's seal on a poster.
pub async fn act(state: AppState, req: Request, (bag, action): (String, String), raw: Bytes) -> Result<Response> {
    let (mut desk, form) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let (Some(kvk), Some(bag)) = (kvk_org(desk.org()), bag_in_path(&bag)) else {
        return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("no-such-building"));
    };
    let (method, path, body) = match call_of(bag, &action, &form) {
        Ok(call) => call,
        Err("no-such-building") => return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("no-such-building")),
        Err(key) => {
            let errors = vec![desk.lang.t(key)];
            return show(&mut desk, &kvk, StatusCode::UNPROCESSABLE_ENTITY, (None, errors)).await;
        }
    };
    let answer: std::result::Result<Value, _> = desk.ask(Service::Housing, (method, &path), Some(&body)).await;
    match (answer, action.as_str()) {
        (Ok(sealed), "seal") => {
            let Ok(sealed) = serde_json::from_value::<Sealed>(sealed) else {
                return Err(Error::Corrupt("a seal without its poster fields"));
            };
            let l = desk.lang.clone();
            let subject = (l.t("provider-building-bag"), bag.to_string());
            page(&l, Poster::of(&l, subject, sealed, ("/provider".into(), l.t("back-provider"))).render())
        }
        (Ok(_), done) => Ok(see_other(&format!("/provider?lang={}&done={done}", desk.lang.code))),
        (Err(refusal), _) => {
            let (status, errors) = (status_of(&refusal), said(&desk.lang, &refusal));
            show(&mut desk, &kvk, status, (None, errors)).await
        }
    }
}

/// POST /provider/placements/{id}/acceptance — the provider confirms that an agency houses
/// workers in its building (only then may the agency's body read the building).
pub async fn accept(state: AppState, req: Request, (id, action): (String, String), raw: Bytes) -> Result<Response> {
    let (mut desk, _) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let (Some(kvk), Ok(id), "acceptance") = (kvk_org(desk.org()), Uuid::parse_str(&id), action.as_str()) else {
        return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("provider-no-such-placement"));
    };
    let path = format!("/api/v1/placements/{id}/acceptance");
    match desk.ask::<Value>(Service::Housing, (Method::POST, &path), Some(&json!({}))).await {
        Ok(_) => Ok(see_other(&format!("/provider?lang={}&done=accepted", desk.lang.code))),
        Err(refusal) => {
            let (status, errors) = (status_of(&refusal), said(&desk.lang, &refusal));
            show(&mut desk, &kvk, status, (None, errors)).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_of_the_provider_s_desk_is_translated() {
        let mut keys: Vec<String> = DONE.iter().map(|d| format!("done-provider-{d}")).collect();
        keys.extend(BuildingType::ALL.iter().map(|t| format!("building-{t}")));
        let missing = crate::i18n::untranslated(&keys);
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn the_forms_become_the_register_s_requests() {
        let form = Form::from(
            &[
                ("bag_id", "0983010000000001"),
                ("street", "Kerkstraat"),
                ("number", "7"),
                ("addition", ""),
                ("postcode", "5911 BC"),
                ("place", "Venlo"),
                ("building_type", "dwelling"),
            ][..],
        );
        assert_eq!(
            building_request(&form),
            json!({"bag_id": "0983010000000001", "street": "Kerkstraat", "number": 7, "postcode": "5911 BC",
                "place": "Venlo", "building_type": "dwelling"})
        );
        let rooms = Form::from(&[("bedroom_0", "6,5"), ("bedroom_1", "7"), ("living_area", "40")][..]);
        assert_eq!(
            call_of("0983010000000001", "rooms", &rooms).map(|c| c.2),
            Ok(json!({"bedrooms": [6.5, 7.0], "living_area": 40.0}))
        );
        assert_eq!(call_of("x", "rooms", &Form::default()).map(|c| c.2), Err("field-living-area"));
        assert_eq!(call_of("x", "occupancy", &Form::from(&[("people", "two")][..])).map(|c| c.2), Err("field-people"));
        assert_eq!(call_of("x", "demolition", &Form::default()).map(|c| c.2), Err("no-such-building"));
    }
}
