//! Subscriptions: who may follow what, secrets shown once, each caller its own.

use platform::auth::Role;
use serde_json::json;

use crate::helpers::{Asks, spawn_app, spawn_with};

#[tokio::test]
async fn a_hirer_follows_its_agencies_and_an_authority_its_topics() {
    let app = spawn_app().await;
    let hook = "http://127.0.0.1:9/hook";
    let r = app
        .post("/api/v1/subscriptions", &app.hirer(), json!({"url": hook, "agencies": ["11223344", "11223344"]}))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["secret"].as_str().unwrap().len(), 64, "the secret, shown once");
    assert_eq!(r.body["agencies"], json!(["11223344"]));
    let id = r.body["subscription_id"].as_str().unwrap().to_string();
    let list = app.get("/api/v1/subscriptions", Some(&app.hirer())).await;
    assert_eq!(list.body["subscriptions"][0]["subscription_id"], id.as_str());
    assert!(list.body["subscriptions"][0].get("secret").is_none(), "never shown again");
    assert!(app.get(&format!("/api/v1/subscriptions/{id}"), Some(&app.hirer())).await.body.get("secret").is_none());

    // Topics are the caller's own parties.
    let kvk = app.token(&[Role::Kvk], None);
    assert_eq!(app.post("/api/v1/subscriptions", &kvk, json!({"url": hook, "topics": ["kvk"]})).await.status, 201);
    let r = app.post("/api/v1/subscriptions", &kvk, json!({"url": hook, "topics": ["inspectorate"]})).await;
    assert_eq!((r.status, r.body["errors"][0]["pointer"].as_str()), (422, Some("/topics/0")), "{:?}", r.body);
    assert_eq!(
        app.post("/api/v1/subscriptions", &app.hirer(), json!({"url": hook, "topics": ["kvk"]})).await.status,
        422
    );
    let venlo = app.token(&[Role::Municipality], Some("0983"));
    assert_eq!(
        app.post("/api/v1/subscriptions", &venlo, json!({"url": hook, "topics": ["municipality"]})).await.status,
        201
    );
    let agency = app.token(&[Role::Agency], Some("11223344"));
    assert_eq!(
        app.post("/api/v1/subscriptions", &agency, json!({"url": hook, "agencies": ["11223344"]})).await.status,
        403,
        "an agency follows no agencies"
    );
    assert_eq!(
        app.post("/api/v1/subscriptions", &agency, json!({"url": hook, "topics": ["agency:11223344"]})).await.status,
        201,
        "what is addressed to it"
    );
    assert_eq!(
        app.post("/api/v1/subscriptions", &agency, json!({"url": hook, "topics": ["agency:99999999"]})).await.status,
        422,
        "not another agency's"
    );

    // Bad input.
    for (body, pointer) in [
        (json!({"url": hook}), "/agencies"),
        (json!({"url": "ftp://x/y", "agencies": ["11223344"]}), "/url"),
        (json!({"url": hook, "agencies": ["1122"]}), "/agencies/0"),
    ] {
        let r = app.post("/api/v1/subscriptions", &app.hirer(), body).await;
        assert_eq!((r.status, r.body["errors"][0]["pointer"].as_str()), (422, Some(pointer)), "{:?}", r.body);
    }

    // Another caller sees nothing of it; the owner deletes it.
    let other = app.token(&[Role::Hirer], Some("66666666"));
    assert_eq!(app.get(&format!("/api/v1/subscriptions/{id}"), Some(&other)).await.status, 404);
    assert_eq!(app.send("DELETE", &format!("/api/v1/subscriptions/{id}"), Some(&other), None, None).await.status, 404);
    assert_eq!(
        app.send("DELETE", &format!("/api/v1/subscriptions/{id}"), Some(&app.hirer()), None, None).await.status,
        204
    );
    assert_eq!(app.get(&format!("/api/v1/subscriptions/{id}"), Some(&app.hirer())).await.status, 404);
    assert_eq!(app.get("/api/v1/subscriptions", None).await.status, 401);

    // Every change of a subscription is in the audit log: who, what, when; never its secret.
    let trail: String = app
        .db
        .value(&format!(
            "select string_agg(action || ' ' || role || ' ' || coalesce(org, '') || ' ' || coalesce(after::text, before::text), E'\\n' order by audit_log_id)
             from notifier.audit_log where subject = '{id}'"
        ))
        .await;
    let lines: Vec<&str> = trail.lines().collect();
    assert_eq!(lines.len(), 2, "{trail}");
    assert!(lines[0].starts_with("subscription.create hirer ") && lines[0].contains("11223344"), "{trail}");
    assert!(lines[1].starts_with("subscription.delete hirer "), "{trail}");
    assert!(!trail.contains("secret"), "{trail}");
}

#[tokio::test]
async fn webhooks_to_private_networks_are_refused_unless_allowed() {
    let app = spawn_with(|s| s.own.allow_private_targets = false).await;
    for url in ["http://127.0.0.1:8080/hook", "http://10.0.0.5/hook", "http://169.254.169.254/", "http://localhost/x"] {
        let r = app.post("/api/v1/subscriptions", &app.hirer(), json!({"url": url, "agencies": ["11223344"]})).await;
        assert_eq!(r.status, 422, "{url}");
        assert!(r.body["errors"][0]["detail"].as_str().unwrap().contains("private"), "{url}: {:?}", r.body);
    }
}
