//! What every handler of the housing register shares.

use std::sync::Arc;

use platform::clock::Clock;
use platform::core::Core;
use platform::http::PublicLimiter;
use platform::shell::{Settings, Start};
use zegel_desk::Desk;

use crate::config::Own;

#[derive(Clone, Debug)]
pub struct AppState {
    /// Pool, bus, auth, relay, limiters, metrics.
    pub core: Core,
    pub clock: Clock,
    pub settings: Arc<Own>,
    /// Issues this register's seals (signer, lookup URL, QR codes).
    pub desk: Desk,
    /// Complaints per client address: stricter than the public limit for reads.
    pub complaints: PublicLimiter,
}

impl platform::core::State for AppState {
    type Error = crate::Error;

    fn core(&self) -> &Core {
        &self.core
    }
}

impl Start for AppState {
    type Own = Own;

    async fn start(core: Core, clock: Clock, settings: &Settings<Own>) -> anyhow::Result<Self> {
        // Registered with the core, so the shell forgets its quiet addresses too.
        let complaints = core.limiter_of(PublicLimiter::per_hour(settings.own.complaints_per_hour));
        let desk = Desk::of(settings, &core.metrics)?;
        Ok(Self { core, clock, settings: Arc::new(settings.own.clone()), desk, complaints })
    }
}
