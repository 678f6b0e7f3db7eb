//! The lookup as a service of the shared shell: how its state is made, and its background tasks.

use std::sync::Arc;
use std::time::Duration;

use platform::clock::Clock;
use platform::core::Core;
use platform::shell::{Start, Task};
use zegel_desk::Desk;

use crate::config::{Own, Settings};
use crate::reads::{Reads, Shape};
use crate::state::AppState;

impl Start for AppState {
    type Own = Own;
    const WARM: Option<platform::db::Warm> = Some(crate::store::warm);

    async fn start(core: Core, clock: Clock, settings: &Settings) -> anyhow::Result<Self> {
        let own = &settings.own;
        // Bounded by the settings' checks (64 readers, 4096 scans a statement).
        let shape = Shape { readers: own.status_readers as usize, batch: own.status_batch as usize };
        let desk = Desk::of(settings, &core.metrics)?;
        let mut own = own.clone();
        // A developer's security.txt stays fresh; production names its own date (a fault
        // otherwise), watched like a certificate's end.
        if own.security_expires.is_empty() {
            own.security_expires = platform::clock::days_later(clock.now(), 90).to_rfc3339();
        }
        if let Some(expires) = own.security_expiry() {
            core.metrics
                .gauge(
                    "security_txt_expires_seconds",
                    "When /.well-known/security.txt expires (seconds since the epoch)",
                )
                .set(expires.timestamp());
        }
        let fresh = crate::replica::fresh(&core, settings, Self::WARM).await?;
        let state = AppState {
            reads: Reads::start(&fresh, shape),
            fresh,
            verdicts: crate::verify::Verdicts::counted_in(&core.metrics),
            core,
            clock,
            http: reqwest::Client::builder().timeout(Duration::from_secs(3)).build()?,
            settings: Arc::new(own),
            desk,
            trust: Arc::default(),
            lists: Arc::default(),
        };
        state.reload_trust()?;
        Ok(state)
    }
}

/// How often receipts and KvK checks past their time are removed.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// The trust list reload (the list was loaded at build; a reload of an unchanged file
/// changes nothing), the purge of what is kept past its time, and the status lists'
/// publication (the first at start).
pub fn tasks(state: &AppState) -> Vec<Task> {
    let interval = Duration::from_secs(state.settings.trust_reload_secs);
    let reload =
        Task::every(interval, "trust list reload", state.clone(), |s: AppState| async move { s.reload_trust() });
    let purge = Task::every(PURGE_EVERY, "receipt and KvK check purge", state.clone(), |s: AppState| async move {
        let (receipts, checks) = crate::store::purge_expired(&s.core.pool).await?;
        if receipts + checks > 0 {
            tracing::info!(receipts, kvk_checks = checks, "purged past their retention");
        }
        anyhow::Ok(())
    });
    let lists = Duration::from_secs(state.settings.status_list_secs);
    let publish = Task::every(lists, "status list publication", state.clone(), |s: AppState| async move {
        crate::status_lists::take_turn(&s).await
    });
    vec![reload, purge, publish]
}
