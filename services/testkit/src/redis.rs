//! Redis for tests: a key prefix per test (deleted afterwards), a proxy a test can cut to
//! play "Redis is down", and the event stream read and written as the relay would.

use std::time::Duration;

use platform::outbox::Event;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::db::redis_url;

/// A fresh Redis key prefix; its keys are deleted when this is dropped.
pub struct TestPrefix(pub String);

impl TestPrefix {
    pub fn new() -> Self {
        Self(format!("zegel-test:{}", uuid::Uuid::new_v4().simple()))
    }
}

impl Default for TestPrefix {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestPrefix {
    fn drop(&mut self) {
        let prefix = self.0.clone();
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                if let Ok(client) = redis::Client::open(redis_url())
                    && let Ok(mut conn) = client.get_multiplexed_async_connection().await
                {
                    let keys: Vec<String> =
                        redis::cmd("KEYS").arg(format!("{prefix}:*")).query_async(&mut conn).await.unwrap_or_default();
                    if !keys.is_empty() {
                        let _: Result<(), _> = redis::cmd("DEL").arg(keys).query_async(&mut conn).await;
                    }
                }
            });
        })
        .join();
    }
}
/// A TCP proxy in front of Redis that a test can cut and restore.
pub struct RedisProxy {
    pub url: String,
    up: watch::Sender<bool>,
}

impl RedisProxy {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let target = redis_url().trim_start_matches("redis://").trim_end_matches('/').to_string();
        let (up, rx) = watch::channel(true);
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                let mut rx = rx.clone();
                if !*rx.borrow() {
                    drop(inbound);
                    continue;
                }
                let target = target.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = rx.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Self { url: format!("redis://127.0.0.1:{port}"), up }
    }

    pub fn down(&self) {
        let _ = self.up.send(false);
    }

    pub fn up(&self) {
        let _ = self.up.send(true);
    }
}

/// Events of type `kind` on the stream of `prefix`.
pub async fn events(prefix: &str, kind: &str) -> Vec<Event> {
    let client = redis::Client::open(redis_url()).expect("redis url");
    let mut conn = client.get_multiplexed_async_connection().await.expect("redis");
    let entries: redis::streams::StreamRangeReply = redis::cmd("XRANGE")
        .arg(format!("{prefix}:events"))
        .arg("-")
        .arg("+")
        .query_async(&mut conn)
        .await
        .expect("xrange");
    entries.ids.iter().filter_map(|e| platform::provenance::event_of(&e.map)).filter(|e| e.event_type == kind).collect()
}

/// Waits until `n` events of `kind` are on the stream (or five seconds pass).
pub async fn wait_for_events(prefix: &str, kind: &str, n: usize) -> Vec<Event> {
    for _ in 0..100 {
        let found = events(prefix, kind).await;
        if found.len() >= n {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    events(prefix, kind).await
}

/// The certificates register's word that `body` is accredited (or no longer is), as the
/// registers that let a body read about its agencies hear it (`platform::certifier`).
pub fn accreditation(body: &str, accredited: bool) -> Event {
    use platform::event::{Body, payload::Accreditation};
    let facts = Accreditation { certification_body_id: body.into(), accredited };
    Event::new(Body::CertificateBodyAccreditation(facts), body, &["bans", "housing"], chrono::Utc::now())
}

/// Puts `event` on the stream of `prefix` as the relay would, signed by the register that
/// owns its type, without the relay's dedupe: tests use it to deliver an event twice.
pub async fn publish(prefix: &str, event: &Event) {
    let producer = platform::provenance::producer_of(&event.event_type).expect("an event type of a register");
    publish_signed_by(prefix, event, Some(producer)).await;
}

/// Puts `event` on the stream signed by `signer`'s key (`None`: unsigned) — the forgeries
/// of tests.
pub async fn publish_signed_by(prefix: &str, event: &Event, signer: Option<&str>) {
    let fields = platform::provenance::StreamFields::of(event);
    let signature = signer.map(|s| crate::pki::event_keys().1.get(s).expect("a producer's key").sign(&fields.view()));
    let client = redis::Client::open(redis_url()).expect("redis url");
    let mut conn = client.get_multiplexed_async_connection().await.expect("redis");
    let mut cmd = redis::cmd("XADD");
    cmd.arg(format!("{prefix}:events")).arg("*");
    for (name, value) in fields.stream_args(signature.as_deref()) {
        cmd.arg(name).arg(value);
    }
    let _: String = cmd.query_async(&mut conn).await.expect("xadd");
}
