//! What this register learns from the certificates register: which certification body
//! holds an application or a certificate of which agency (`platform::certifier`), so that a
//! body sees the addresses of the buildings where its own agencies house workers. Each
//! event is applied once (deduplicated by event id in the same transaction).

use platform::outbox::Event;

use crate::state::AppState;

pub const PARTY: &str = "housing";

/// Handles one event addressed to this register (`platform::certifier`).
pub async fn handle(state: &AppState, event: Event) -> anyhow::Result<()> {
    platform::certifier::consume(&state.core.pool, &event).await
}
