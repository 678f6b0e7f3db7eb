//! Deliveries: signed, retried, dead-lettered, logged, redelivered — and nothing lost
//! when the notifier stops in the middle.

use std::collections::HashSet;

use serde_json::{Value, json};
use zegel_notifier::webhook;
use zegel_testkit::{Receiver, publish};

use crate::helpers::{Asks, certificate_event, for_tests, spawn_app};

#[tokio::test]
async fn a_subscriber_gets_a_correctly_signed_webhook_once() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let (id, secret) = app.subscribe(&app.hirer(), json!({"url": receiver.url, "agencies": ["11223344"]})).await;
    let event = certificate_event("11223344", "certificate.revoked");
    publish(&app.prefix.0, &event).await;
    publish(&app.prefix.0, &certificate_event("99999999", "certificate.revoked")).await;
    publish(&app.prefix.0, &event).await; // the stream may carry an event twice
    receiver.wait_until(|r| !r.is_empty()).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let got = receiver.received();
    assert_eq!(got.len(), 1, "once, and nothing about another agency");
    let w = &got[0];
    let ts: i64 = w.headers[webhook::TIMESTAMP].parse().unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!(webhook::verify(&secret, ts, &w.body, &w.headers[webhook::SIGNATURE], now), "the signature checks");
    assert!(!webhook::verify("wrong", ts, &w.body, &w.headers[webhook::SIGNATURE], now));
    assert_eq!(w.headers[webhook::EVENT_ID], event.event_id.to_string());
    let body: Value = serde_json::from_slice(&w.body).unwrap();
    assert_eq!(body["type"], "certificate.revoked");
    assert_eq!(body["agencies"], json!(["11223344"]), "the followed agency, and no payload: {body}");
    assert!(body.get("payload").is_none(), "{body}");
    assert_eq!(body["subscription_id"], id.as_str());

    let log = app.get(&format!("/api/v1/subscriptions/{id}/deliveries"), Some(&app.hirer())).await;
    assert_eq!(log.body["deliveries"][0]["status"], "delivered", "{:?}", log.body);
    assert_eq!(log.body["deliveries"][0]["attempt_log"][0]["status_code"], 200);
}

