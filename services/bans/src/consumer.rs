//! What this register learns from the certificates register: which certification body
//! holds an application or a certificate of which agency, so that a body reads the
//! officers of, and checks persons for, its own agencies only. Each event is applied once
//! (deduplicated by event id in the same transaction).

use platform::consumer::first_time;
use platform::outbox::Event;

use crate::state::AppState;

/// The party name this register answers to on the stream.
pub const PARTY: &str = "bans";

/// Handles one event addressed to this register.
pub async fn handle(state: &AppState, event: Event) -> anyhow::Result<()> {
    if !platform::certifier::concerns(&event) {
        return Ok(());
    }
    let mut client = state.core.pool.get().await?;
    let tx = client.transaction().await?;
    if first_time(&tx, &event).await? {
        platform::certifier::learn(&tx, &event).await?;
    }
    tx.commit().await?;
    Ok(())
}
