//! KvK's side of a revocation: a consumer group on the event stream receives the
//! `certificate.revoked` addressed to KvK, as a real subscriber (the notifier) will.

use std::time::Duration;

use platform::auth::{DevIssuer, Role};
use secrecy::SecretString;
use serde_json::json;

async fn fresh_database() -> (String, String) {
    let admin_url = std::env::var("ZEGEL_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let (admin, conn) = tokio_postgres::connect(&admin_url, tokio_postgres::NoTls)
        .await
        .expect("postgres");
    tokio::spawn(conn);
    let name = format!("zegel_e2e_{}", uuid::Uuid::new_v4().simple());
    admin
        .batch_execute(&format!("create database {name}"))
        .await
        .expect("create db");
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b.to_string())
        .unwrap_or_default();
    (format!("{base}/{name}"), name)
}

#[tokio::test]
async fn kvk_receives_the_revocation_it_must_act_on_through_a_consumer_group() {
    let (url, db_name) = fresh_database().await;
    let issuer = DevIssuer::generate("zegel-e2e").expect("key");
    let jwks = std::env::temp_dir().join(format!("zegel-e2e-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&jwks, issuer.jwks().to_string()).expect("jwks");
    let redis_url =
        std::env::var("ZEGEL_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let prefix = format!("zegel-e2e:{}", uuid::Uuid::new_v4().simple());

    let mut settings = zegel_certificates::config::Settings::local();
    settings.common.database_url = SecretString::from(url);
    settings.common.redis_url = redis_url.clone();
    settings.common.redis_prefix = prefix.clone();
    settings.common.jwks = jwks.to_string_lossy().into_owned();
    settings.common.jwt_issuer = "zegel-e2e".into();
    settings.own.port = 0;
    zegel_certificates::startup::migrate(&settings.common)
        .await
        .expect("migrate");

    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
        rt.block_on(async move {
            let app = zegel_certificates::startup::Application::build(settings)
                .await
                .expect("build");
            let _ = tx.send((app.port(), app.shutdown_handle()));
            let _ = app.run_until_stopped().await;
        });
    });
    let (port, shutdown) = rx.await.expect("started");
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let http = reqwest::Client::new();
    let token =
        |roles: &[Role], org: Option<&str>| issuer.token("e2e", roles, org, 600).expect("token");
    let post = |path: String, token: String, body: serde_json::Value| {
        let http = http.clone();
        async move {
            let r = http
                .request(reqwest::Method::POST, path)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .expect("send");
            assert!(
                r.status().is_success(),
                "{}",
                r.text().await.unwrap_or_default()
            );
            r.json::<serde_json::Value>().await.expect("json")
        }
    };

    // KvK's consumer group exists before anything happens, as a deployed notifier's would.
    let client = redis::Client::open(redis_url.as_str()).expect("redis");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("redis conn");
    let stream = format!("{prefix}:events");
    let _: () = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg(&stream)
        .arg("kvk")
        .arg("$")
        .arg("MKSTREAM")
        .query_async(&mut conn)
        .await
        .expect("group");

    let admin = token(&[Role::Admin], None);
    let r = http
        .put(format!("{base}/certification-bodies/cb-e2e"))
        .bearer_auth(&admin)
        .json(&json!({"name": "E2E body", "accredited": true}))
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), 200);
    post(format!("{base}/agencies"), token(&[Role::Kvk], None), json!({"kvk_number": "11223344", "name": "E2E Flex", "seat_country": "NL", "sbi_codes": ["7820"], "established_on": "2020-01-01"})).await;
    let body = token(&[Role::CertificationBody], Some("cb-e2e"));
    let cert = post(
        format!("{base}/agencies/11223344/certificates"),
        body.clone(),
        json!({}),
    )
    .await;
    let id = cert["certificate_id"].as_str().expect("id").to_string();
    post(
        format!("{base}/certificates/{id}/revocation"),
        body,
        json!({"reason": "court ruling", "grounds": "criminal_sanction"}),
    )
    .await;

    let mut received = Vec::new();
    for _ in 0..50 {
        let reply: redis::streams::StreamReadReply = redis::cmd("XREADGROUP")
            .arg("GROUP")
            .arg("kvk")
            .arg("kvk-1")
            .arg("COUNT")
            .arg(100)
            .arg("STREAMS")
            .arg(&stream)
            .arg(">")
            .query_async(&mut conn)
            .await
            .unwrap_or_default();
        for key in reply.keys {
            for entry in key.ids {
                let event = platform::outbox::Event::from_stream_fields(&entry.map)
                    .expect("well-formed event");
                let _: i64 = redis::cmd("XACK")
                    .arg(&stream)
                    .arg("kvk")
                    .arg(&entry.id)
                    .query_async(&mut conn)
                    .await
                    .expect("ack");
                if event.addressed_to.contains(&"kvk".to_string()) {
                    received.push(event);
                }
            }
        }
        if !received.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        received.len(),
        1,
        "exactly the revocation is addressed to KvK"
    );
    assert_eq!(received[0].event_type, "certificate.revoked");
    assert_eq!(received[0].subject, "11223344");

    shutdown.trigger();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}:*"))
        .query_async(&mut conn)
        .await
        .unwrap_or_default();
    if !keys.is_empty() {
        let _: () = redis::cmd("DEL")
            .arg(keys)
            .query_async(&mut conn)
            .await
            .unwrap_or(());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let admin_url = std::env::var("ZEGEL_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let (admin, conn) = tokio_postgres::connect(&admin_url, tokio_postgres::NoTls)
        .await
        .expect("postgres");
    tokio::spawn(conn);
    let _ = admin
        .batch_execute(&format!("drop database if exists {db_name} with (force)"))
        .await;
    let _ = std::fs::remove_file(jwks);
}
