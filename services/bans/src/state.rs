//! What every handler of the bans register shares.

use std::sync::Arc;

use platform::clock::Clock;
use platform::core::Core;
use secrecy::ExposeSecret;

use platform::shell::{Settings, Start};

use crate::config::{DEV_BSN_KEY, Own};

#[derive(Clone)]
pub struct AppState {
    /// Pool, bus, auth, relay, limiters, metrics.
    pub core: Core,
    pub clock: Clock,
    /// Own settings (holds the BSN key).
    pub settings: Arc<Own>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl AppState {
    /// The key BSNs are hashed with.
    pub fn bsn_key(&self) -> &[u8] {
        self.settings.bsn_key.expose_secret().as_bytes()
    }
}

impl platform::core::State for AppState {
    type Error = crate::error::Error;

    fn core(&self) -> &Core {
        &self.core
    }
}

impl Start for AppState {
    type Own = Own;

    async fn start(core: Core, clock: Clock, settings: &Settings<Own>) -> anyhow::Result<Self> {
        if settings.own.bsn_key.expose_secret() == DEV_BSN_KEY {
            tracing::warn!("ZEGEL_BANS_BSN_KEY is the development key: set a secret one in production");
        }
        Ok(Self { core, clock, settings: Arc::new(settings.own.clone()) })
    }
}
