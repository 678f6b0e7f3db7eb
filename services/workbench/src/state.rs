//! What every handler of the workbench shares.

use std::sync::Arc;
use std::time::Duration;

use platform::clock::Clock;
use platform::core::Core;
use platform::shell::{Settings, Start};
use secrecy::ExposeSecret;
use tokio::sync::OnceCell;
use zegel_contracts::register::Service;

use crate::config::Own;
use crate::login::{ClientSettings, LoginError, Provider};
use crate::registers::Registers;
use crate::session::{Lifetimes, Sessions};

#[derive(Clone)]
pub struct AppState {
    pub core: Core,
    pub clock: Clock,
    pub settings: Arc<Own>,
    pub sessions: Sessions,
    pub registers: Registers,
    /// How the provider is reached, once it is known (`None`: no provider configured).
    client: Option<Arc<ClientSettings>>,
    /// The provider, discovered at the first login (a provider that is down at the start
    /// does not keep the workbench from starting).
    provider: Arc<OnceCell<Provider>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl AppState {
    /// The provider, discovered on first use; `None` when none is configured.
    pub async fn provider(&self) -> Option<Result<&Provider, LoginError>> {
        let client = self.client.as_ref()?;
        Some(self.provider.get_or_try_init(|| Provider::discover(client)).await)
    }

    /// Whether the workbench is served over https (its cookies are then `Secure`).
    pub fn secure(&self) -> bool {
        self.settings.public_url.starts_with("https://")
    }
}

impl platform::core::State for AppState {
    type Error = platform::error::Error;

    fn core(&self) -> &Core {
        &self.core
    }
}

impl Start for AppState {
    type Own = Own;

    async fn start(core: Core, clock: Clock, settings: &Settings<Own>) -> anyhow::Result<Self> {
        let own = &settings.own;
        let issuer = own.issuer.clone().or_else(|| settings.common.openid_issuers().next().map(str::to_string));
        if issuer.is_none() {
            tracing::warn!("no OpenID provider (ZEGEL_WORKBENCH_ISSUER or ZEGEL_OIDC_ISSUERS): nobody can log in");
        }
        let client = issuer.map(|issuer| {
            Arc::new(ClientSettings {
                issuer,
                client_id: own.client_id.clone(),
                client_secret: own.client_secret.expose_secret().to_string(),
                redirect_url: format!("{}/login/callback", own.public_url),
                after_logout_url: format!("{}/", own.public_url),
                services: Service::ALL.iter().copied().filter(|s| *s != Service::Workbench).collect(),
            })
        });
        let lifetimes = Lifetimes {
            idle: Duration::from_secs(own.idle_minutes * 60),
            absolute: Duration::from_secs(own.session_hours * 3600),
        };
        let sessions = Sessions::new(core.bus.clone(), lifetimes, clock.clone());
        let registers = Registers::new(&own.registers());
        let settings = Arc::new(own.clone());
        Ok(Self { core, clock, settings, sessions, registers, client, provider: Arc::default() })
    }
}
