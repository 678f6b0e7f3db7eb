//! The accident duty (advice 2.1 G), across the certificates register and the lookup: a
//! hirer reports a notifiable accident; the agency that does not report it to the Labour
//! Authority in time is signalled to the inspectorate; until the agency records its safety
//! check, that hirer — and only that hirer — may not hire the agency's workers.

use platform::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};
use zegel_e2e::Suite;

const AGENCY: &str = "11223344";
const HIRER: &str = "87654321";
const OTHER_HIRER: &str = "55556666";

async fn check(suite: &Suite, token: Option<&str>) -> Value {
    let mut rb = suite.http.get(format!("{}/api/v1/agencies/{AGENCY}/check", suite.lookup.address));
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    let r = rb.send().await.expect("check");
    assert_eq!(r.status(), 200);
    r.json().await.expect("json")
}

async fn certs(suite: &Suite, method: Method, path: &str, token: &str, body: Value) -> (u16, Value) {
    let r = suite
        .http
        .request(method, format!("{}{path}", suite.certificates.address))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("certificates");
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_reported_accident_keeps_that_hirer_from_hiring_until_the_safety_check_and_a_late_report_is_signalled() {
    let suite = Suite::start().await;
    suite.certified(AGENCY).await;
    let hirer = suite.token(Role::Hirer, Some(HIRER));
    let other = suite.token(Role::Hirer, Some(OTHER_HIRER));
    let agency = suite.token(Role::Agency, Some(AGENCY));
    let inspectorate = suite.token(Role::Inspectorate, None);
    assert_eq!(check(&suite, Some(&hirer)).await["may_hire"], true);
    // The agency follows what is addressed to it; the hirer, what is addressed to it.
    let (agency_hooks, hirer_hooks) = (zegel_testkit::Receiver::start().await, zegel_testkit::Receiver::start().await);
    for (token, topic, receiver) in
        [(&agency, format!("agency:{AGENCY}"), &agency_hooks), (&hirer, format!("hirer:{HIRER}"), &hirer_hooks)]
    {
        let r = suite
            .http
            .post(format!("{}/api/v1/subscriptions", suite.notifier.address))
            .bearer_auth(token)
            .json(&json!({"url": receiver.url, "topics": [topic]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{:?}", r.text().await);
    }

    let yesterday = (platform::clock::dutch_date(chrono::Utc::now()) - chrono::Days::new(1)).to_string();
    let accident = json!({"occurred_on": yesterday, "kind": "hospital_admission",
        "what_happened": "A temporary worker fell from a loading platform and was taken to hospital."});
    let path = format!("/api/v1/agencies/{AGENCY}/accidents");
    let (status, body) = certs(&suite, Method::POST, &path, &hirer, accident.clone()).await;
    assert_eq!(status, 201, "{body}");
    let id = body["accident_id"].as_str().unwrap().to_string();

    // That hirer may not hire the agency's workers now; everyone else still may.
    let pair = check(&suite, Some(&hirer)).await;
    assert_eq!(pair["may_hire"], false, "{pair}");
    assert_eq!(pair["reason_codes"], json!(["safety_check_outstanding"]));
    assert_eq!(pair["parts"]["safety"]["status"], "outstanding");
    assert_eq!(check(&suite, Some(&other)).await["may_hire"], true, "another hirer");
    let public = check(&suite, None).await;
    assert_eq!(public["may_hire"], true, "the public check");
    assert!(public["parts"].get("safety").is_none(), "nobody else learns of the accident: {public}");

    // Who reads it: the inspectorate, the agency, the hirer that reported it.
    for (token, expected) in [(&inspectorate, 1), (&agency, 1), (&hirer, 1), (&other, 0)] {
        let (status, body) = certs(&suite, Method::GET, &path, token, Value::Null).await;
        assert_eq!((status, body["accidents"].as_array().map(Vec::len)), (200, Some(expected)), "{body}");
    }
    let (status, _) =
        certs(&suite, Method::GET, &path, &suite.token(Role::CertificationBody, Some("cb-e2e")), Value::Null).await;
    assert_eq!(status, 403);

    // Not reported to the Labour Authority within 24 hours: signalled to the inspectorate, once.
    suite.certificates.state.clock.advance_days(2);
    let swept = zegel_certificates::sweep::run(&suite.certificates.state).await.expect("sweep");
    assert_eq!(swept.accidents_late, 1);
    assert_eq!(zegel_certificates::sweep::run(&suite.certificates.state).await.expect("sweep").accidents_late, 0);
    let late = zegel_testkit::wait_for_events(&suite.prefix.0, "certificate.accident_report_late", 1).await;
    assert_eq!(late[0].addressed_to, ["inspectorate"]);
    assert!(!late[0].payload.to_string().contains("loading platform"), "what happened stays in the register");

    let report = format!("/api/v1/accidents/{id}/authority-report");
    let (status, body) = certs(&suite, Method::POST, &report, &agency, json!({"reference": "NLA-2026-4711"})).await;
    assert_eq!((status, body["late"].as_bool()), (200, Some(true)), "{body}");
    assert_eq!(certs(&suite, Method::POST, &report, &agency, json!({"reference": "again"})).await.0, 409);

    // The safety check: the pair may hire again.
    let safety = format!("/api/v1/accidents/{id}/safety-check");
    assert_eq!(
        certs(&suite, Method::POST, &safety, &hirer, json!({"measures": "x"})).await.0,
        403,
        "the hirer does not check itself"
    );
    let (status, body) = certs(
        &suite,
        Method::POST,
        &safety,
        &agency,
        json!({"measures": "Railings on every loading platform; instruction before the first shift."}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(check(&suite, Some(&hirer)).await["may_hire"], true);
    let told = |kind: &'static str| {
        move |r: &[zegel_testkit::Received]| r.iter().any(|w| String::from_utf8_lossy(&w.body).contains(kind))
    };
    agency_hooks.wait_until(told("certificate.accident_reported")).await;
    hirer_hooks.wait_until(told("certificate.safety_checked")).await;

    // Bad input on every route.
    let bad = |field: &str, value: Value| {
        let mut b = accident.clone();
        b[field] = value;
        b
    };
    let tomorrow = (suite.certificates.state.clock.today() + chrono::Days::new(1)).to_string();
    for (body, pointer, case) in [
        (bad("occurred_on", json!(tomorrow)), "/occurred_on", "in the future"),
        (bad("kind", json!("bruise")), "/kind", "not notifiable"),
        (bad("what_happened", json!("")), "/what_happened", "nothing said"),
    ] {
        let (status, body) = certs(&suite, Method::POST, &path, &hirer, body).await;
        assert_eq!((status, body["errors"][0]["pointer"].as_str()), (422, Some(pointer)), "{case}: {body}");
    }
    assert_eq!(
        certs(&suite, Method::POST, &path, &agency, accident.clone()).await.0,
        403,
        "an agency reports no accident"
    );
    assert_eq!(
        certs(&suite, Method::POST, &path, &suite.token(Role::Hirer, None), accident).await.0,
        403,
        "a hirer without its KvK number"
    );
    let (status, _) = certs(
        &suite,
        Method::POST,
        &format!("/api/v1/accidents/{}/safety-check", uuid::Uuid::nil()),
        &agency,
        json!({"measures": "x"}),
    )
    .await;
    assert_eq!(status, 404);
}
