//! What every handler and the dispatcher of the notifier share.

use std::sync::Arc;

use platform::core::Core;
use tokio::sync::Notify;

use crate::config::Own;

#[derive(Clone, Debug)]
pub struct AppState {
    /// Pool, bus, auth, relay, limiters, metrics.
    pub core: Core,
    pub settings: Arc<Own>,
    /// Sends webhooks (no redirects: a receiver must not bounce a delivery elsewhere; host
    /// names resolved and checked for the connection itself, see `webhook::Resolver`).
    pub http: reqwest::Client,
    /// Asks the lookup for public checks (inside the suite's network: not the webhook client,
    /// which refuses private addresses).
    pub lookup: reqwest::Client,
    /// What a webhook URL must be here.
    pub targets: crate::webhook::Targets,
    /// Wakes the dispatcher when deliveries were recorded.
    pub wake: Arc<Notify>,
    /// Every organisation's budget of delivery attempts an hour.
    pub delivery_budget: platform::http::PublicLimiter,
    /// Delivery attempts by outcome: delivered, retrying, dead (`zegel_webhook_deliveries_total`).
    pub deliveries: platform::telemetry::Counter,
}

impl AppState {
    pub fn secret_for(&self, subscription_id: uuid::Uuid) -> String {
        crate::webhook::secret_for(
            secrecy::ExposeSecret::expose_secret(&self.settings.secret_key).as_bytes(),
            subscription_id,
        )
    }
}

impl platform::core::State for AppState {
    type Error = crate::Error;

    fn core(&self) -> &Core {
        &self.core
    }
}
