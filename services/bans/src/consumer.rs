//! What this register learns from the certificates register: which certification body
//! holds an application or a certificate of which agency, so that a body reads the
//! officers of, and checks persons for, its own agencies only. Each event is applied once
//! (deduplicated by event id in the same transaction).

use platform::outbox::Event;

use crate::state::AppState;

/// The party name this register answers to on the stream.
pub const PARTY: &str = "bans";

/// Handles one event addressed to this register (`platform::certifier`).
pub async fn handle(state: &AppState, event: Event) -> anyhow::Result<()> {
    platform::certifier::consume(&state.core.pool, &event).await
}
