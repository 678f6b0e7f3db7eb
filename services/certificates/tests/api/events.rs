//! Events reach the stream exactly once, also when Redis was away.

use serde_json::json;

use crate::helpers::{RedisProxy, spawn_app_with};

#[tokio::test]
async fn a_revocation_puts_exactly_one_certificate_revoked_on_the_stream() {
    let app = spawn_app_with(|_| {}).await;
    let (body, id) = app.certified("12345678", "cb-one").await;
    let r = app
        .post(
            &format!("/api/v1/certificates/{id}/revocation"),
            &body,
            json!({"reason": "fraud", "grounds": "criminal_sanction"}),
        )
        .await;
    assert_eq!(r.status, 200);
    let events = app.wait_for_events("certificate.revoked", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.events("certificate.revoked").await.len(), 1);
    assert_eq!(events[0]["subject"], "12345678");
    assert_eq!(events[0]["addressed_to"], json!(["kvk"]));
    assert_eq!(events[0]["payload"]["certificate_id"], id);
    assert_eq!(events[0]["payload"]["previous_status"], "certified");
}

#[tokio::test]
async fn a_revocation_while_redis_is_down_is_published_once_when_it_returns() {
    let proxy = RedisProxy::start().await;
    let url = proxy.url.clone();
    let app = spawn_app_with(move |s| s.common.redis_url = url).await;
    let (body, id) = app.certified("12345678", "cb-one").await;
    app.wait_for_events("certificate.certified", 1).await;

    proxy.down();
    let r = app
        .post(
            &format!("/api/v1/certificates/{id}/revocation"),
            &body,
            json!({"reason": "fraud", "grounds": "criminal_sanction"}),
        )
        .await;
    assert_eq!(r.status, 200, "the register keeps working without Redis: {:?}", r.body);
    assert_eq!(app.public("12345678").await["status"], "revoked");
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.body["redis"], "unavailable");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(app.events("certificate.revoked").await.is_empty(), "nothing can be published while Redis is away");

    proxy.up();
    let events = app.wait_for_events("certificate.revoked", 1).await;
    assert_eq!(events.len(), 1);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.events("certificate.revoked").await.len(), 1, "exactly one");
}
