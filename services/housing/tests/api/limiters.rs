//! The shell forgets the client addresses of every limiter once they have been quiet: the
//! public one of the platform and the stricter one this register keeps for complaints.

use serde_json::json;

use crate::helpers::{BAG, spawn_with};

#[tokio::test]
async fn every_limiter_forgets_quiet_client_addresses() {
    // Quotas that refill within a millisecond, so that "quiet" comes quickly.
    let app = spawn_with(|s| {
        s.common.public_rate_per_minute = 600_000;
        s.own.complaints_per_hour = 36_000_000;
    })
    .await;
    assert_eq!(app.state.core.remembered_clients(), 0);
    let read = app.http.get(format!("{}/api/v1/providers/12345678/buildings", app.address)).send().await.unwrap();
    assert_eq!(read.status(), 200, "a public read, limited by the platform's limiter: {:?}", read.text().await);
    let complaint = app
        .http
        .post(format!("{}/api/v1/buildings/{BAG}/complaints", app.address))
        .json(&json!({ "category": "hygiene", "text": "mould" }))
        .send()
        .await
        .unwrap();
    assert_eq!(complaint.status(), 202, "a complaint (about any address), limited by the register's own limiter");
    assert_eq!(app.state.core.remembered_clients(), 2, "one address in each limiter");

    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    app.state.core.forget_quiet_clients();
    assert_eq!(app.state.core.remembered_clients(), 0, "both forgot the quiet address");
}
