//! Starting a service under test: its shared settings and its own thread and runtime.

use std::future::Future;

use platform::config::CommonSettings;
use secrecy::SecretString;

use crate::db::{TestDb, redis_url};
use crate::redis::TestPrefix;
use crate::tokens::issuer;

/// Shared settings for a service under test: its database, a fresh Redis prefix, the
/// test token issuer, a quick relay.
pub fn common_settings(db: &TestDb, prefix: &TestPrefix) -> CommonSettings {
    let mut common = CommonSettings::local();
    common.database_url = SecretString::from(db.url.clone());
    common.redis_url = redis_url();
    common.redis_prefix = prefix.0.clone();
    common.jwks = issuer().1.clone();
    common.jwt_issuer = "zegel-test".into();
    common.relay_interval_ms = 50;
    common.db_pool_size = 4;
    common
}

/// Runs a service on its own thread and runtime — as it would run in its own process;
/// warp's server future cannot be handed to `tokio::spawn`. `build` makes the service
/// and returns what the test needs of it plus the future that runs it.
pub async fn spawn<T, B, Fut, Run>(build: B) -> T
where
    T: Send + 'static,
    B: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = (T, Run)>,
    Run: Future<Output = ()>,
{
    spawn_on(1, build).await
}

/// Like [`spawn`], on a runtime with `threads` worker threads (1: a current-thread runtime).
pub async fn spawn_on<T, B, Fut, Run>(threads: usize, build: B) -> T
where
    T: Send + 'static,
    B: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = (T, Run)>,
    Run: Future<Output = ()>,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let rt = if threads <= 1 {
            tokio::runtime::Builder::new_current_thread().enable_all().build()
        } else {
            tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build()
        }
        .expect("runtime");
        rt.block_on(async move {
            let (handle, run) = build().await;
            let _ = tx.send(handle);
            run.await;
        });
    });
    rx.await.expect("service started")
}
