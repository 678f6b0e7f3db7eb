//! What every handler of the housing register shares.

use std::sync::Arc;

use platform::clock::Clock;
use platform::core::Core;
use platform::http::PublicLimiter;
use zegel_attest::Signer;

use crate::config::Own;

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Pool, bus, auth, relay, limiters, metrics.
    pub core: Core,
    /// Server time.
    pub clock: Clock,
    /// Own settings.
    pub settings: Arc<Own>,
    /// Signs this register's seals.
    pub signer: Arc<Signer>,
    /// Base URL seals point at (the lookup).
    pub verify_url: Arc<str>,
    /// Complaints per client address: stricter than the public limit for reads.
    pub complaints: PublicLimiter,
}

impl platform::core::State for AppState {
    type Error = crate::Error;

    fn core(&self) -> &Core {
        &self.core
    }
}
