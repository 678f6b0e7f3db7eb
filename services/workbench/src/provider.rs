//! The housing provider's desk (issue 35, desk 7): its buildings with their marks, the
//! people allowed and the people it last reported; a form per building to report how many
//! live there now (more than allowed is told to the municipality and the housing
//! inspectors at once, and the page at the door stops saying certified); and the seal of a
//! certified building on a poster for its door. The provider is the person's organisation
//! (a KvK number); the housing register lists its own buildings only.

use askama::Template;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use platform::auth::Role;
use platform::error::Error;
use platform::http::{Request, see_other};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::MarkStatus;
use zegel_contracts::register::Service;

use crate::body::{Poster, Sealed};
use crate::desk::{Desk, Head, bag_in_path, kvk_org, notice, refused, said, status_of};
use crate::i18n::Lang;
use crate::page::{Chrome, page, page_with};
use crate::state::AppState;

type Result<T> = std::result::Result<T, Error>;

const ROLE: Role = Role::HousingProvider;

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

pub struct Row {
    bag: String,
    address: String,
    mark: String,
    valid_until: String,
    allowed: String,
    people: String,
    certified: bool,
}

#[derive(Template)]
#[template(path = "provider.html")]
struct ProviderPage {
    chrome: Chrome,
    l: Lang,
    head: Head,
    rows: Vec<Row>,
}

fn count(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_else(|| "–".into())
}

async fn show(desk: &mut Desk, kvk: &str, status: StatusCode, head: (Option<String>, Vec<String>)) -> Result<Response> {
    let path = format!("/api/v1/providers/{kvk}/buildings");
    let buildings: Buildings = match desk.ask(Service::Housing, (Method::GET, &path), None).await {
        Ok(buildings) => buildings,
        Err(refusal) => return refused(&desk.lang, &refusal),
    };
    let l = desk.lang.clone();
    let rows = buildings
        .list
        .into_iter()
        .map(|b| Row {
            mark: l.t(&format!("mark-{}", b.mark_status.as_str())),
            valid_until: b.valid_until.map(|u| platform::clock::dutch_date(u).to_string()).unwrap_or_default(),
            allowed: count(b.allowed),
            people: count(b.occupancy),
            certified: b.certified,
            bag: b.bag_id,
            address: b.address,
        })
        .collect();
    let view = ProviderPage {
        chrome: Chrome::at(&l, format!("{} {kvk}", l.t("provider-title")), "/provider".into()),
        head: desk.head("/provider/buildings".into(), head.0, head.1),
        rows,
        l: l.clone(),
    };
    page_with(status, &l, view.render())
}

/// GET /provider — the provider's buildings.
pub async fn list(state: AppState, req: Request, _: ()) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let (mut desk, kvk) = match Desk::open_for(&state, &req, ROLE, (kvk_org, "provider-no-kvk")).await? {
        Ok(opened) => opened,
        Err(away) => return Ok(away),
    };
    let done = (req.param("done") == Some("occupancy")).then(|| desk.lang.t("done-occupancy"));
    show(&mut desk, &kvk, StatusCode::OK, (done, Vec::new())).await
}

/// POST /provider/buildings/{bag}/{occupancy|seal} — people living there now, reported;
/// or the building's seal on a poster.
pub async fn act(state: AppState, req: Request, (bag, action): (String, String), raw: Bytes) -> Result<Response> {
    let (mut desk, form) = match Desk::posted(&state, &req, ROLE, &raw).await? {
        Ok(posted) => posted,
        Err(away) => return Ok(away),
    };
    let (Some(kvk), Some(bag)) = (kvk_org(desk.org()), bag_in_path(&bag)) else {
        return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("no-such-building"));
    };
    let (call, body) = match action.as_str() {
        "occupancy" => match form.get("people").map(str::parse::<i64>) {
            Some(Ok(people)) => {
                ((Method::PUT, format!("/api/v1/buildings/{bag}/occupancy")), json!({ "people": people }))
            }
            _ => {
                let errors = vec![desk.lang.t("field-people")];
                return show(&mut desk, &kvk, StatusCode::UNPROCESSABLE_ENTITY, (None, errors)).await;
            }
        },
        "seal" => ((Method::POST, format!("/api/v1/buildings/{bag}/seal")), json!({})),
        _ => return notice(&desk.lang, StatusCode::NOT_FOUND, desk.lang.t("no-such-building")),
    };
    let answer: std::result::Result<Value, _> = desk.ask(Service::Housing, (call.0, &call.1), Some(&body)).await;
    match (answer, action.as_str()) {
        (Ok(sealed), "seal") => {
            let Ok(sealed) = serde_json::from_value::<Sealed>(sealed) else {
                return Err(Error::Corrupt("a seal without its poster fields"));
            };
            let l = desk.lang.clone();
            let subject = (l.t("provider-building-bag"), bag.to_string());
            page(&l, Poster::of(&l, subject, sealed, ("/provider".into(), l.t("back-provider"))).render())
        }
        (Ok(_), _) => Ok(see_other(&format!("/provider?lang={}&done=occupancy", desk.lang.code))),
        (Err(refusal), _) => {
            let (status, errors) = (status_of(&refusal), said(&desk.lang, &refusal));
            show(&mut desk, &kvk, status, (None, errors)).await
        }
    }
}
