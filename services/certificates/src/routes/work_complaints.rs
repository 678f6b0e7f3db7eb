//! Complaints about work (advice 7.2 D): a worker reports anonymously, in their language,
//! what an agency does — wages below the minimum, unlawful deductions, debts to the
//! employer, documents withheld, intimidation, housing tied to the job. The Labour
//! Authority and the agency's certification body read it; the agency never does. The
//! lookup's form (`/work-complaint`, linked from the page at the door and the rights page)
//! posts here without JavaScript and is answered with a redirect to the complaint's private
//! status page; API clients post JSON and get the link.

use bytes::Bytes;
use platform::audit::{self, Actor};
use platform::auth::Role;
use platform::complaint::{Complaint, ComplaintIn};
use platform::http::{Request, json, no_store, parse_json};
use platform::problem::Checks;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;

use super::{authenticate, kvk_from_path, write};
use crate::error::{Error, Result, Shared};
use crate::events;
use crate::state::AppState;
use crate::store::{self, WorkComplaint};
use zegel_contracts::certificate::WorkComplaintStatus;

/// POST /api/v1/agencies/{kvk}/work-complaints — public, anonymous, rate limited.
pub(super) async fn post(state: AppState, req: Request, kvk: String, raw: Bytes) -> Result<Response> {
    let form = req.is_form();
    let parsed: std::result::Result<ComplaintIn, Error> = if form {
        serde_urlencoded::from_bytes(&raw)
            .map_err(|_| Error::client(platform::Problem::bad_request("The form is incomplete.")))
    } else {
        parse_json(&req, &raw).map_err(Error::from)
    };
    let lang = parsed.as_ref().ok().and_then(|c| c.lang()).unwrap_or("nl").to_string();
    let filed = async {
        state.complaints.check(&req)?;
        let kvk = kvk_from_path(&kvk)?;
        file(&state, &req, kvk.as_str(), parsed?, &lang).await
    }
    .await;
    match (form, filed) {
        (false, Ok((status, body))) => Ok(no_store(json(status, &body))),
        (false, Err(e)) => Err(e),
        (true, Ok((_, body))) => Ok(platform::http::see_other(body["status_url"].as_str().unwrap_or_default())),
        (true, Err(e)) => {
            let error = match e {
                Error::Shared(Shared::Client(ref p)) if p.status == 429 => "rate_limited",
                Error::Shared(Shared::Invalid(_) | Shared::Client(_)) => "invalid",
                _ => "unavailable",
            };
            // Only a well-formed number goes back into the form's address.
            let kvk = platform::ids::KvkNumber::parse(&kvk, "/kvk").map(|k| k.as_str().to_string()).unwrap_or_default();
            Ok(platform::http::see_other(&format!(
                "{}/work-complaint?kvk={kvk}&lang={lang}&error={error}",
                state.desk.verify_url()
            )))
        }
    }
}

async fn file(
    state: &AppState,
    req: &Request,
    kvk: &str,
    input: ComplaintIn,
    lang: &str,
) -> Result<(StatusCode, serde_json::Value)> {
    let Complaint { category, text } = input.checked().map_err(Error::invalid)?;
    let token = Uuid::new_v4().simple().to_string();
    let now = state.clock.now();
    let complaint = WorkComplaint {
        complaint_id: Uuid::now_v7(),
        agency_kvk: kvk.into(),
        category,
        text,
        language: lang.into(),
        received_at: now,
        status: WorkComplaintStatus::Received,
        status_note: None,
    };
    let url = format!("{}/work-complaints/{}?t={token}&lang={lang}", state.desk.verify_url(), complaint.complaint_id);
    // Anonymous: no token, no idempotency key (nothing ties two posts to one worker).
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    store::insert_work_complaint(&tx, &complaint, &Sha256::digest(token.as_bytes())).await?;
    let body = store::latest_certificate(&tx, kvk).await?.map(|c| c.certification_body_id);
    audit::Entry::new(Actor::system("worker"), "work_complaint.receive", kvk, &req.id)
        .after(json!({ "complaint_id": complaint.complaint_id, "category": complaint.category }))
        .publishes(events::work_complaint_received(&complaint, body.as_deref(), now))
        .record(&tx)
        .await?;
    tx.commit().await?;
    state.core.relay.nudge();
    Ok((
        StatusCode::CREATED,
        json!({
            "complaint_id": complaint.complaint_id,
            "status": complaint.status,
            "status_url": url,
            "detail": "The Labour Authority and the agency's certification body will read it. The agency does not see complaints, nor who made them.",
        }),
    ))
}

/// GET /api/v1/agencies/{kvk}/work-complaints — the inspectorate, and the certification
/// body of the agency's current certificate; never the agency. Each read audited.
pub(super) async fn list(state: AppState, req: Request, kvk: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let kvk = kvk_from_path(&kvk)?;
    let client = state.core.pool.get().await?;
    let body = store::latest_certificate(&client, kvk.as_str()).await?.map(|c| c.certification_body_id);
    let role = if principal.has(Role::Inspectorate) {
        Role::Inspectorate
    } else if let Some(body) = body.as_deref()
        && super::reads_as_body(&client, &principal, body).await?
    {
        Role::CertificationBody
    } else {
        return Err(Error::forbidden(
            "Only the Labour Authority and the agency's certification body read complaints about its work.".into(),
        ));
    };
    let complaints = store::work_complaints_of(&client, kvk.as_str()).await?;
    audit::Entry::new(Actor::of(&principal, role), super::WORK_COMPLAINT_READ, kvk.as_str(), &req.id)
        .after(json!({ "complaints": complaints.len() }))
        .record(&client)
        .await?;
    Ok(no_store(json(StatusCode::OK, &json!({ "kvk_number": kvk.as_str(), "complaints": complaints }))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusIn {
    status: String,
    #[serde(default)]
    note: Option<String>,
}

/// POST /api/v1/work-complaints/{id}/status — the Labour Authority moves a complaint on
/// (`under_investigation`, `closed`), with a note the worker reads.
pub(super) async fn set_status(state: AppState, req: Request, id: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(&[Role::Inspectorate], "Only the Labour Authority moves a complaint about work on.")?;
    let id = platform::http::uuid_in_path(&id, "complaint")?;
    let input: StatusIn = parse_json(&req, &raw)?;
    let mut checks = Checks::default();
    if !matches!(input.status.as_str(), "under_investigation" | "closed") {
        checks.fail("/status", "under_investigation or closed");
    }
    let note = input.note.as_deref().and_then(|n| checks.check(platform::http::bounded_text(n, "/note", 1000, true)));
    checks.finish().map_err(Error::invalid)?;
    write(&state, &req, &principal, &raw, async |tx| {
        let found = store::work_complaint_by_id(tx, id)
            .await?
            .ok_or_else(|| Error::not_found(format!("No complaint {id}.")))?;
        store::set_work_complaint_status(tx, id, &input.status, note.as_deref()).await?;
        audit::Entry::new(
            Actor::of(&principal, Role::Inspectorate),
            "work_complaint.status",
            &found.agency_kvk,
            &req.id,
        )
        .after(json!({ "complaint_id": id, "status": input.status }))
        .record(tx)
        .await?;
        Ok((StatusCode::OK, json!({ "complaint_id": id, "status": input.status, "note": note })))
    })
    .await
}
