//! Events reach the stream exactly once, also when Redis was away.

use serde_json::json;

use crate::helpers::{Asks, RedisProxy, spawn_app_with};

#[tokio::test]
async fn a_revocation_puts_exactly_one_certificate_revoked_on_the_stream() {
    let app = spawn_app_with(|_| {}).await;
    let (body, id) = app.certified("12345678", "cb-one").await;
    let r = app.revoke(&id, &body, "criminal_sanction", "fraud").await;
    assert_eq!(r.status, 200);
    let events = app.wait_for_events("certificate.revoked", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.events("certificate.revoked").await.len(), 1);
    assert_eq!(events[0]["subject"], "12345678");
    assert_eq!(events[0]["addressed_to"], json!(["kvk", "inspectorate", "tax", "bans", "housing"]));
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
    let r = app.revoke(&id, &body, "criminal_sanction", "fraud").await;
    assert_eq!(r.status, 200, "the register keeps working without Redis: {:?}", r.body);
    assert_eq!(app.public("12345678").await["status"], "revoked");
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.body["redis"], "unavailable");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(app.events("certificate.revoked").await.is_empty(), "nothing can be published while Redis is away");
    // The operator sees the backlog grow and age.
    assert_eq!(metric(&app, "zegel_outbox_unpublished ").await, 1.0);
    assert!(metric(&app, "zegel_outbox_oldest_unpublished_seconds ").await >= 0.4);

    proxy.up();
    let events = app.wait_for_events("certificate.revoked", 1).await;
    assert_eq!(events.len(), 1);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.events("certificate.revoked").await.len(), 1, "exactly one");
    // The relay marks the row published after the stream has it: on a busy machine that
    // can take a moment longer than the event takes to show.
    let mut unpublished = metric(&app, "zegel_outbox_unpublished ").await;
    for _ in 0..50 {
        if unpublished == 0.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        unpublished = metric(&app, "zegel_outbox_unpublished ").await;
    }
    assert_eq!(unpublished, 0.0);
    assert_eq!(metric(&app, "zegel_outbox_oldest_unpublished_seconds ").await, 0.0);
    assert_eq!(app.events("certificate.revoked").await.len(), 1, "still exactly one");
    // Its consumer group reads everything on the stream and acknowledges it (a moment after
    // the entry lands: the consumer is its own task).
    let pending = r#"zegel_consumer_pending{group="certificates""#;
    let lag = r#"zegel_consumer_lag{group="certificates""#;
    for _ in 0..50 {
        if metric(&app, pending).await == 0.0 && metric(&app, lag).await == 0.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(metric(&app, pending).await, 0.0);
    assert_eq!(metric(&app, lag).await, 0.0);
    assert!(metric(&app, r#"zegel_task_runs_total{outcome="ok",task="certificate sweep""#).await >= 1.0);
}

/// The value of the one series of the service's metrics whose line starts with `series`.
async fn metric(app: &crate::helpers::TestApp, series: &str) -> f64 {
    let text = app.http.get(format!("{}/metrics", app.internal)).send().await.unwrap().text().await.unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with(series)).collect();
    assert_eq!(lines.len(), 1, "{series} in {text}");
    lines[0].rsplit(' ').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_ban_on_an_officer_suspends_the_certificate_once_even_when_delivered_twice() {
    let app = spawn_app_with(|_| {}).await;
    let (_body, id) = app.certified("12345678", "cb-one").await;
    let ban = zegel_testkit::events::officer_banned("12345678");
    zegel_testkit::publish(&app.prefix.0, &ban).await;
    zegel_testkit::publish(&app.prefix.0, &ban).await;
    assert_eq!(app.public_status("12345678", "suspended").await, "suspended");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let inspectorate = app.token(&[platform::auth::Role::Inspectorate], None);
    let trail = app.get(&format!("/api/v1/certificates/{id}/audit-trail"), Some(&inspectorate)).await;
    let suspends: Vec<_> =
        trail.body["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "certificate.suspend").collect();
    assert_eq!(suspends.len(), 1, "delivered twice, applied once");
    assert_eq!(suspends[0]["cause_event_id"], ban.event_id.to_string());
    assert_eq!(suspends[0]["actor"]["subject"], "system:certificates.consumer");
    let told = app.wait_for_events("certificate.suspended", 1).await;
    assert_eq!(told[0]["addressed_to"], json!(["certification_body:cb-one", "inspectorate"]));

    // A closed G-account of another, uncertified agency changes nothing.
    let other = zegel_testkit::events::g_account("99999999", zegel_contracts::GAccountStatus::Closed);
    zegel_testkit::publish(&app.prefix.0, &other).await;
}

#[tokio::test]
async fn a_blocked_g_account_suspends_the_certificate() {
    let app = spawn_app_with(|_| {}).await;
    app.certified("12345678", "cb-one").await;
    let blocked = zegel_testkit::events::g_account("12345678", zegel_contracts::GAccountStatus::Blocked);
    zegel_testkit::publish(&app.prefix.0, &blocked).await;
    assert_eq!(app.public_status("12345678", "suspended").await, "suspended");
}

#[tokio::test]
async fn an_overdue_deposit_shortfall_lapses_the_certificate() {
    let app = spawn_app_with(|_| {}).await;
    app.certified("12345678", "cb-one").await;
    let top_up_by = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).expect("a date");
    let overdue = zegel_testkit::events::shortfall_overdue("12345678", top_up_by);
    zegel_testkit::publish(&app.prefix.0, &overdue).await;
    assert_eq!(app.public_status("12345678", "lapsed").await, "lapsed");
    assert_eq!(
        app.wait_for_events("certificate.lapsed", 1).await[0]["addressed_to"],
        json!(["kvk", "inspectorate", "tax", "bans", "housing"])
    );
}

#[tokio::test]
async fn a_forged_deposit_shortfall_lapses_nothing_and_is_counted() {
    let app = spawn_app_with(|_| {}).await;
    app.certified("12345678", "cb-one").await;
    let forged = |signer: Option<&'static str>| {
        let top_up_by = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).expect("a date");
        let event = zegel_testkit::events::shortfall_overdue("12345678", top_up_by);
        let prefix = app.prefix.0.clone();
        async move { zegel_testkit::publish_signed_by(&prefix, &event, signer).await }
    };
    // Written straight to the stream, and signed by another register's key.
    forged(None).await;
    forged(Some("housing")).await;
    let metrics = || {
        let url = format!("{}/metrics", app.internal);
        let http = app.http.clone();
        async move { http.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let mut text = String::new();
    for _ in 0..100 {
        text = metrics().await;
        if text.contains("zegel_events_dead_lettered_total 2") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(text.contains("zegel_events_dead_lettered_total 2"), "{text}");
    assert_eq!(app.public("12345678").await["status"], "certified", "nothing was acted on");
}
