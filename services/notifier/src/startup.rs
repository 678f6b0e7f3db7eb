//! Building and running the notifier.

use std::sync::Arc;
use std::time::Duration;

use platform::config::CommonSettings;
use platform::consumer::Consumer;
use platform::core::{Core, Hosted};
use tokio::sync::Notify;

use crate::config::{Own, Settings};
use crate::{dispatch, routes};

/// The Postgres schema this service owns.
pub const SCHEMA: &str = "notifier";
/// The service's name (and its consumer group on the stream).
pub const SERVICE: &str = "notifier";

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// Runs the migrations of this service's schema.
pub async fn migrate(common: &CommonSettings) -> Result<(), platform::db::DbError> {
    platform::db::migrate(&common.database_url, SCHEMA, embedded::migrations::runner()).await
}

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Pool, bus, auth, relay, limiter, metrics.
    pub core: Core,
    /// Own settings.
    pub settings: Arc<Own>,
    /// Sends webhooks (no redirects: a receiver must not bounce a delivery elsewhere).
    pub http: reqwest::Client,
    /// Wakes the dispatcher when deliveries were recorded.
    pub wake: Arc<Notify>,
}

impl AppState {
    /// The signing secret of a subscription.
    pub fn secret_for(&self, subscription_id: uuid::Uuid) -> String {
        crate::webhook::secret_for(
            secrecy::ExposeSecret::expose_secret(&self.settings.secret_key).as_bytes(),
            subscription_id,
        )
    }
}

/// A built, bound, not yet running service.
pub struct Application(Hosted<AppState>);

impl std::ops::Deref for Application {
    type Target = Hosted<AppState>;
    fn deref(&self) -> &Hosted<AppState> {
        &self.0
    }
}

impl Application {
    /// Builds the service.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let core = Core::build(&settings.common, SERVICE, SCHEMA).await?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.own.timeout_ms))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        if settings.own.allow_private_targets {
            tracing::warn!("webhooks may go to private and loopback addresses (ZEGEL_NOTIFIER_ALLOW_PRIVATE_TARGETS)");
        }
        let state = AppState { core, settings: Arc::new(settings.own.clone()), http, wake: Arc::new(Notify::new()) };
        Ok(Self(Hosted::bind(&settings.common, settings.own.port, state).await?))
    }

    /// Serves until SIGINT/SIGTERM or the shutdown handle, with the stream consumer and the
    /// dispatcher running.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let state = self.0.state().clone();
        let consumer = {
            let state = state.clone();
            let consumer = Consumer::new(state.core.bus.clone(), SERVICE, &state.settings.consumer_name);
            tokio::spawn(async move {
                consumer
                    .run_filtered(
                        |_| true,
                        |event| {
                            let state = state.clone();
                            async move { dispatch::record(&state, event).await }
                        },
                    )
                    .await;
            })
        };
        let dispatcher = tokio::spawn(dispatch::run(state.clone(), state.wake.clone()));
        self.0.serve(SERVICE, &state.core, routes::api, vec![consumer, dispatcher]).await;
        Ok(())
    }
}
