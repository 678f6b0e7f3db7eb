//! What every handler of the deposits register shares.

use std::sync::Arc;

use platform::clock::Clock;
use platform::core::Core;
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
    /// Base URL seals point at.
    pub verify_url: Arc<str>,
}

impl platform::core::State for AppState {
    type Error = crate::error::Error;

    fn core(&self) -> &Core {
        &self.core
    }
}
