//! A small webhook receiver for the notifier's tests and the cross-service tests.

use std::sync::Arc;
use std::time::Duration;

/// A webhook received by a [`Receiver`].
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    /// Its path (`/hook` for a webhook; a stand-in for another service sees its paths).
    pub path: String,
    pub headers: std::collections::HashMap<String, String>,
    pub body: bytes::Bytes,
    pub answered: u16,
    pub at: std::time::Instant,
}

/// A small webhook receiver on a free loopback port: records every request (a POST to
/// `/hook` is a webhook; any other stands in for another service being called) and answers
/// with the status (and after the delay) it is told to.
#[derive(Debug, Clone)]
pub struct Receiver {
    /// `http://127.0.0.1:<port>/hook`.
    pub url: String,
    received: Arc<std::sync::Mutex<Vec<Received>>>,
    status: Arc<std::sync::atomic::AtomicU16>,
    delay_ms: Arc<std::sync::atomic::AtomicU64>,
}

impl Receiver {
    pub async fn start() -> Self {
        use std::sync::atomic::Ordering;
        use warp::Filter;
        let received = Arc::new(std::sync::Mutex::new(Vec::new()));
        let status = Arc::new(std::sync::atomic::AtomicU16::new(200));
        let delay_ms = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (r, s, d) = (received.clone(), status.clone(), delay_ms.clone());
        let route =
            warp::method().and(warp::path::full()).and(warp::header::headers_cloned()).and(warp::body::bytes()).then(
                move |method: warp::http::Method,
                      path: warp::path::FullPath,
                      headers: warp::http::HeaderMap,
                      body: bytes::Bytes| {
                    let (r, s, d) = (r.clone(), s.clone(), d.clone());
                    async move {
                        let at = std::time::Instant::now();
                        let delay = d.load(Ordering::SeqCst);
                        if delay > 0 {
                            tokio::time::sleep(Duration::from_millis(delay)).await;
                        }
                        let answered = s.load(Ordering::SeqCst);
                        let headers = headers
                            .iter()
                            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or_default().to_string()))
                            .collect();
                        r.lock().expect("lock").push(Received {
                            method: method.to_string(),
                            path: path.as_str().to_string(),
                            headers,
                            body,
                            answered,
                            at,
                        });
                        warp::http::StatusCode::from_u16(answered).unwrap_or(warp::http::StatusCode::OK)
                    }
                },
            );
        // warp's server future is not Send: it runs on a runtime of its own thread.
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
                let _ = tx.send(listener.local_addr().expect("addr").port());
                warp::serve(route).incoming(listener).run().await;
            });
        });
        let port = rx.await.expect("receiver started");
        Self { url: format!("http://127.0.0.1:{port}/hook"), received, status, delay_ms }
    }

    /// `http://127.0.0.1:<port>`, for standing in for another service.
    pub fn base(&self) -> &str {
        self.url.trim_end_matches("/hook")
    }

    /// Answer with `status` from now on.
    pub fn answer(&self, status: u16) {
        self.status.store(status, std::sync::atomic::Ordering::SeqCst);
    }

    /// Wait `ms` before answering.
    pub fn delay(&self, ms: u64) {
        self.delay_ms.store(ms, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    /// Waits (up to 20 s) until `done` holds for what was received.
    pub async fn wait_until(&self, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.received();
            if done(&got) {
                return got;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the receiver did not get what was expected: {} so far",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
