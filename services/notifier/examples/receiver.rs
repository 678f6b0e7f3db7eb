//! A tiny webhook receiver for trying the notifier: prints every webhook, checks its
//! signature with the subscription's secret, refuses stale timestamps and skips events it
//! has seen (delivery is at least once).
//!
//! `cargo run -p zegel-notifier --example receiver -- 9999 <secret>`

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use warp::Filter;
use warp::http::{HeaderMap, StatusCode};
use zegel_notifier::webhook;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(9999);
    let secret = args.next().unwrap_or_default();
    let seen = Arc::new(Mutex::new(HashSet::<String>::new()));
    let route = warp::post().and(warp::header::headers_cloned()).and(warp::body::bytes()).map(
        move |headers: HeaderMap, body: bytes::Bytes| {
            let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
            let ts: i64 = header(webhook::TIMESTAMP).parse().unwrap_or(0);
            let now = chrono::Utc::now().timestamp();
            if !webhook::verify(&secret, ts, &body, &header(webhook::SIGNATURE), now) {
                println!("REFUSED (bad or stale signature): {}", String::from_utf8_lossy(&body));
                return StatusCode::UNAUTHORIZED;
            }
            let event = header(webhook::EVENT_ID);
            if !seen.lock().map(|mut s| s.insert(event.clone())).unwrap_or(false) {
                println!("duplicate of event {event}, skipped");
                return StatusCode::OK;
            }
            println!("signed webhook, event {event}: {}", String::from_utf8_lossy(&body));
            StatusCode::OK
        },
    );
    println!("listening on http://127.0.0.1:{port}/");
    warp::serve(route).run(([127, 0, 0, 1], port)).await;
}
