//! What every handler, the sweep and the stream consumer of the certificates register share.

use std::sync::Arc;

use platform::clock::Clock;
use platform::core::Core;
use zegel_desk::Desk;

use crate::config::Own;

#[derive(Clone, Debug)]
pub struct AppState {
    /// Pool (schema `certificates`), bus, auth, relay, limiters, metrics.
    pub core: Core,
    /// Server time (movable in tests).
    pub clock: Clock,
    pub settings: Arc<Own>,
    /// Issues this register's seals (signer, lookup URL, QR codes).
    pub desk: Desk,
    pub registers: crate::registers::Registers,
    /// Complaints about work per client address: stricter than the public limit for reads.
    pub complaints: platform::http::PublicLimiter,
}

impl platform::core::State for AppState {
    type Error = crate::error::Error;

    fn core(&self) -> &Core {
        &self.core
    }
}
