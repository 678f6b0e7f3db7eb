//! What this register learns from the certificates register: which certification body
//! holds an application or a certificate of which agency, so that a body reads the
//! officers of, and checks persons for, its own agencies only; and which certificates
//! ended with a waiting period (a revocation, a withdrawal made to escape a sanction), so
//! that the persons who ran the agency are held to it wherever they appear (the phoenix
//! radar). Each event is applied once (deduplicated by event id in the same transaction).

use platform::audit::{self, Actor};
use platform::event::Body;
use platform::event::payload::Ended;
use platform::outbox::Event;

use crate::events;
use crate::state::AppState;
use crate::store::{self, SanctionedEnding};

pub const PARTY: &str = "bans";

pub async fn handle(state: &AppState, event: Event) -> anyhow::Result<()> {
    if !platform::certifier::concerns(&event) {
        return Ok(());
    }
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    if platform::consumer::first_time(&tx, &event).await? {
        platform::certifier::learn(&tx, &event).await?;
        if let Some(ending) = sanctioned_ending(&event)? {
            learn_ending(state, &tx, &event, &ending).await?;
        }
    }
    tx.commit().await?;
    state.core.relay.nudge();
    Ok(())
}

/// The ending an event tells of, when it starts a waiting period (only such an ending
/// carries its end, `waits_until`).
fn sanctioned_ending(event: &Event) -> anyhow::Result<Option<SanctionedEnding>> {
    let body = event.body().map_err(|e| anyhow::anyhow!("{} {}: unreadable: {e}", event.event_type, event.event_id))?;
    let Some(Body::CertificateRevoked(c) | Body::CertificateLapsed(c) | Body::CertificateWithdrawn(c)) = body else {
        return Ok(None);
    };
    let Some(Ended { issued_on, ended_on: Some(ended_on), ground: Some(ground), waits_until: Some(waits_until) }) =
        c.ended
    else {
        return Ok(None);
    };
    Ok(Some(SanctionedEnding {
        certificate_id: c.certificate_id,
        kvk_number: c.kvk_number,
        issued_on,
        ended_on,
        ground,
        waits_until,
    }))
}

/// Records the ending and signals every agency where a person who ran the ended agency is
/// an officer now: from today on, they have a link.
async fn learn_ending(
    state: &AppState,
    tx: &deadpool_postgres::Transaction<'_>,
    event: &Event,
    ending: &SanctionedEnding,
) -> anyhow::Result<()> {
    if !store::record_sanctioned_ending(tx, ending).await? {
        return Ok(());
    }
    let today = state.clock.today();
    let now = state.clock.now();
    for kvk in store::agencies_linked_to(tx, ending.certificate_id, today).await? {
        let body = store::certifier_of(tx, &kvk).await?;
        for link in store::linked_officers(tx, &kvk, today).await? {
            if link.certificate_id != ending.certificate_id {
                continue;
            }
            let signal = events::linked_officer(&kvk, &link, body.as_deref(), now);
            audit::Entry::telling(
                Actor::system("bans.consumer"),
                kvk.clone(),
                format!("event-{}", event.event_id),
                signal,
            )
            .caused_by(event.event_id)
            .record(tx)
            .await?;
        }
    }
    Ok(())
}
