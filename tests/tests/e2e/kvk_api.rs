//! The Chamber of Commerce's journey: registration checks allowed or denied with every
//! reason, deregistration checks that raise signals to the inspectorate and the tax
//! authority, and the stored checks — never a BSN or a name in an answer.

use platform::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};
use zegel_e2e::Suite;

async fn post(suite: &Suite, path: &str, token: &str, body: Value) -> (u16, Value) {
    let r = suite
        .http
        .post(format!("{}{path}", suite.lookup.address))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("kvk api");
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

fn days_ago(n: u64) -> String {
    (platform::clock::dutch_date(chrono::Utc::now()) - chrono::Days::new(n)).to_string()
}

#[tokio::test]
async fn registration_is_allowed_or_denied_with_every_reason() {
    let suite = Suite::start().await;
    suite.certified("11223344").await;
    let kvk = suite.token(Role::Kvk, None);
    let registration = |number: &str, sbi: &str, officers: Value, vog: String| json!({"kvk_number": number, "sbi_codes": [sbi], "officers": officers, "vog_issued_on": vog});
    let path = "/api/v1/kvk/registration-checks";

    let clean = json!([{"bsn": "123456782", "role": "owner"}]);
    let (status, v) = post(&suite, path, &kvk, registration("11223344", "7820", clean.clone(), days_ago(30))).await;
    assert_eq!((status, v["result"].as_str()), (200, Some("allow")), "{v}");
    assert_eq!(v["reasons"], json!([]));

    // A director under a ban: denied — but the same person as owner is not covered.
    let inspectorate = suite.token(Role::Inspectorate, None);
    suite
        .bans_call(
            Method::POST,
            "/api/v1/bans",
            &inspectorate,
            json!({"bsn": "111222333", "name": "Carla Claes", "date_of_birth": "1975-01-02", "basis": "administrative", "roles_covered": ["director"], "starts_on": "2026-01-01", "reason": "underpayment"}),
        )
        .await;
    let banned = json!([{"bsn": "123456782", "role": "owner"}, {"bsn": "111222333", "role": "director"}]);
    let (_, v) = post(&suite, path, &kvk, registration("11223344", "7820", banned, days_ago(30))).await;
    assert_eq!(v["result"], "deny", "{v}");
    assert_eq!(v["reasons"], json!(["officer 2 (director) is under a ban that covers this role"]));
    let as_owner = json!([{"bsn": "111222333", "role": "owner"}]);
    let v = post(&suite, path, &kvk, registration("11223344", "7820", as_owner.clone(), days_ago(30))).await.1;
    assert_eq!((v["result"].as_str(), &v["mark_for_deregistration"]), (Some("allow"), &json!(false)), "{v}");

    // The agency's own owner (as the bans register holds it) is banned: whatever KvK asks
    // now, the agency is marked for deregistration (advice 2.1 F).
    suite.ban_the_owner("11223344").await;
    let v = post(&suite, path, &kvk, registration("11223344", "7820", as_owner, days_ago(30))).await.1;
    assert_eq!(v["mark_for_deregistration"], true, "{v}");
    assert_eq!(v["result"], "deny");
    assert!(v["reasons"][0].as_str().unwrap().contains("marked for deregistration"), "{v}");
    assert!(!v.to_string().contains("Bakker"), "no name: {v}");

    // A staffing activity without a certificate, and an old VOG: both reasons at once.
    let (_, v) = post(&suite, path, &kvk, registration("99887766", "7810", json!([]), days_ago(100))).await;
    assert_eq!(v["result"], "deny");
    let reasons: Vec<&str> = v["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].contains("SBI 78") && reasons[0].contains("no staffing agency certificate"), "{reasons:?}");
    assert!(reasons[1].contains("older than 3 months"));
    let (_, v) = post(&suite, path, &kvk, registration("99887766", "6201", json!([]), days_ago(10))).await;
    assert_eq!(v["result"], "allow", "not a staffing activity: {v}");
    // A VOG's greatest age is a dated setting: a row in force from today decides from today.
    let today = platform::clock::dutch_date(chrono::Utc::now());
    suite.db.sql(&format!("insert into lookup.vog_policy values ('{today}', 1, 'a test: one month from today')")).await;
    let (_, v) = post(&suite, path, &kvk, registration("99887766", "6201", json!([]), days_ago(40))).await;
    assert_eq!(v["reasons"], json!(["the certificate of conduct (VOG) is older than 1 month"]), "{v}");

    // Bad input and wrong callers.
    let (status, v) = post(
        &suite,
        path,
        &kvk,
        registration("11223344", "7820", json!([{"bsn": "123456789", "role": "owner"}]), days_ago(1)),
    )
    .await;
    assert_eq!((status, v["errors"][0]["pointer"].as_str()), (422, Some("/officers/0/bsn")), "11-proof: {v}");
    let tomorrow = (platform::clock::dutch_date(chrono::Utc::now()) + chrono::Days::new(1)).to_string();
    assert_eq!(post(&suite, path, &kvk, registration("11223344", "78", json!([]), tomorrow)).await.0, 422);
    let agency = suite.token(Role::Agency, Some("11223344"));
    assert_eq!(post(&suite, path, &agency, registration("11223344", "7820", clean, days_ago(1))).await.0, 403);

    // Every check is stored, BSNs only as keyed hashes; KvK and the inspectorate read them.
    let checks = |token: Option<String>| {
        let mut rb = suite.http.get(format!("{}/api/v1/kvk/checks?kvk=11223344", suite.lookup.address));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        rb.send()
    };
    let r = checks(Some(inspectorate.clone())).await.unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    let stored: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(stored["checks"].as_array().unwrap().len(), 4, "{text}");
    assert_eq!(stored["checks"][2]["inputs"]["officers"][1]["bsn_hash"].as_str().unwrap().len(), 64);
    assert!(!text.contains("111222333") && !text.contains("123456782"), "no BSN stored or returned");
    assert!(!text.contains("Claes") && !text.contains("Bakker"), "no names");
    assert_eq!(checks(Some(agency)).await.unwrap().status(), 403);
    assert_eq!(checks(None).await.unwrap().status(), 401);
}

#[tokio::test]
async fn a_deregistration_with_an_open_claim_raises_signals() {
    let suite = Suite::start().await;
    suite.certified("22334455").await;
    let kvk = suite.token(Role::Kvk, None);
    let path = "/api/v1/kvk/deregistration-checks";
    let (status, v) = post(&suite, path, &kvk, json!({"kvk_number": "22334455", "date": "2026-12-01"})).await;
    assert_eq!((status, v["result"].as_str()), (200, Some("ok")), "{v}");

    suite.file_claim("22334455", json!({"claim_type": "unpaid_wages", "description": "no payslips for March"})).await;
    let (_, v) = post(&suite, path, &kvk, json!({"kvk_number": "22334455", "date": "2026-12-01"})).await;
    assert_eq!(v["result"], "signals", "{v}");
    assert_eq!(v["reasons"][0]["signal"], "open_deposit_claims");
    let events = zegel_testkit::wait_for_events(&suite.prefix.0, "kvk.unjustified_deregistration", 1).await;
    assert_eq!(events[0].addressed_to, vec!["inspectorate", "tax"]);
    assert_eq!(events[0].subject, "22334455");
    assert!(!v.to_string().contains("Bakker"), "no names");
    let (status, _) = post(&suite, path, &kvk, json!({"kvk_number": "2233", "date": "2026-12-01"})).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn receipts_live_as_long_as_they_verify_and_kvk_checks_two_years_then_are_purged() {
    let suite = Suite::start().await;
    suite.certified("22334455").await;
    let kvk = suite.token(Role::Kvk, None);
    let path = "/api/v1/kvk/deregistration-checks";
    let (status, _) = post(&suite, path, &kvk, json!({"kvk_number": "22334455", "date": "2026-12-01"})).await;
    assert_eq!(status, 200);
    let check = format!("{}/api/v1/agencies/22334455/receipts", suite.lookup.address);
    let receipt: Value = suite.http.post(check).send().await.unwrap().json().await.unwrap();
    let seal = receipt["receipt"]["seal"].as_str().unwrap().to_string();

    let db = suite.lookup.state.core.pool.get().await.unwrap();
    let count = |table: &'static str| {
        let db = &db;
        async move { db.query_one(&format!("select count(*) from {table}"), &[]).await.unwrap().get::<_, i64>(0) }
    };
    // Nothing is purged within its time, and a KvK check cannot be deleted before it.
    assert_eq!(zegel_lookup::store::purge_expired(&suite.lookup.state.core.pool).await.unwrap(), (0, 0));
    let early = db.execute("delete from kvk_check", &[]).await.unwrap_err();
    assert!(early.to_string().contains("retention") || format!("{early:?}").contains("retention"), "{early:?}");

    // The receipt's own expiry is its retention; a KvK check's is two years.
    db.execute("update receipt set expires_at = now() - interval '1 second'", &[]).await.unwrap();
    // The service's own role can neither change a check nor turn its guard off.
    let changed = db.execute("update kvk_check set checked_at = now() - interval '2 years 1 day'", &[]).await;
    assert!(format!("{:?}", changed.unwrap_err()).contains("permission denied"), "no UPDATE for the lookup's role");
    assert!(db.execute("alter table kvk_check disable trigger kvk_check_no_update", &[]).await.is_err());
    suite
        .db
        .sql(
            "alter table lookup.kvk_check disable trigger kvk_check_no_update;
             update lookup.kvk_check set checked_at = now() - interval '2 years 1 day';
             alter table lookup.kvk_check enable trigger kvk_check_no_update",
        )
        .await;
    assert_eq!(zegel_lookup::store::purge_expired(&suite.lookup.state.core.pool).await.unwrap(), (1, 1));
    assert_eq!((count("receipt").await, count("kvk_check").await), (0, 0));
    assert_ne!(suite.verify(&seal).await["verdict"], "valid", "a purged receipt never verifies");
}
