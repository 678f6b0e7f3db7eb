//! Bans, officers, person checks and the privacy of it all.

use platform::auth::Role;
use serde_json::{Value, json};
use zegel_testkit::{events, wait_for_events};

use crate::helpers::{TestApp, spawn_app};

/// Valid BSNs (11-proof) for the people in these tests.
const ALICE: &str = "111222333";
const BOB: &str = "123456782";

pub(crate) async fn register_officers(app: &TestApp, kvk: &str, officers: Value) {
    let r = app
        .put(
            &format!("/api/v1/agencies/{kvk}/officers"),
            &app.token(&[Role::Kvk], None),
            json!({ "officers": officers }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

/// Tells the register, as the certificates register would, that `body` holds a
/// provisional certificate of `kvk`, and waits until it has taken that in.
async fn certifies(app: &TestApp, kvk: &str, body: &str) -> uuid::Uuid {
    let certificate_id = uuid::Uuid::now_v7();
    let event = zegel_testkit::events::issued(certificate_id, kvk, body);
    zegel_testkit::publish(&app.prefix.0, &event).await;
    until(app, &format!("select count(*) from bans.certifier where certificate_id = '{certificate_id}'"), 1).await;
    certificate_id
}

/// Waits until `sql` (a count) gives `n`.
async fn until(app: &TestApp, sql: &str, n: i64) {
    for _ in 0..100 {
        if app.db.value::<i64>(sql).await == n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{sql} never gave {n}");
}

fn alice_director() -> Value {
    json!([
        {"bsn": ALICE, "name": "Alice Achterberg", "date_of_birth": "1970-03-04", "role": "director", "from": "2020-01-01"},
        {"bsn": BOB, "name": "Bob Bakker", "date_of_birth": "1980-05-06", "role": "owner", "from": "2020-01-01"}
    ])
}

#[tokio::test]
async fn a_ban_on_a_director_makes_the_agency_not_clear_and_is_published_without_personal_data() {
    let app = spawn_app().await;
    register_officers(&app, "12345678", alice_director()).await;
    let status = app.get("/api/v1/agencies/12345678/ban-status", None).await;
    assert_eq!(status.body["clear"], true);

    let inspectorate = app.token(&[Role::Inspectorate], None);
    let today = app.clock.today();
    let r = app
        .post("/api/v1/bans", &inspectorate, json!({"bsn": ALICE, "basis": "administrative", "roles_covered": ["director"], "starts_on": today, "reason": "repeated underpayment"}))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let ban_id = r.body["ban_id"].as_str().unwrap().to_string();
    assert!(!r.body.to_string().contains(ALICE), "no BSN in the answer");

    let status = app.get("/api/v1/agencies/12345678/ban-status", None).await;
    assert_eq!(status.body["clear"], false);
    let published = wait_for_events(&app.prefix.0, "ban.officer_banned", 1).await;
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].subject, "12345678");
    assert_eq!(published[0].addressed_to, ["certificates", "inspectorate", "kvk"], "no body holds it yet");
    let in_force = wait_for_events(&app.prefix.0, "ban.in_force", 1).await;
    assert_eq!(in_force[0].addressed_to, ["kvk", "inspectorate"], "KvK hears of every ban in force");
    let text = serde_json::to_string(&published[0]).unwrap();
    assert!(!text.contains(ALICE) && !text.contains("Alice") && !text.contains("1970"), "{text}");

    // A ban covering only owners does not make a director's agency unclear, nor vice versa.
    let r = app
        .post(&format!("/api/v1/bans/{ban_id}/lifting"), &inspectorate, json!({"reason": "annulled on appeal"}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(app.get("/api/v1/agencies/12345678/ban-status", None).await.body["clear"], true);
    let r = app.post("/api/v1/bans", &inspectorate, json!({"bsn": ALICE, "basis": "administrative", "roles_covered": ["owner"], "starts_on": today, "reason": "x"})).await;
    assert_eq!(r.status, 201);
    assert_eq!(
        app.get("/api/v1/agencies/12345678/ban-status", None).await.body["clear"],
        true,
        "alice is a director, the ban covers owners"
    );

    // The history stays: the lifted ban is still there.
    let cb = app.token(&[Role::CertificationBody], Some("cb-one"));
    certifies(&app, "12345678", "cb-one").await;
    let check = app
        .post("/api/v1/person-checks", &cb, json!({"bsn": ALICE, "purpose": "certification", "kvk_number": "12345678"}))
        .await;
    assert_eq!(check.status, 200, "{:?}", check.body);
    assert_eq!(check.body["banned"], true, "the owner ban is in force");
    assert_eq!(check.body["bans"].as_array().unwrap().len(), 2);
    let check = app
        .post("/api/v1/person-checks", &cb, json!({"bsn": BOB, "purpose": "certification", "kvk_number": "12345678"}))
        .await;
    assert_eq!(check.body["banned"], false);
}

#[tokio::test]
async fn a_banned_person_turning_up_at_another_agency_is_flagged() {
    let app = spawn_app().await;
    let tax = app.token(&[Role::Tax], None);
    let r = app
        .post(
            "/api/v1/bans",
            &tax,
            json!({"bsn": BOB, "basis": "administrative", "roles_covered": ["owner", "director", "de_facto_manager"], "starts_on": "2026-01-01",
                   "reason": "tax fraud", "name": "Bob Bakker", "date_of_birth": "1980-05-06"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(events(&app.prefix.0, "ban.officer_banned").await.is_empty(), "not an officer anywhere yet");
    register_officers(&app, "87654321", json!([{"bsn": BOB, "name": "Bob Bakker", "date_of_birth": "1980-05-06", "role": "de_facto_manager", "from": "2026-06-01"}])).await;
    let flagged = wait_for_events(&app.prefix.0, "ban.banned_officer_appointed", 1).await;
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0].subject, "87654321");
    assert_eq!(flagged[0].payload["role"], "de_facto_manager");
}

#[tokio::test]
async fn a_ban_recorded_ahead_is_published_the_day_it_starts() {
    let app = spawn_app().await;
    register_officers(&app, "12345678", alice_director()).await;
    let starts = app.clock.today() + chrono::Days::new(10);
    let admin = app.token(&[Role::Admin], None);
    let ends = starts + chrono::Days::new(365);
    let r = app.post("/api/v1/bans", &admin, json!({"bsn": ALICE, "basis": "civil", "roles_covered": ["director"], "starts_on": starts, "ends_on": ends, "reason": "court order"})).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(zegel_bans::sweep::run(&app.state).await.unwrap(), 0);
    assert_eq!(app.get("/api/v1/agencies/12345678/ban-status", None).await.body["clear"], true);
    app.clock.advance_days(10);
    assert_eq!(zegel_bans::sweep::run(&app.state).await.unwrap(), 1);
    assert_eq!(zegel_bans::sweep::run(&app.state).await.unwrap(), 0, "published once");
    assert_eq!(app.get("/api/v1/agencies/12345678/ban-status", None).await.body["clear"], false);
    assert_eq!(wait_for_events(&app.prefix.0, "ban.officer_banned", 1).await.len(), 1);
}

#[tokio::test]
async fn bad_inputs_and_wrong_roles_get_the_right_problem() {
    let app = spawn_app().await;
    let inspectorate = app.token(&[Role::Inspectorate], None);
    let kvk = app.token(&[Role::Kvk], None);
    let admin = app.token(&[Role::Admin], None);
    let ban = |bsn: &str, basis: &str, starts: &str, ends: Option<&str>| json!({"bsn": bsn, "basis": basis, "roles_covered": ["director"], "starts_on": starts, "ends_on": ends, "reason": "r", "name": "X", "date_of_birth": "1970-01-01"});
    let cases = [
        (
            &inspectorate,
            ban("123456789", "administrative", "2026-01-01", None),
            422,
            "/bsn",
            "BSN failing the 11-proof",
        ),
        (
            &inspectorate,
            ban(ALICE, "administrative", "2026-01-02", Some("2026-01-01")),
            422,
            "/ends_on",
            "ban ending before it starts",
        ),
        (&admin, ban(ALICE, "civil", "2026-01-01", Some("2031-01-02")), 422, "/ends_on", "civil ban over 5 years"),
        (&admin, ban(ALICE, "civil", "2026-01-01", None), 422, "/ends_on", "civil ban without end"),
        (&kvk, ban(ALICE, "administrative", "2026-01-01", None), 403, "", "KvK cannot impose bans"),
        (&inspectorate, ban(ALICE, "civil", "2026-01-01", Some("2027-01-01")), 403, "", "civil bans are for admins"),
        (
            &admin,
            ban(ALICE, "administrative", "2026-01-01", None),
            403,
            "",
            "administrative bans are for the inspectorate or tax",
        ),
    ];
    for (token, body, status, pointer, case) in cases {
        let r = app.post("/api/v1/bans", token, body).await;
        assert_eq!(r.status, status, "{case}: {:?}", r.body);
        if !pointer.is_empty() {
            assert_eq!(r.body["errors"][0]["pointer"], pointer, "{case}");
        }
    }
    let r = app.put("/api/v1/agencies/12345678/officers", &kvk, json!({"officers": [{"bsn": "111111111", "name": "Y", "date_of_birth": "1970-01-01", "role": "owner", "from": "2020-01-01"}]})).await;
    assert_eq!(r.status, 422, "officer BSN failing the 11-proof");
    assert_eq!(
        app.put("/api/v1/agencies/12345678/officers", &inspectorate, json!({"officers": []})).await.status,
        403,
        "only KvK registers officers"
    );
    assert_eq!(app.put("/api/v1/agencies/1234/officers", &kvk, json!({"officers": []})).await.status, 400);
    assert_eq!(
        app.post(&format!("/api/v1/bans/{}/lifting", uuid::Uuid::nil()), &inspectorate, json!({"reason": "x"}))
            .await
            .status,
        404
    );
    assert_eq!(app.get("/api/v1/agencies/99999999/ban-status", None).await.status, 404, "unknown agency");
    let agency = app.token(&[Role::Agency], Some("12345678"));
    assert_eq!(app.post("/api/v1/person-checks", &agency, json!({"bsn": ALICE, "purpose": "x"})).await.status, 403);
    assert_eq!(app.get("/api/v1/agencies/12345678/officers", Some(&agency)).await.status, 403);
}

#[tokio::test]
async fn no_public_endpoint_returns_a_bsn_a_name_or_a_date_of_birth_and_every_read_is_logged() {
    let app = spawn_app().await;
    register_officers(&app, "12345678", alice_director()).await;
    let inspectorate = app.token(&[Role::Inspectorate], None);
    app.post("/api/v1/bans", &inspectorate, json!({"bsn": ALICE, "basis": "administrative", "roles_covered": ["director"], "starts_on": "2026-01-01", "reason": "r"})).await;
    let secrets = [ALICE, BOB, "Alice", "Achterberg", "Bob", "Bakker", "1970-03-04", "1980-05-06"];
    let public_paths = [
        "/api/v1/agencies/12345678/ban-status".to_string(),
        format!("/api/v1/agencies/{ALICE}/ban-status"),
        "/api/v1/agencies/12345678/officers".to_string(),
        format!("/api/v1/bans/{}", uuid::Uuid::nil()),
        format!("/api/v1/agencies/12345678/ban-status?bsn={ALICE}"),
        "/api/v1/access-log".to_string(),
    ];
    for path in &public_paths {
        for method in ["GET", "POST", "PUT"] {
            let r = app.send(method, path, None, Some(json!({"bsn": ALICE})), None).await;
            let text = r.body.to_string();
            for s in secrets {
                assert!(!text.contains(s), "{method} {path} leaks {s}: {text}");
            }
        }
    }
    let status = app.get("/api/v1/agencies/12345678/ban-status", None).await;
    assert_eq!(
        status.body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["checked_at", "clear"],
        "nothing else, not even a count"
    );

    let cb = app.token(&[Role::CertificationBody], Some("cb-one"));
    certifies(&app, "12345678", "cb-one").await;
    let officers = app.get("/api/v1/agencies/12345678/officers?purpose=yearly%20audit", Some(&cb)).await;
    assert_eq!(officers.status, 200, "{:?}", officers.body);
    assert!(officers.body.to_string().contains("Alice Achterberg"), "authorised readers see names");
    assert!(!officers.body.to_string().contains(ALICE), "but never a BSN");
    app.post(
        "/api/v1/person-checks",
        &cb,
        json!({"bsn": BOB, "purpose": "certification audit", "kvk_number": "12345678"}),
    )
    .await;
    let log = app.get("/api/v1/access-log", Some(&inspectorate)).await;
    let purposes: Vec<_> =
        log.body["entries"].as_array().unwrap().iter().map(|e| e["purpose"].as_str().unwrap().to_string()).collect();
    assert_eq!(purposes, ["person check: certification audit", "officer list: yearly audit"]);
    assert_eq!(log.body["entries"][0]["org"], "cb-one");
}

#[tokio::test]
async fn the_fingerprint_of_a_ban_request_is_keyed_and_its_key_expires() {
    let app = spawn_app().await;
    let inspectorate = app.token(&[Role::Inspectorate], None);
    let today = app.clock.today();
    let ban = json!({"bsn": ALICE, "basis": "administrative", "roles_covered": ["director"], "starts_on": today, "reason": "x", "name": "Alice Achterberg", "date_of_birth": "1970-03-04"});
    let r = app.send("POST", "/api/v1/bans", Some(&inspectorate), Some(ban.clone()), Some("ban-1")).await;
    assert_eq!(r.status, 201, "{:?}", r.body);

    // What is stored is the HMAC under the service's secret, not a plain hash of a body
    // that holds a BSN (which anyone could test against every possible BSN).
    let stored: String = app.db.value("select request_hash from bans.idempotency_key").await;
    let secret = platform::config::CommonSettings::local().idempotency_secret;
    let keyed = platform::idempotency::Fingerprints::new(&secret).of(
        "POST",
        "/api/v1/bans",
        &serde_json::to_vec(&ban).unwrap(),
    );
    assert_eq!(stored, keyed);

    // Within its retention the key answers the first response; another request is refused.
    let other = json!({"bsn": BOB, "basis": "administrative", "roles_covered": ["director"], "starts_on": today, "reason": "y", "name": "Bob Bakker", "date_of_birth": "1980-05-06"});
    let reused = app.send("POST", "/api/v1/bans", Some(&inspectorate), Some(other.clone()), Some("ban-1")).await;
    assert_eq!(reused.status, 422, "{:?}", reused.body);

    // Past its retention the key is free again, and the purge removes old keys.
    app.db.sql("update bans.idempotency_key set created_at = now() - interval '25 hours'").await;
    let fresh = app.send("POST", "/api/v1/bans", Some(&inspectorate), Some(other), Some("ban-1")).await;
    assert_eq!(fresh.status, 201, "{:?}", fresh.body);
    app.db.sql("update bans.idempotency_key set created_at = now() - interval '25 hours'").await;
    let purged = platform::idempotency::purge(&app.state.core.pool).await.unwrap();
    assert_eq!(purged, 1);
    let left: i64 = app.db.value("select count(*) from bans.idempotency_key").await;
    assert_eq!(left, 0);
}

#[tokio::test]
async fn a_certification_body_reads_officers_and_checks_persons_only_for_its_own_agencies() {
    let app = spawn_app().await;
    register_officers(&app, "12345678", alice_director()).await;
    let cb = app.token(&[Role::CertificationBody], Some("cb-one"));
    let other = app.token(&[Role::CertificationBody], Some("cb-two"));
    let officers = "/api/v1/agencies/12345678/officers?purpose=certification";
    let check = json!({"bsn": ALICE, "purpose": "certification", "kvk_number": "12345678"});

    // Before it holds an application of the agency, a body (accredited or not) reads nothing.
    assert_eq!(app.get(officers, Some(&cb)).await.status, 403);
    let refused = app.post("/api/v1/person-checks", &cb, check.clone()).await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert!(!refused.body.to_string().contains("Alice"));

    let certificate = certifies(&app, "12345678", "cb-one").await;
    assert_eq!(app.get(officers, Some(&cb)).await.status, 200);
    assert_eq!(app.post("/api/v1/person-checks", &cb, check.clone()).await.status, 200);
    assert_eq!(app.get(officers, Some(&other)).await.status, 403, "another body");
    assert_eq!(app.post("/api/v1/person-checks", &other, check.clone()).await.status, 403, "another body");

    // Only the persons who run its own agency: an officer of another agency and a person
    // the register has never heard of get the same refusal, naming neither.
    register_officers(
        &app,
        "87654321",
        json!([{"bsn": "234567004", "name": "Carla Cremer", "date_of_birth": "1975-01-02", "role": "director", "from": "2020-01-01"}]),
    )
    .await;
    let (app_ref, cb_ref) = (&app, &cb);
    let refusal = |bsn: &str| {
        let body = json!({"bsn": bsn, "purpose": "certification", "kvk_number": "12345678"});
        async move {
            let r = app_ref.post("/api/v1/person-checks", cb_ref, body).await;
            (r.status, r.body["type"].clone(), r.body["detail"].clone())
        }
    };
    let elsewhere = refusal("234567004").await;
    assert_eq!(elsewhere.0, 403, "{elsewhere:?}");
    assert_eq!(elsewhere, refusal("234567016").await, "known elsewhere and unknown answer alike");
    assert!(!elsewhere.2.to_string().contains("Carla"));

    // Its rights end with its accreditation, and come back with it.
    let accreditation = |accredited: bool| zegel_testkit::accreditation("cb-one", accredited);
    zegel_testkit::publish(&app.prefix.0, &accreditation(false)).await;
    until(&app, "select count(*) from bans.body_accreditation where not accredited", 1).await;
    let links = "/api/v1/agencies/12345678/officer-links?purpose=certification";
    assert_eq!(app.get(officers, Some(&cb)).await.status, 403, "officers after the accreditation ended");
    assert_eq!(app.post("/api/v1/person-checks", &cb, check.clone()).await.status, 403, "checks too");
    assert_eq!(app.get(links, Some(&cb)).await.status, 403, "and the phoenix radar");
    zegel_testkit::publish(&app.prefix.0, &accreditation(true)).await;
    until(&app, "select count(*) from bans.body_accreditation where accredited", 1).await;
    assert_eq!(app.get(officers, Some(&cb)).await.status, 200, "accredited again");
    assert_eq!(app.get(links, Some(&cb)).await.status, 200);

    // An officer's term ends: the body sees who runs the agency now, not who ran it before
    // (that is for KvK and the inspectorate; the phoenix radar tells a body of links, unnamed).
    register_officers(
        &app,
        "12345678",
        json!([{"bsn": ALICE, "name": "Alice Achterberg", "date_of_birth": "1970-03-04", "role": "director", "from": "2020-01-01"}]),
    )
    .await;
    let names = |v: &Value| v["officers"].as_array().unwrap().iter().map(|o| o["name"].to_string()).collect::<Vec<_>>();
    let seen = names(&app.get(officers, Some(&cb)).await.body);
    assert!(seen.iter().any(|n| n.contains("Alice")) && !seen.iter().any(|n| n.contains("Bob")), "{seen:?}");
    let kvk = app.token(&[Role::Kvk], None);
    assert!(
        names(&app.get(officers, Some(&kvk)).await.body).iter().any(|n| n.contains("Bob")),
        "KvK keeps the history"
    );
    let bob = json!({"bsn": BOB, "purpose": "certification", "kvk_number": "12345678"});
    assert_eq!(app.post("/api/v1/person-checks", &cb, bob).await.status, 403, "no longer its officer");

    // A body names the agency it checks for, and says why; a read without a purpose is refused.
    let unnamed = app.post("/api/v1/person-checks", &cb, json!({"bsn": ALICE, "purpose": "x"})).await;
    assert_eq!((unnamed.status, unnamed.body["errors"][0]["pointer"].as_str()), (422, Some("/kvk_number")));
    let bare = app.get("/api/v1/agencies/12345678/officers", Some(&cb)).await;
    assert_eq!((bare.status, bare.body["errors"][0]["pointer"].as_str()), (422, Some("/query/purpose")));

    // Once the certificate has ended, the body's access ends with it.
    let kind = platform::event::EventType::CertificateWithdrawn;
    let ended = zegel_testkit::events::ended(kind, certificate, "12345678", "cb-one", None, None);
    zegel_testkit::publish(&app.prefix.0, &ended).await;
    until(&app, "select count(*) from bans.certifier", 0).await;
    assert_eq!(app.get(officers, Some(&cb)).await.status, 403);

    // KvK and the inspectorate read any agency's officers, always with a logged purpose.
    let inspectorate = app.token(&[Role::Inspectorate], None);
    assert_eq!(app.get(officers, Some(&inspectorate)).await.status, 200);
    let log = app.get("/api/v1/access-log", Some(&inspectorate)).await;
    let entries = log.body["entries"].as_array().unwrap();
    assert!(entries.iter().all(|e| e["purpose"].as_str().is_some_and(|p| p.ends_with("certification"))), "{log:?}");
    assert_eq!(entries.len(), 7, "refused reads read nothing and are not logged as reads: {log:?}");
}