#[tokio::test]
async fn a_failing_receiver_gets_retries_then_the_dead_letters_then_a_redelivery() {
    let app = spawn_app().await; // at most 3 attempts, 20 ms backoff base
    let receiver = Receiver::start().await;
    receiver.answer(503);
    let (id, _) = app.subscribe(&app.hirer(), json!({"url": receiver.url, "agencies": ["11223344"]})).await;
    publish(&app.prefix.0, &certificate_event("11223344", "certificate.suspended")).await;
    receiver.wait_until(|r| r.len() >= 3).await;
    let log_path = format!("/api/v1/subscriptions/{id}/deliveries");
    let mut log = Value::Null;
    for _ in 0..100 {
        log = app.get(&log_path, Some(&app.hirer())).await.body;
        if log["deliveries"][0]["status"] == "dead" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let d = &log["deliveries"][0];
    assert_eq!((d["status"].as_str(), d["attempts"].as_i64()), (Some("dead"), Some(3)), "{log}");
    let attempts = d["attempt_log"].as_array().unwrap();
    assert!(attempts.iter().all(|a| a["status_code"] == 503));
    let times: Vec<chrono::DateTime<chrono::Utc>> =
        attempts.iter().map(|a| a["attempted_at"].as_str().unwrap().parse().unwrap()).collect();
    assert!(
        times[2] - times[1] >= times[1] - times[0] - chrono::Duration::milliseconds(15),
        "backoff grows: {times:?}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 3, "no attempt after the dead letter");
    // The operator sees two retries and one dead delivery.
    assert_eq!(app.metric(r#"zegel_webhook_deliveries_total{outcome="retrying""#).await, 2.0);
    assert_eq!(app.metric(r#"zegel_webhook_deliveries_total{outcome="dead""#).await, 1.0);
    assert_eq!(app.metric(r#"zegel_webhook_deliveries_total{outcome="delivered""#).await, 0.0);

    // The receiver is fixed; the owner sends it again.
    receiver.answer(200);
    let delivery = d["delivery_id"].as_str().unwrap();
    let other = app.token(&[platform::auth::Role::Hirer], Some("66666666"));
    assert_eq!(app.post(&format!("/api/v1/deliveries/{delivery}/redelivery"), &other, json!({})).await.status, 404);
    let r = app.post(&format!("/api/v1/deliveries/{delivery}/redelivery"), &app.hirer(), json!({})).await;
    assert_eq!(r.status, 202);
    receiver.wait_until(|r| r.iter().any(|w| w.answered == 200)).await;
    for _ in 0..100 {
        log = app.get(&log_path, Some(&app.hirer())).await.body;
        if log["deliveries"][0]["status"] == "delivered" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(log["deliveries"][0]["status"], "delivered", "{log}");
    assert_eq!(app.metric(r#"zegel_webhook_deliveries_total{outcome="delivered""#).await, 1.0);
}

#[tokio::test]
async fn a_notifier_stopped_mid_run_loses_nothing() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    receiver.delay(150); // slow: the stop comes while deliveries are in flight
    let (id, _) = app.subscribe(&app.hirer(), json!({"url": receiver.url, "agencies": ["11223344"]})).await;
    let events: Vec<_> = (0..30).map(|_| certificate_event("11223344", "certificate.suspended")).collect();
    for e in &events {
        publish(&app.prefix.0, e).await;
    }
    receiver.wait_until(|r| !r.is_empty()).await;
    app.stop();
    // A new instance on the same database and stream, as after a crash and restart.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    receiver.delay(0);
    let second = app.another(for_tests).await;
    // The receiver dedupes by event id, as the documentation tells receivers to.
    let got = receiver
        .wait_until(|r| {
            r.iter().map(|w| w.headers[webhook::EVENT_ID].clone()).collect::<HashSet<_>>().len() == events.len()
        })
        .await;
    let unique: HashSet<String> = got.iter().map(|w| w.headers[webhook::EVENT_ID].clone()).collect();
    let sent: HashSet<String> = events.iter().map(|e| e.event_id.to_string()).collect();
    assert_eq!(unique, sent, "every event arrived");
    assert!(got.len() >= events.len(), "at least once: {} deliveries for {} events", got.len(), events.len());
    // Every delivery is recorded as delivered; a duplicate is only one that was in flight.
    let restarted = &second.client;
    let mut log = Value::Null;
    // A delivery that was in flight at the stop falls due when its lease (2 s here) ends.
    for _ in 0..250 {
        log = restarted.get(&format!("/api/v1/subscriptions/{id}/deliveries"), Some(&app.hirer())).await.body;
        if log["deliveries"]
            .as_array()
            .is_some_and(|d| d.len() == events.len() && d.iter().all(|x| x["status"] == "delivered"))
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(log["deliveries"].as_array().unwrap().iter().all(|x| x["status"] == "delivered"), "{log}");
    assert!(got.len() - events.len() <= 16, "duplicates at most the deliveries in flight at the stop");
    drop(second);
}

#[tokio::test]
async fn one_organisation_cannot_make_the_notifier_an_amplifier() {
    let app = crate::helpers::spawn_with(|s| {
        s.own.max_subscriptions = 3;
        s.own.deliveries_per_hour = 2;
    })
    .await;
    let receiver = Receiver::start().await;
    let follow = json!({"url": receiver.url, "agencies": ["11223344"]});
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(app.subscribe(&app.hirer(), follow.clone()).await.0);
    }
    // A fourth subscription of the same organisation, by another of its people: refused.
    let colleague = app.token(&[platform::auth::Role::Hirer], Some("55555555"));
    let r = app.post("/api/v1/subscriptions", &colleague, follow.clone()).await;
    assert_eq!((r.status, r.body["errors"][0]["pointer"].as_str()), (422, Some("/url")), "{:?}", r.body);
    // Another organisation has its own.
    let other = app.token(&[platform::auth::Role::Hirer], Some("66666666"));
    app.subscribe(&other, follow.clone()).await;

    // One event: three deliveries for the first organisation, but only two POSTs this hour;
    // the third waits (postponed, not dropped, no attempt counted).
    publish(&app.prefix.0, &certificate_event("11223344", "certificate.revoked")).await;
    let got = receiver.wait_until(|r| r.len() >= 3).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(receiver.received().len(), 3, "two of the first organisation's and the other's one: {got:?}");
    let waiting: i64 = app
        .db
        .value("select count(*) from notifier.delivery where status = 'pending' and attempts = 0 and next_attempt_at > now()")
        .await;
    assert_eq!(waiting, 1, "the third waits for the budget");
    // Deleting one frees a place.
    let r = app.send("DELETE", &format!("/api/v1/subscriptions/{}", ids[0]), Some(&app.hirer()), None, None).await;
    assert_eq!(r.status, 204, "{:?}", r.body);
    assert_eq!(app.post("/api/v1/subscriptions", &colleague, follow).await.status, 201);
}
