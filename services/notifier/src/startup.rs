//! The notifier as a service of the shared shell.

use std::sync::Arc;
use std::time::Duration;

use platform::clock::Clock;
use platform::consumer::Consumer;
use platform::core::Core;
use platform::shell::{App, Service, Task};
use tokio::sync::Notify;
use warp::filters::BoxedFilter;
use warp::reply::Response;

use crate::config::{Own, Settings};
use crate::dispatch;
use crate::state::AppState;

/// The notifier.
pub struct Notifier;

/// A built, bound, not yet running notifier.
pub type Application = App<Notifier>;

impl Service for Notifier {
    type Own = Own;
    type State = AppState;

    platform::embedded_migrations!();

    async fn state(core: Core, _clock: Clock, settings: &Settings) -> anyhow::Result<AppState> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.own.timeout_ms))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        if settings.own.allow_private_targets {
            tracing::warn!("webhooks may go to private and loopback addresses (ZEGEL_NOTIFIER_ALLOW_PRIVATE_TARGETS)");
        }
        Ok(AppState { core, settings: Arc::new(settings.own.clone()), http, wake: Arc::new(Notify::new()) })
    }

    fn api(state: AppState) -> BoxedFilter<(Response,)> {
        crate::routes::api(state)
    }

    /// The stream consumer records deliveries; the dispatcher sends them.
    fn tasks(state: &AppState) -> Vec<Task> {
        let consumer = Consumer::new(state.core.bus.clone(), Self::NAME, &state.settings.consumer_name);
        let for_consumer = state.clone();
        let consume = Task::run(async move {
            consumer
                .run_filtered(
                    |_| true,
                    |event| {
                        let state = for_consumer.clone();
                        async move { dispatch::record(&state, event).await }
                    },
                )
                .await;
        });
        vec![consume, Task::run(dispatch::run(state.clone(), state.wake.clone()))]
    }
}
