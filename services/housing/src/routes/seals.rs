//! Seals of certified buildings, their QR codes, and the A4 poster for the door (drawn by
//! [`crate::poster`]).

use bytes::Bytes;
use platform::audit::Actor;
use platform::auth::Role;
use platform::http::Request;
use platform::problem::Kind;
use serde_json::json;
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response;
use zegel_desk::Order;
use zegel_desk::nothing_said;

use super::{authenticate, bag_from_path, for_one_who_knows, found, write};
use crate::state::AppState;
use crate::store;
use crate::{Error, Result};

/// POST /api/v1/buildings/{bag_id}/seal — the provider or a housing inspector.
pub(super) async fn issue(state: AppState, req: Request, bag_id: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(
        &[Role::HousingProvider, Role::HousingInspector],
        "Only the building's provider or a housing inspector requests its seal.",
    )?;
    let bag = bag_from_path(&bag_id)?;
    nothing_said(&req, &raw)?;
    write(&state, &req, &principal, &raw, async |tx| {
        let b = found(tx, &bag, false).await?;
        let provider = &b.building.provider_kvk;
        let role = principal
            .owner_or(Role::HousingProvider, provider, Role::HousingInspector)
            .ok_or_else(|| super::unseen(&bag))?;
        let now = state.clock.now();
        let Some(valid_until) = b.certified_until(now) else {
            return Err(Error::Conflict {
                kind: Kind::BuildingNotCertified,
                detail: format!("A seal needs a certified mark within its year; this one is {}.", b.mark_status),
            });
        };
        // The capacity travels in the seal as a display fact; the lookup shows the live one.
        let order = Order::new(bag.as_str(), Actor::of(&principal, role), "building.seal.issue", &req.id, now)
            .attests(b.mark_id, Some(valid_until))
            .fact("cap", json!(b.allowed));
        let mut body = state.desk.issue(tx, order).await?.view()?;
        body["poster_url"] = json!(format!("/api/v1/buildings/{}/poster.svg", bag.as_str()));
        Ok((StatusCode::CREATED, body))
    })
    .await
}

/// GET /api/v1/buildings/{bag_id}/poster.svg — for the provider who hangs it, housing
/// inspectors and the municipality: it shows the address, which is not for anyone who
/// merely knows a BAG id.
pub(super) async fn poster(state: AppState, req: Request, bag_id: String) -> Result<Response> {
    poster_as(state, req, bag_id, Paper::Svg).await
}

/// GET /api/v1/buildings/{bag_id}/poster.pdf — the same poster, ready to print on A4.
pub(super) async fn poster_pdf(state: AppState, req: Request, bag_id: String) -> Result<Response> {
    poster_as(state, req, bag_id, Paper::Pdf).await
}

#[derive(Clone, Copy)]
enum Paper {
    Svg,
    Pdf,
}

async fn poster_as(state: AppState, req: Request, bag_id: String, paper: Paper) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let bag = bag_from_path(&bag_id)?;
    let client = state.core.pool.get().await?;
    let b = for_one_who_knows(&state, &client, &principal, &bag, "gets the building's poster").await?;
    let token =
        store::current_seal(&client, bag.as_str(), state.clock.now()).await?.ok_or_else(|| Error::Conflict {
            kind: Kind::NoSeal,
            detail: "The building's current mark has no unexpired seal; request one first.".into(),
        })?;
    let link = state.desk.link(&token);
    let (body, media, name): (Vec<u8>, _, _) = match paper {
        Paper::Svg => (crate::poster::svg(&b, &link)?.into_bytes(), "image/svg+xml", "zegel-poster.svg"),
        // Drawing a PDF takes a few milliseconds of CPU: off the request threads.
        Paper::Pdf => (
            tokio::task::spawn_blocking(move || crate::poster::pdf(&b, &link))
                .await
                .map_err(|_| Error::Corrupt("poster PDF"))??,
            "application/pdf",
            "zegel-poster.pdf",
        ),
    };
    let mut res = Response::new(body.into());
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    let disposition = format!("inline; filename=\"{name}\"");
    res.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("inline")),
    );
    Ok(platform::http::no_store(res))
}
