//! Seals of certified buildings, their QR codes, and the A4 poster for the door: the QR
//! code large, the address, the capacity and "scan to check" in the languages of the page.

use bytes::Bytes;
use platform::audit::Actor;
use platform::auth::Role;
use platform::http::{Request, body, request, with_state};
use platform::problem::Kind;
use serde_json::json;
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response;
use zegel_attest::Order;
use zegel_attest::desk::{not_issued, nothing_said};
use zegel_attest::qr;

use super::{authenticate, bag_from_path, finish, found, write};
use crate::state::AppState;
use crate::store::{self, Marked};
use crate::{Error, Result};

pub(super) fn routes(state: AppState) -> BoxedFilter<(Response,)> {
    seal_post(state.clone()).or(state.desk.qr_route(&state.core)).unify().or(poster(state)).unify().boxed()
}

/// POST /api/v1/buildings/{bag_id}/seal — the provider or a housing inspector.
fn seal_post(state: AppState) -> BoxedFilter<(Response,)> {
    warp::path!("api" / "v1" / "buildings" / String / "seal")
        .and(warp::post())
        .and(request())
        .and(body())
        .and(with_state(state))
        .then(|bag_id: String, req: Request, body: Bytes, state: AppState| async move {
            let result = issue(&state, &req, &bag_id, &body).await;
            finish(&req, result)
        })
        .boxed()
}

async fn issue(state: &AppState, req: &Request, bag_id: &str, raw: &Bytes) -> Result<Response> {
    let principal = authenticate(state, req)?;
    let bag = bag_from_path(bag_id)?;
    nothing_said(req, raw)?;
    write(state, req, &principal, raw, async |tx| {
        let b = found(tx, &bag, false).await?;
        let role = if principal.acts_for(Role::HousingProvider, &b.building.provider_kvk) {
            Role::HousingProvider
        } else if principal.has(Role::HousingInspector) {
            Role::HousingInspector
        } else {
            return Err(Error::Forbidden(
                "Only the building's provider or a housing inspector requests its seal.".into(),
            ));
        };
        let now = state.clock.now();
        let Some(valid_until) = b.certified_until(now) else {
            return Err(Error::Conflict {
                kind: Kind::BuildingNotCertified,
                detail: format!("A seal needs a certified mark within its year; this one is {}.", b.mark_status),
            });
        };
        // The capacity travels in the seal as a display fact; the lookup shows the live one.
        let order = Order {
            subject: bag.as_str(),
            attests: Some(b.mark_id),
            until: Some(valid_until),
            facts: [("cap".to_string(), json!(b.capacity))].into(),
            actor: Actor::of(&principal, role),
            action: "building.seal.issue",
            audit_subject: bag.as_str(),
            request_id: &req.id,
            now,
        };
        let mut body = state.desk.issue(tx, order).await?.view()?;
        body["poster_url"] = json!(format!("/api/v1/buildings/{}/poster.svg", bag.as_str()));
        Ok((StatusCode::CREATED, body))
    })
    .await
}

/// "Scan to check" in every language of the building page, in the order of its switch.
/// (The page itself is translated with Fluent resource files in the lookup; these eight
/// short lines are the only words on the poster.)
const SCAN_TO_CHECK: [(&str, &str); 8] = [
    ("nl", "Scan om te controleren of dit gebouw gecertificeerd is"),
    ("en", "Scan to check whether this building is certified"),
    ("pl", "Zeskanuj, aby sprawdzić, czy ten budynek ma certyfikat"),
    ("ro", "Scanați pentru a verifica dacă această clădire este certificată"),
    ("bg", "Сканирайте, за да проверите дали сградата е сертифицирана"),
    ("es", "Escanee para comprobar si este edificio está certificado"),
    ("lt", "Nuskenuokite ir patikrinkite, ar šis pastatas sertifikuotas"),
    ("hu", "Szkennelje be, és ellenőrizze, hogy az épület tanúsított-e"),
];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The poster as an A4 SVG (millimetres).
pub(crate) fn poster_svg(b: &Marked, seal_url: &str) -> Result<String> {
    let (qr, side) = qr::svg_content(seal_url).map_err(not_issued)?;
    let x = &b.building;
    let (address, place) = (x.street_line(), x.place_line());
    let capacity = b.capacity.map(|c| c.to_string()).unwrap_or_else(|| "?".into());
    // The QR code 150 mm wide, centred: readable from a metre away in a dim hallway.
    let scale = 150.0 / f64::from(side.max(1));
    let mut lines = String::new();
    for (i, (lang, text)) in SCAN_TO_CHECK.iter().enumerate() {
        lines.push_str(&format!(
            r#"<text x="105" y="{}" font-size="5" text-anchor="middle" xml:lang="{lang}">{}</text>"#,
            222 + i * 8,
            escape(text)
        ));
    }
    Ok(format!(
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297" font-family="DejaVu Sans, Arial, sans-serif">
<rect width="210" height="297" fill="#fff"/>
<text x="105" y="22" font-size="11" font-weight="bold" text-anchor="middle">{address}</text>
<text x="105" y="33" font-size="8" text-anchor="middle">{place}</text>
<text x="105" y="48" font-size="9" text-anchor="middle">Max. {capacity} pers.  ·  BAG {bag}</text>
<g transform="translate(30 55) scale({scale:.5})">{qr}</g>
{lines}
<text x="105" y="290" font-size="3.5" text-anchor="middle" fill="#444">Zegel · {url}</text>
</svg>
"##,
        address = escape(&address),
        place = escape(&place),
        bag = x.bag_id,
        url = escape(seal_url.split("/v/").next().unwrap_or_default()),
    ))
}

/// GET /api/v1/buildings/{bag_id}/poster.svg — public: it holds nothing the door does not.
fn poster(state: AppState) -> BoxedFilter<(Response,)> {
    warp::path!("api" / "v1" / "buildings" / String / "poster.svg")
        .and(warp::get())
        .and(request())
        .and(with_state(state))
        .then(|bag_id: String, req: Request, state: AppState| async move {
            let result: Result<_> = async {
                state.core.limiter.check(&req)?;
                let bag = bag_from_path(&bag_id)?;
                let client = state.core.pool.get().await?;
                let b = found(&client, &bag, false).await?;
                let token = store::current_seal(&client, bag.as_str(), state.clock.now()).await?.ok_or_else(|| {
                    Error::Conflict {
                        kind: Kind::NoSeal,
                        detail: "The building's current mark has no unexpired seal; request one first.".into(),
                    }
                })?;
                let svg = poster_svg(&b, &state.desk.link(&token))?;
                let mut res = Response::new(svg.into());
                res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
                res.headers_mut().insert(
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("inline; filename=\"zegel-poster.svg\""),
                );
                Ok(platform::http::no_store(res))
            }
            .await;
            finish(&req, result)
        })
        .boxed()
}
