//! Every bad input answers the right problem, and nothing internal leaks.

use platform::auth::Role;
use serde_json::json;

use crate::helpers::{Asks, spawn_app};

#[tokio::test]
async fn bad_requests_answer_the_right_problem() {
    let app = spawn_app().await;
    let (body, id) = app.certified("12345678", "cb-one").await;
    let other = app.body("cb-two").await;
    let agency = app.token(&[Role::Agency], Some("12345678"));
    let revoke = json!({"reason": "r", "grounds": "other"});

    struct Case<'a> {
        name: &'a str,
        method: &'a str,
        path: String,
        token: Option<String>,
        body: Option<serde_json::Value>,
        status: u16,
        problem: &'a str,
    }
    let cases = vec![
        Case {
            name: "malformed KvK number",
            method: "GET",
            path: "/api/v1/agencies/1234/certificate".into(),
            token: None,
            body: None,
            status: 400,
            problem: "malformed-request",
        },
        Case {
            name: "unknown agency",
            method: "GET",
            path: "/api/v1/agencies/99999999/certificate".into(),
            token: None,
            body: None,
            status: 404,
            problem: "not-found",
        },
        Case {
            name: "unknown agency for a certificate",
            method: "POST",
            path: "/api/v1/agencies/99999999/certificates".into(),
            token: Some(body.clone()),
            body: Some(json!({})),
            status: 404,
            problem: "not-found",
        },
        Case {
            name: "malformed certificate id",
            method: "POST",
            path: "/api/v1/certificates/not-a-uuid/revocation".into(),
            token: Some(body.clone()),
            body: Some(revoke.clone()),
            status: 400,
            problem: "malformed-request",
        },
        Case {
            name: "unknown certificate",
            method: "POST",
            path: format!("/api/v1/certificates/{}/revocation", uuid::Uuid::nil()),
            token: Some(body.clone()),
            body: Some(revoke.clone()),
            status: 404,
            problem: "not-found",
        },
        Case {
            name: "no token",
            method: "POST",
            path: format!("/api/v1/certificates/{id}/revocation"),
            token: None,
            body: Some(revoke.clone()),
            status: 401,
            problem: "unauthorized",
        },
        Case {
            name: "wrong role",
            method: "POST",
            path: format!("/api/v1/certificates/{id}/revocation"),
            token: Some(agency.clone()),
            body: Some(revoke.clone()),
            status: 403,
            problem: "forbidden",
        },
        Case {
            name: "another body's certificate",
            method: "POST",
            path: format!("/api/v1/certificates/{id}/revocation"),
            token: Some(other.clone()),
            body: Some(revoke.clone()),
            // As if there were none: a refusal would tell the other body the id is real.
            status: 404,
            problem: "not-found",
        },
        Case {
            name: "illegal transition",
            method: "POST",
            path: format!("/api/v1/certificates/{id}/reinstatement"),
            token: Some(body.clone()),
            body: Some(json!({"reason": "r"})),
            status: 409,
            problem: "illegal-transition",
        },
        Case {
            name: "second certificate in force",
            method: "POST",
            path: "/api/v1/agencies/12345678/certificates".into(),
            token: Some(body.clone()),
            body: Some(json!({})),
            status: 409,
            problem: "certificate-in-force",
        },
        Case {
            name: "agency registered twice",
            method: "POST",
            path: "/api/v1/agencies".into(),
            token: Some(app.token(&[Role::Kvk], None)),
            body: Some(
                json!({"kvk_number": "12345678", "name": "X", "seat_country": "NL", "sbi_codes": ["7820"], "established_on": "2020-01-01"}),
            ),
            status: 409,
            problem: "agency-exists",
        },
        Case {
            name: "invalid agency fields",
            method: "POST",
            path: "/api/v1/agencies".into(),
            token: Some(app.token(&[Role::Kvk], None)),
            body: Some(
                json!({"kvk_number": "1234", "name": " ", "seat_country": "NLD", "sbi_codes": [], "established_on": "2999-01-01"}),
            ),
            status: 422,
            problem: "validation",
        },
        Case {
            name: "wrong field type",
            method: "POST",
            path: format!("/api/v1/certificates/{id}/revocation"),
            token: Some(body.clone()),
            body: Some(json!({"reason": 5, "grounds": "other"})),
            status: 422,
            problem: "validation",
        },
        Case {
            name: "unknown grounds",
            method: "POST",
            path: format!("/api/v1/certificates/{id}/revocation"),
            token: Some(body.clone()),
            body: Some(json!({"reason": "r", "grounds": "dislike"})),
            status: 422,
            problem: "validation",
        },
        Case {
            name: "suspension without deadline",
            method: "POST",
            path: format!("/api/v1/certificates/{id}/suspension"),
            token: Some(body.clone()),
            body: Some(json!({"reason": "r"})),
            status: 422,
            problem: "validation",
        },
        Case {
            name: "unknown requirement",
            method: "PUT",
            path: format!("/api/v1/certificates/{id}/requirements/charisma"),
            token: Some(body.clone()),
            body: Some(json!({"outcome": "met", "evidence_ref": "x"})),
            status: 404,
            problem: "not-found",
        },
        Case {
            name: "no route",
            method: "GET",
            path: "/api/v1/nothing".into(),
            token: None,
            body: None,
            status: 404,
            problem: "not-found",
        },
        Case {
            name: "wrong method",
            method: "DELETE",
            path: "/api/v1/agencies".into(),
            token: None,
            body: None,
            status: 405,
            problem: "method-not-allowed",
        },
    ];
    for case in cases {
        let r = app.send(case.method, &case.path, case.token.as_deref(), case.body, None).await;
        assert_eq!(r.status, case.status, "{}: {:?}", case.name, r.body);
        assert_eq!(r.header("content-type"), Some("application/problem+json"), "{}", case.name);
        assert_eq!(r.body["type"], format!("urn:zegel:problem:{}", case.problem), "{}", case.name);
        assert_eq!(r.body["status"], case.status, "{}", case.name);
        if case.status == 401 {
            assert_eq!(r.header("www-authenticate"), Some("Bearer"), "{}", case.name);
        }
    }
    let r = app
        .post("/api/v1/agencies", &app.token(&[Role::Kvk], None), json!({"kvk_number": "1234", "name": " ", "seat_country": "NLD", "sbi_codes": [], "established_on": "2999-01-01"}))
        .await;
    let pointers: Vec<_> =
        r.body["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap()).collect();
    assert_eq!(pointers, ["/kvk_number", "/name", "/seat_country", "/sbi_codes", "/established_on"]);
}

