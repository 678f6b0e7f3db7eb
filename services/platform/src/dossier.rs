//! One register's part of an agency's dossier (advice 6.1 A, B): every event the register
//! told the others about the agency, oldest first, for the Labour Authority and nobody
//! else. Read from the outbox, which keeps every event a register ever wrote: the dossier
//! says nothing the register did not already tell, and nothing is written twice to keep
//! it. Each register mounts [`route`]; the workbench lays the parts side by side.

use deadpool_postgres::GenericClient;
use serde_json::json;
use warp::http::StatusCode;
use warp::reply::Response;
use zegel_contracts::dossier::{Entry, Part};
use zegel_contracts::register::Service;

use crate::audit::{self, Actor};
use crate::auth::Role;
use crate::core::State;
use crate::event::Event;
use crate::http::{Request, Routed, get, json, no_store};
use crate::ids::KvkNumber;
use crate::problem::Problem;

/// The most entries one part holds: the newest, when a register told more (a dossier of
/// years is read in pages of the registers' own lists).
pub const LIMIT: i64 = 1000;

/// `GET /api/v1/agencies/{kvk}/events` of `register`.
pub fn route<S: State>(state: &S, register: Service) -> Routed {
    let handler = move |state: S, req: Request, kvk: String| part(state, req, kvk, register);
    get(warp::path!("api" / "v1" / "agencies" / String / "events"), state, handler)
}

/// The audit action of a read of a dossier part (what the Labour Authority's trail shows).
pub const READ: &str = "dossier.read";

async fn part<S: State>(state: S, req: Request, kvk: String, register: Service) -> Result<Response, S::Error> {
    let principal = state.core().authenticate(&req)?;
    if !principal.has(Role::Inspectorate) {
        // Even whether the register told anything about an agency is the Labour Authority's.
        return Err(Problem::forbidden("Only the Labour Authority reads an agency's dossier.").into());
    }
    let kvk = KvkNumber::parse(&kvk, "/kvk").map_err(|e| Problem::validation(vec![e]))?;
    let client = state.core().pool.get().await?;
    let (entries, complete) = entries(&client, kvk.as_str()).await?;
    // A whole history of an agency read at once: the trail says who read it.
    audit::Entry::new(Actor::of(&principal, Role::Inspectorate), READ, kvk.as_str(), &req.id)
        .after(json!({ "entries": entries.len() }))
        .record(&client)
        .await?;
    let part = Part { kvk_number: kvk.as_str().into(), register, entries, complete };
    Ok(no_store(json(StatusCode::OK, &part)))
}

/// The events about `kvk` (its subject, or the agency its payload names), oldest first:
/// at most [`LIMIT`], the newest, and whether that is all of them.
async fn entries(client: &impl GenericClient, kvk: &str) -> Result<(Vec<Entry>, bool), tokio_postgres::Error> {
    let stmt = client
        .prepare_cached(
            "select event_id, event_type, subject, addressed_to, payload, occurred_at from outbox
              where subject = $1 or payload->>'kvk_number' = $1
              order by occurred_at desc, outbox_id desc limit $2",
        )
        .await?;
    let rows = client.query(&stmt, &[&kvk, &(LIMIT + 1)]).await?;
    let complete = rows.len() as i64 <= LIMIT;
    let mut entries: Vec<Entry> = rows
        .iter()
        .take(LIMIT as usize)
        .filter_map(|r| {
            let event = Event {
                event_id: r.get(0),
                event_type: r.get(1),
                subject: r.get(2),
                addressed_to: r.get(3),
                payload: r.get(4),
                occurred_at: r.get(5),
            };
            match event.body() {
                Ok(Some(body)) => Some(Entry { at: event.occurred_at, body }),
                // The register wrote it with this very code, so this is not expected: the
                // line is left out and said in the log rather than guessed.
                other => {
                    tracing::warn!(event.id = %event.event_id, event.r#type = %event.event_type, ok = other.is_ok(),
                        "an event of the outbox does not read as its type; left out of the dossier");
                    None
                }
            }
        })
        .collect();
    entries.reverse();
    Ok((entries, complete))
}
