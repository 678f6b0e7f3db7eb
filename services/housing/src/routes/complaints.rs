//! Complaints from residents: anonymous (no name, no contact, no address is stored — not
//! even the IP address, which only the in-memory rate limiter sees), never shown publicly
//! and never to the housing provider; only the housing inspector and the building's
//! municipality read them, and an inspector can follow one up with an unannounced
//! inspection.
//!
//! The public page's form posts here as `application/x-www-form-urlencoded` and works
//! without JavaScript: the answer is a redirect to the lookup's thank-you page in the
//! resident's language. API clients post JSON and get JSON.

use bytes::Bytes;
use platform::auth::Role;
use platform::complaint::ComplaintIn;
use platform::http::{Request, json, no_store, parse_json};
use serde_json::json;
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;

use super::{authenticate, bag_from_path, is_municipality};
use crate::domain::{BagId, ComplaintCategory, ComplaintStatus};
use crate::state::AppState;
use crate::store::{self, Complaint};
use crate::{Error, Result, events};

/// POST /api/v1/buildings/{bag_id}/complaints — public, anonymous, rate limited.
pub(super) async fn complaint_post(state: AppState, req: Request, bag_id: String, body: Bytes) -> Result<Response> {
    let form = req.is_form();
    if form {
        return Ok(form_answer(&state, &bag_id, &req, &body).await);
    }
    state.complaints.check(&req)?;
    let input: ComplaintIn = parse_json(&req, &body)?;
    file(&state, &req, &bag_id, input).await?;
    Ok(no_store(json(
        StatusCode::ACCEPTED,
        &json!({
            "status": "received",
            "detail": "The housing inspector and the municipality will read it. The housing provider does not see complaints, nor who made them.",
        }),
    )))
}

/// A browser's form post: whatever happens, the resident lands on a page in their language.
async fn form_answer(state: &AppState, bag_id: &str, req: &Request, raw: &Bytes) -> Response {
    let limited = state.complaints.check(req).is_err();
    let input: std::result::Result<ComplaintIn, _> = serde_urlencoded::from_bytes(raw);
    let lang = input.as_ref().ok().and_then(|i| i.lang()).unwrap_or("nl").to_string();
    let outcome = match input {
        _ if limited => Some("rate_limited"),
        Ok(input) => match file(state, req, bag_id, input).await {
            Ok(()) => None,
            Err(Error::Client(_)) => Some("invalid"),
            Err(Error::Invalid(_)) => Some("invalid"),
            Err(e) => {
                let _ = e.to_problem(&req.id);
                Some("unavailable")
            }
        },
        Err(_) => Some("invalid"),
    };
    let location = match outcome {
        None => format!("{}/complaint/sent?lang={lang}", state.desk.verify_url()),
        Some(error) => format!("{}/complaint/sent?lang={lang}&error={error}", state.desk.verify_url()),
    };
    platform::http::see_other(&location)
}

/// Files a complaint (the caller has passed the rate limit).
async fn file(state: &AppState, req: &Request, bag_id: &str, input: ComplaintIn) -> Result<()> {
    let bag: BagId = bag_from_path(bag_id)?;
    let checked = input.checked::<ComplaintCategory>().map_err(Error::Invalid)?;
    // A complaint remembers the language of the page it came from, when it is one of ours.
    let lang = input.lang().map(str::to_string);
    let (category, text) = (checked.category, checked.text);
    let now = state.clock.now();
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    // Any address: a complaint about one the register does not hold is kept and told as
    // well (unregistered housing is a lead), and answered alike — the answer never says
    // whether an address houses migrants.
    let registered = store::building(&tx, bag.as_str(), false).await?.is_some();
    let complaint = Complaint {
        complaint_id: Uuid::now_v7(),
        bag_id: bag.as_str().into(),
        category,
        text,
        language: lang,
        received_at: now,
        status: ComplaintStatus::Received,
        inspection_id: None,
    };
    store::insert_complaint(&tx, &complaint).await?;
    // The audit trail records that a complaint arrived, not what it says or who sent it.
    platform::audit::Entry::new(platform::audit::Actor::system("public"), "complaint.receive", bag.as_str(), &req.id)
        .after(json!({ "complaint_id": complaint.complaint_id, "category": complaint.category }))
        .publishes(events::complaint_received(&bag, registered, category, now))
        .record(&tx)
        .await?;
    tx.commit().await?;
    state.core.relay.nudge();
    Ok(())
}

/// GET /api/v1/buildings/{bag_id}/complaints — the housing inspector and the building's
/// municipality only (of any address, registered or not); every read is in the audit trail.
pub(super) async fn complaints_get(state: AppState, req: Request, bag_id: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let bag = bag_from_path(&bag_id)?;
    let role = if principal.has(Role::HousingInspector) {
        Role::HousingInspector
    } else if is_municipality(&principal, bag.municipality()) {
        Role::Municipality
    } else {
        return Err(Error::Forbidden(
            "Complaints are read by the housing inspector and the building's municipality only.".into(),
        ));
    };
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    let registered = store::building(&tx, bag.as_str(), false).await?.is_some();
    let complaints = store::complaints(&tx, bag.as_str()).await?;
    platform::audit::Entry::new(platform::audit::Actor::of(&principal, role), "complaint.read", bag.as_str(), &req.id)
        .after(json!({ "complaints": complaints.len() }))
        .record(&tx)
        .await?;
    tx.commit().await?;
    Ok(no_store(json(
        StatusCode::OK,
        &json!({ "bag_id": bag.as_str(), "registered": registered, "complaints": complaints }),
    )))
}
