//! What every handler of the housing register shares.

use std::sync::Arc;

use platform::clock::Clock;
use platform::core::Core;
use platform::http::PublicLimiter;
use zegel_attest::Desk;

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
