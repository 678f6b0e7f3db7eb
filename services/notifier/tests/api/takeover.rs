//! A consumer that read events and died before acknowledging them: another consumer of
//! the group takes them over (XAUTOCLAIM), so a replica or a restart under a new name
//! loses nothing.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use platform::bus::Bus;
use platform::consumer::Consumer;
use zegel_testkit::{TestPrefix, publish, redis_url};

use crate::helpers::certificate_event;

/// Runs `consumer`, recording the ids of the events it hands over, until `done` says so
/// (or three seconds pass); returns them.
async fn handle_until(consumer: Consumer, done: impl Fn(&[uuid::Uuid]) -> bool) -> Vec<uuid::Uuid> {
    let handled = Arc::new(Mutex::new(Vec::new()));
    let h = handled.clone();
    let running = tokio::spawn(async move {
        consumer
            .run_filtered(
                |_| true,
                move |e| {
                    h.lock().expect("lock").push(e.event_id);
                    async { Ok(()) }
                },
            )
            .await;
    });
    for _ in 0..300 {
        if done(&handled.lock().expect("lock")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    running.abort();
    handled.lock().expect("lock").clone()
}

/// The verifying keys of the test suite's producers.
fn keys() -> Arc<platform::provenance::EventKeys> {
    Arc::new(platform::provenance::EventKeys::load(&zegel_testkit::pki::event_keys().0).expect("keys"))
}

#[tokio::test]
async fn unacknowledged_events_of_a_dead_consumer_are_taken_over() {
    let prefix = TestPrefix::new();
    let event = certificate_event("11223344", "certificate.revoked");
    publish(&prefix.0, &event).await;
    let bus = Bus::connect(platform::bus::Target::url(&redis_url()), &prefix.0).unwrap();

    // Consumer "a" reads the event and never manages to handle it; then it dies.
    let a = Consumer::new(bus.clone(), keys(), "takeover", "a");
    let tried = Arc::new(Mutex::new(0));
    let t = tried.clone();
    let dead = tokio::spawn(async move {
        a.run_filtered(
            |_| true,
            move |_| {
                *t.lock().unwrap() += 1;
                async { anyhow::bail!("cannot handle it now") }
            },
        )
        .await;
    });
    for _ in 0..200 {
        if *tried.lock().unwrap() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    dead.abort();
    assert!(*tried.lock().unwrap() > 0, "a read it");

    // Consumer "b" (another replica, or the service restarted under another name) takes it over.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let b = Consumer::new(bus, keys(), "takeover", "b").claim_after(Duration::from_millis(100));
    let handled = handle_until(b, |handled| !handled.is_empty()).await;
    assert_eq!(handled, vec![event.event_id]);
}

#[tokio::test]
async fn a_forged_or_unsigned_event_is_dead_lettered_counted_and_never_handled() {
    let prefix = TestPrefix::new();
    // Whoever can write the stream, and another register's key, cannot make a consumer act.
    let unsigned = certificate_event("11223344", "certificate.revoked");
    zegel_testkit::publish_signed_by(&prefix.0, &unsigned, None).await;
    let wrong_key = certificate_event("11223344", "certificate.revoked");
    zegel_testkit::publish_signed_by(&prefix.0, &wrong_key, Some("housing")).await;
    let genuine = certificate_event("11223344", "certificate.revoked");
    publish(&prefix.0, &genuine).await;

    let bus = Bus::connect(platform::bus::Target::url(&redis_url()), &prefix.0).unwrap();
    let counter = prometheus::IntCounter::new("dead", "dead").unwrap();
    let consumer = Consumer::new(bus, keys(), "forgeries", "c").counting(counter.clone());
    let dead = counter.clone();
    let handled = handle_until(consumer, move |handled| !handled.is_empty() && dead.get() == 2).await;
    assert_eq!(handled, vec![genuine.event_id], "only the genuine event is acted on");
    assert_eq!(counter.get(), 2);
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let dead: redis::streams::StreamRangeReply = redis::cmd("XRANGE")
        .arg(format!("{}:events:dead", prefix.0))
        .arg("-")
        .arg("+")
        .query_async(&mut conn)
        .await
        .unwrap();
    let reasons: Vec<String> =
        dead.ids.iter().map(|e| redis::from_redis_value_ref::<String>(&e.map["reason"]).unwrap()).collect();
    assert_eq!(reasons, ["unsigned", "signature does not verify under the key of certificates"]);
}
