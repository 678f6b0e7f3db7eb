//! What this register learns from the certificates register: which certification body
//! holds an application or a certificate of which agency, so that a body reads the
//! officers of, and checks persons for, its own agencies only. Each event is applied once
//! (deduplicated by event id in the same transaction).

use platform::consumer::first_time;
use platform::outbox::Event;
use serde::Deserialize;
use uuid::Uuid;

use crate::state::AppState;
use crate::store;

/// The party name this register answers to on the stream.
pub const PARTY: &str = "bans";

/// The part of a certificate event this register reads.
#[derive(Debug, Deserialize)]
struct CertificateFacts {
    certificate_id: Uuid,
    kvk_number: String,
    certification_body_id: String,
}

/// Handles one event addressed to this register.
pub async fn handle(state: &AppState, event: Event) -> anyhow::Result<()> {
    let starts = match event.event_type.as_str() {
        "certificate.provisional_issued" => true,
        "certificate.revoked" | "certificate.lapsed" | "certificate.withdrawn" => false,
        _ => return Ok(()),
    };
    let facts: CertificateFacts = serde_json::from_value(event.payload.clone())
        .map_err(|e| anyhow::anyhow!("{} {}: unreadable payload: {e}", event.event_type, event.event_id))?;
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    if first_time(&tx, &event).await? {
        if starts {
            store::record_certifier(
                &tx,
                &facts.kvk_number,
                &facts.certification_body_id,
                facts.certificate_id,
                event.occurred_at,
            )
            .await?;
        } else {
            store::end_certifier(&tx, facts.certificate_id).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