#[tokio::test]
async fn malformed_bodies_are_refused_before_anything_changes() {
    let app = spawn_app().await;
    let (body, id) = app.certified("12345678", "cb-one").await;
    let url = format!("{}/api/v1/certificates/{id}/revocation", app.address);
    let send = |content_type: &'static str, payload: Vec<u8>| {
        app.http.post(&url).bearer_auth(&body).header("content-type", content_type).body(payload).send()
    };
    let r = send("application/json", b"{\"reason\": ".to_vec()).await.unwrap();
    assert_eq!(r.status(), 400, "malformed JSON");
    let r = send("text/plain", br#"{"reason":"r","grounds":"other"}"#.to_vec()).await.unwrap();
    assert_eq!(r.status(), 415, "wrong content type");
    let r = send("application/json", vec![b' '; 70 * 1024]).await.unwrap();
    assert_eq!(r.status(), 413, "body too large");
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let (status, text) = app
        .raw(&format!("POST /api/v1/certificates/{id}/revocation HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n"))
        .await;
    assert_eq!(status, 411, "{text}");
    assert_eq!(app.public("12345678").await["status"], "certified");
}

#[tokio::test]
async fn a_repeated_post_with_the_same_idempotency_key_has_no_second_effect() {
    let app = spawn_app().await;
    let body = app.body("cb-one").await;
    app.agency("12345678", 400).await;
    let first =
        app.send("POST", "/api/v1/agencies/12345678/certificates", Some(&body), Some(json!({})), Some("key-1")).await;
    assert_eq!(first.status, 201);
    let again =
        app.send("POST", "/api/v1/agencies/12345678/certificates", Some(&body), Some(json!({})), Some("key-1")).await;
    assert_eq!(again.status, 201, "the first answer again, not a 409: {:?}", again.body);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let other = app
        .send(
            "POST",
            "/api/v1/agencies/12345678/certificates",
            Some(&body),
            Some(json!({"reason": "x"})),
            Some("key-1"),
        )
        .await;
    assert_eq!(other.status, 422, "same key, other request");
    assert_eq!(other.body["type"], "urn:zegel:problem:idempotency-key-reused");
    app.wait_for_events("certificate.provisional_issued", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.events("certificate.provisional_issued").await.len(), 1, "one certificate, one event");

    let id = first.body["certificate_id"].as_str().unwrap();
    app.meet_all(id, &body).await;
    app.post(&format!("/api/v1/certificates/{id}/certification"), &body, json!({})).await;
    let revoke = json!({"reason": "fine", "grounds": "irrevocable_fine"});
    let a = app
        .send(
            "POST",
            &format!("/api/v1/certificates/{id}/revocation"),
            Some(&body),
            Some(revoke.clone()),
            Some("rev-1"),
        )
        .await;
    let b = app
        .send("POST", &format!("/api/v1/certificates/{id}/revocation"), Some(&body), Some(revoke), Some("rev-1"))
        .await;
    assert_eq!((a.status, b.status), (200, 200));
    let trail = app.get(&format!("/api/v1/certificates/{id}/audit-trail"), Some(&body)).await;
    let revokes =
        trail.body["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "certificate.revoke").count();
    assert_eq!(revokes, 1);
}

#[tokio::test]
async fn a_broken_database_answers_a_500_problem_that_leaks_nothing() {
    let app = spawn_app().await;
    app.agency("12345678", 400).await;
    app.sql("alter table certificates.certificate rename to certificate_gone").await;
    let r = app.get("/api/v1/agencies/12345678/certificate", None).await;
    assert_eq!(r.status, 500);
    let instance = r.body["instance"].as_str().unwrap().to_string();
    assert!(instance.starts_with("urn:zegel:request:"));
    assert_eq!(
        r.body,
        json!({
            "type": "urn:zegel:problem:internal",
            "title": "Internal error",
            "status": 500,
            "detail": "Something went wrong on our side. Quote the instance when reporting it.",
            "instance": instance,
        })
    );
}

#[tokio::test]
async fn only_accredited_bodies_act_and_public_reads_are_rate_limited() {
    let app = crate::helpers::spawn_app_with(|s| s.common.public_rate_per_minute = 5).await;
    let body = app.body("cb-one").await;
    app.agency("12345678", 400).await;
    let admin = app.token(&[Role::Admin], None);
    app.put("/api/v1/certification-bodies/cb-one", &admin, json!({"name": "Body", "accredited": false})).await;
    let r = app.post("/api/v1/agencies/12345678/certificates", &body, json!({})).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    let unknown = app.token(&[Role::CertificationBody], Some("cb-unknown"));
    let r = app.post("/api/v1/agencies/12345678/certificates", &unknown, json!({})).await;
    assert_eq!(r.status, 403);

    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(app.get("/api/v1/agencies/12345678/certificate", None).await);
    }
    let limited = statuses.iter().find(|r| r.status == 429).expect("a 429 after the limit");
    assert_eq!(limited.body["type"], "urn:zegel:problem:rate-limited");
    assert!(limited.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
}

/// A database that refuses every connection (as while it fails over): the pod stays ready —
/// taking every replica out of service at once would leave the gateway answering with no
/// document — and reports Postgres; a request that needs the database is a 503
/// `unavailable` problem the client can retry.
#[tokio::test]
async fn without_its_database_a_pod_stays_ready_and_answers_unavailable() {
    let app = spawn_app().await;
    let (admin, connection) =
        tokio_postgres::connect(&zegel_testkit::admin_url(), tokio_postgres::NoTls).await.expect("admin");
    tokio::spawn(connection);
    let db = &app.db.name;
    admin.batch_execute(&format!("alter database {db} allow_connections false")).await.expect("refuse");
    admin
        .execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1", &[db])
        .await
        .expect("end the sessions");
    let ready = app.get("/readyz", None).await;
    let read = app.get("/api/v1/agencies/12345678/certificate", None).await;
    admin.batch_execute(&format!("alter database {db} allow_connections true")).await.expect("allow again");
    assert_eq!(ready.status, 200, "{:?}", ready.body);
    assert_eq!(ready.body["postgres"], "unavailable");
    assert_eq!(read.status, 503, "{:?}", read.body);
    assert_eq!(read.body["type"], "urn:zegel:problem:unavailable");
}

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz", None).await.status, 200);
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.body, json!({"postgres": "ok", "redis": "ok"}));
    app.get("/api/v1/agencies/12345678/certificate", None).await;
    // Metrics are on the internal port only, labelled by the route that answered.
    assert_eq!(app.get("/metrics", None).await.status, 404, "not on the public port");
    let metrics = app.http.get(format!("{}/metrics", app.internal)).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains(r#"route="/api/v1/agencies/{}/certificate""#), "{metrics}");
    assert!(metrics.contains(r#"route="/readyz""#), "{metrics}");
    // When the seal certificate ends (the alert fires weeks before), the pool, the process.
    let not_after = metrics
        .lines()
        .find_map(|l| l.strip_prefix(r#"zegel_key_not_after_seconds{kind="seal_certificate"} "#))
        .and_then(|v| v.parse::<i64>().ok())
        .expect("the seal certificate's end");
    assert!(not_after > chrono::Utc::now().timestamp(), "{not_after}");
    assert!(metrics.contains("zegel_db_pool_max_connections 4"), "{metrics}");
    assert!(metrics.contains(r#"zegel_db_pool_connections{state="in_use"}"#), "{metrics}");
    assert!(metrics.contains("process_resident_memory_bytes"), "{metrics}");
    let ready = app.http.get(format!("{}/readyz", app.internal)).send().await.unwrap();
    assert_eq!(ready.status(), 200, "the probes answer on the internal port too");
}

#[tokio::test]
async fn concurrent_retries_with_one_idempotency_key_have_one_effect() {
    let app = spawn_app().await;
    let (body, id) = app.certified("12345678", "cb-one").await;
    let revoke = json!({"reason": "fine", "grounds": "irrevocable_fine"});
    let path = format!("/api/v1/certificates/{id}/revocation");
    let replies = futures::future::join_all(
        (0..8).map(|_| app.send("POST", &path, Some(&body), Some(revoke.clone()), Some("same-key"))),
    )
    .await;
    for r in &replies {
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body, replies[0].body);
    }
    let trail = app.get(&format!("/api/v1/certificates/{id}/audit-trail"), Some(&body)).await;
    let revokes =
        trail.body["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "certificate.revoke").count();
    assert_eq!(revokes, 1);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.wait_for_events("certificate.revoked", 1).await.len(), 1);
}

#[test]
fn an_invalid_setting_stops_the_start_with_a_clear_message() {
    // The test kit's own variable is no setting of the service.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zegel-certificates"))
        .arg("serve")
        .env_remove("ZEGEL_TEST_DATABASE_URL")
        .env("ZEGEL_CERTIFICATES_PROT", "8081")
        .output()
        .expect("binary runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ZEGEL_CERTIFICATES_") && stderr.contains("prot"), "{stderr}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zegel-certificates"))
        .arg("serve")
        .env_remove("ZEGEL_TEST_DATABASE_URL")
        .env("ZEGEL_DATABASE_URL", "nonsense://")
        .output()
        .expect("binary runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ZEGEL_DATABASE_URL"));
}

/// A migration job in production carries the database login only: no signing key or
/// secret is asked of it, while serving with development settings is still refused.
#[tokio::test]
async fn in_production_a_migration_needs_the_database_only_and_serving_is_refused_dev_settings() {
    let db = zegel_testkit::TestDb::empty().await;
    let run = |command: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_zegel-certificates"))
            .arg(command)
            .env_remove("ZEGEL_TEST_DATABASE_URL")
            .env("ZEGEL_ENV", "production")
            .env("ZEGEL_DATABASE_URL", &db.url)
            .env("ZEGEL_LOG_FORMAT", "json")
            .output()
            .expect("binary runs")
    };
    let migrated = run("migrate");
    assert!(migrated.status.success(), "{}", String::from_utf8_lossy(&migrated.stderr));
    let applied: i64 = db.value("select count(*) from certificates.zegel_certificates_history").await;
    assert!(applied > 0);
    let served = run("serve");
    assert_eq!(served.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&served.stderr);
    assert!(stderr.contains("ZEGEL_CERTIFICATES_SEAL_KEY") && stderr.contains("ZEGEL_JWKS"), "{stderr}");
}

#[tokio::test]
async fn a_caller_of_another_role_is_refused_before_the_body_is_read_or_the_certificate_looked_up() {
    let app = spawn_app().await;
    let (body, id) = app.certified("12345678", "cb-one").await;
    let nil = uuid::Uuid::nil();
    let actions = [
        ("PUT", "requirements/cao_wage_compliance"),
        ("POST", "extension"),
        ("POST", "certification"),
        ("POST", "audits"),
        ("POST", &format!("deficiencies/{nil}/resolution")),
        ("POST", "suspension"),
        ("POST", "reinstatement"),
        ("POST", "revocation"),
        ("POST", "withdrawal"),
    ];
    let hirer = app.token(&[Role::Hirer], Some("87654321"));
    let tax = app.token(&[Role::Tax], None);
    for (method, action) in actions {
        for certificate in [id.clone(), nil.to_string()] {
            let path = format!("/api/v1/certificates/{certificate}/{action}");
            for token in [&hirer, &tax] {
                let r = app.send(method, &path, Some(token), Some(json!({})), None).await;
                assert_eq!(r.status, 403, "{method} {path}: {:?}", r.body);
            }
            assert_eq!(app.send(method, &path, None, Some(json!({})), None).await.status, 401, "{path}");
        }
        // The body that issued it gets past the gate (to the checks of what it sent).
        if action != "withdrawal" {
            let path = format!("/api/v1/certificates/{id}/{action}");
            let r = app.send(method, &path, Some(&body), Some(json!({})), None).await;
            assert!(!matches!(r.status, 401 | 403), "{method} {path}: {} {:?}", r.status, r.body);
        }
    }
}

/// NL API Design Rules: the service publishes its own OpenAPI document, and every answer —
/// a document, a problem, a probe — names the full version of the API.
#[tokio::test]
async fn the_service_publishes_its_document_and_every_answer_names_the_api_version() {
    let app = spawn_app().await;
    let r = app.http.get(format!("{}/api/v1/openapi.json", app.address)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["api-version"], platform::http::API_VERSION);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert_eq!(r.headers()["content-type"], "application/json");
    let served: serde_json::Value = r.json().await.unwrap();
    let file: serde_json::Value =
        serde_yaml_ng::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/certificates.yaml")))
            .unwrap();
    assert_eq!(served, file, "the document as kept in openapi/");
    for path in ["/healthz", "/no/such/path", "/api/v1/agencies/12345678/certificate", "/api/v1/certificates/x"] {
        let r = app.http.get(format!("{}{path}", app.address)).send().await.unwrap();
        assert_eq!(r.headers()["api-version"], platform::http::API_VERSION, "{path}: {}", r.status());
    }
}

/// Issue 32: every answer carries the security headers and HSTS — warp's own 404, 405, 411
/// and 413 too — and no answer to a caller with a token, nor any error, may be stored by a
/// cache.
#[tokio::test]
async fn every_answer_carries_the_security_headers_and_nothing_personal_is_cached() {
    let app = spawn_app().await;
    let (body, id) = app.certified("12345678", "cb-one").await;
    let url = |path: &str| format!("{}{path}", app.address);
    // Too large: said by its Content-Length alone, over a connection of its own (the server
    // answers before the body and closes; a pooled connection would be broken after it).
    let (status, text) = app
        .raw(
            "POST /api/v1/agencies HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Content-Length: 2000000\r\nConnection: close\r\n\r\n",
        )
        .await;
    assert_eq!(status, 413, "{text}");
    let head = text.to_ascii_lowercase();
    for header in ["x-content-type-options: nosniff", "strict-transport-security: max-age=", "cache-control: no-store"]
    {
        assert!(head.contains(header), "too large: {header}: {text}");
    }
    // Too many headers: our 431, with the same headers, not the server library's bare one.
    let many: String = (0..150).map(|i| format!("X-Filler-{i}: {i}\r\n")).collect();
    let (status, text) =
        app.raw(&format!("GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\n{many}Connection: close\r\n\r\n")).await;
    assert_eq!(status, 431, "{text}");
    let head = text.to_ascii_lowercase();
    for header in [
        "x-content-type-options: nosniff",
        "strict-transport-security: max-age=",
        "cache-control: no-store",
        "content-type: application/problem+json",
    ] {
        assert!(head.contains(header), "too many headers: {header}: {text}");
    }
    assert!(text.contains("urn:zegel:problem:headers-too-large"), "{text}");
    let answers = vec![
        ("no route", app.http.get(url("/no/such/path")).send().await.unwrap()),
        ("wrong method", app.http.delete(url("/api/v1/agencies")).send().await.unwrap()),
        (
            "detail with a token",
            app.http.get(url(&format!("/api/v1/certificates/{id}"))).bearer_auth(&body).send().await.unwrap(),
        ),
        (
            "audit trail",
            app.http
                .get(url(&format!("/api/v1/certificates/{id}/audit-trail")))
                .bearer_auth(&body)
                .send()
                .await
                .unwrap(),
        ),
        ("unauthenticated", app.http.get(url(&format!("/api/v1/certificates/{id}"))).send().await.unwrap()),
    ];
    for (case, r) in answers {
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{case}: {}", r.status());
        assert!(h["strict-transport-security"].to_str().unwrap().starts_with("max-age="), "{case}");
        assert_eq!(h["x-frame-options"], "DENY", "{case}");
        assert_eq!(h["cache-control"], "no-store", "{case}: {}", r.status());
    }
    // The public view may be kept by nobody either (it says so itself); a public document may.
    let doc = app.http.get(url("/api/v1/openapi.json")).send().await.unwrap();
    assert!(doc.headers().get("cache-control").is_none_or(|v| v != "no-store"), "public and unchanging");
    assert!(doc.headers().contains_key("strict-transport-security"));
}

#[tokio::test]
async fn a_bodys_reading_rights_end_with_its_accreditation_and_the_other_registers_hear_of_it() {
    let app = spawn_app().await;
    let (body, id) = app.starter("12345678", 400).await;
    let detail = format!("/api/v1/certificates/{id}");
    let sanctions = "/api/v1/agencies/12345678/final-sanctions";
    let complaints = "/api/v1/agencies/12345678/work-complaints";
    for path in [detail.as_str(), sanctions, complaints] {
        assert_eq!(app.get(path, Some(&body)).await.status, 200, "{path} while accredited");
    }
    // A requirement recorded with an idempotency key, replayed while accredited: the first answer.
    let audit = json!({"outcome": "met", "evidence_ref": "dossier/cao"});
    let audits = format!("/api/v1/certificates/{id}/requirements/cao_wage_compliance");
    let first = app.send("PUT", &audits, Some(&body), Some(audit.clone()), Some("a-1")).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let again = app.send("PUT", &audits, Some(&body), Some(audit.clone()), Some("a-1")).await;
    assert_eq!((again.status, again.header("idempotent-replayed")), (200, Some("true")), "{:?}", again.body);
    assert_eq!(again.body, first.body);
    let admin = app.token(&[Role::Admin], None);
    let r = app.put("/api/v1/certification-bodies/cb-one", &admin, json!({"name": "Body", "accredited": false})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    for (path, status) in [(detail.as_str(), 404), (sanctions, 403), (complaints, 403)] {
        assert_eq!(app.get(path, Some(&body)).await.status, status, "{path} once the accreditation is withdrawn");
    }
    // A replay runs its checks again: the stored answer is not handed to a body that may
    // no longer act (nor read the certificate it names).
    let replayed = app.send("PUT", &audits, Some(&body), Some(audit), Some("a-1")).await;
    assert_eq!(replayed.status, 403, "{:?}", replayed.body);
    assert!(replayed.header("idempotent-replayed").is_none());
    let told = app.wait_for_events("certificate.body_accreditation", 2).await;
    let last = told.last().expect("the withdrawal is published");
    assert_eq!(last["addressed_to"], json!(["bans", "housing"]));
    assert_eq!(last["payload"], json!({"certification_body_id": "cb-one", "accredited": false}));
    // Putting the same accreditation again tells nobody anything new.
    app.put("/api/v1/certification-bodies/cb-one", &admin, json!({"name": "Body B.V.", "accredited": false})).await;
    assert_eq!(app.events("certificate.body_accreditation").await.len(), told.len());
    app.put("/api/v1/certification-bodies/cb-one", &admin, json!({"name": "Body", "accredited": true})).await;
    assert_eq!(app.get(&detail, Some(&body)).await.status, 200, "accredited again");
}
