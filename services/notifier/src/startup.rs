//! The notifier as a service of the shared shell: how its state is made, and its background tasks.

use std::sync::Arc;
use std::time::Duration;

use platform::clock::Clock;
use platform::consumer::Consumer;
use platform::core::Core;
use platform::shell::{Start, Task};
use tokio::sync::Notify;

use crate::config::{Own, Settings};
use crate::dispatch;
use crate::state::AppState;

impl Start for AppState {
    type Own = Own;

    async fn start(core: Core, _clock: Clock, settings: &Settings) -> anyhow::Result<Self> {
        let targets = crate::webhook::Targets {
            allow_private: settings.own.allow_private_targets,
            https_only: settings.common.env == platform::config::Environment::Production,
        };
        let http = crate::webhook::client(Duration::from_millis(settings.own.timeout_ms), targets)?;
        if settings.own.allow_private_targets {
            tracing::warn!("webhooks may go to private and loopback addresses (ZEGEL_NOTIFIER_ALLOW_PRIVATE_TARGETS)");
        }
        let lookup = reqwest::Client::builder().timeout(Duration::from_secs(3)).build()?;
        let deliveries =
            core.metrics.counter("webhook_deliveries_total", "Webhook delivery attempts by outcome", &["outcome"]);
        Ok(AppState {
            deliveries,
            delivery_budget: core.budget("deliveries", settings.own.deliveries_per_hour),
            core,
            settings: Arc::new(settings.own.clone()),
            http,
            lookup,
            targets,
            wake: Arc::new(Notify::new()),
        })
    }
}

/// The stream consumer records deliveries; the dispatcher sends them.
pub fn tasks(state: &AppState) -> Vec<Task> {
    let consumer = Consumer::of(&state.core, "notifier", &state.settings.consumer_name);
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
