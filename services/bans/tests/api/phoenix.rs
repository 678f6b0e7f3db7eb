//! The phoenix radar (issue 31): who ran which agency and when is kept, and a person who
//! ran an agency whose certificate ended with a waiting period is found wherever they
//! appear — by role and agency, never by name, for KvK, bodies and the inspectorate only.

use platform::auth::Role;
use serde_json::{Value, json};
use zegel_testkit::wait_for_events;

use crate::bans::register_officers;
use crate::helpers::{TestApp, spawn_app};

const ALICE: &str = "111222333";
const BOB: &str = "123456782";

fn person(bsn: &str, name: &str, role: &str, from: &str) -> Value {
    json!({"bsn": bsn, "name": name, "date_of_birth": "1970-03-04", "role": role, "from": from})
}

async fn officers(app: &TestApp, kvk: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/agencies/{kvk}/officers?purpose=test"), Some(&app.token(&[Role::Inspectorate], None)))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["officers"].as_array().cloned().unwrap_or_default()
}

/// The certificates register says `kvk`'s certificate ended (revoked, or withdrawn with or
/// without a waiting period); waits until this register has consumed it.
async fn ended(app: &TestApp, kvk: &str, status: &str, ground: Option<&str>, waits_until: Option<chrono::NaiveDate>) {
    let kind = platform::event::EventType::parse(&format!("certificate.{status}")).expect("an event type");
    let ground = ground.map(|g| zegel_contracts::certificate::Ground::parse(g).expect("a ground"));
    let event = zegel_testkit::events::ended(kind, uuid::Uuid::now_v7(), kvk, "cb-one", ground, waits_until);
    zegel_testkit::publish(&app.prefix.0, &event).await;
    for _ in 0..100 {
        let sql = format!("select count(*) from bans.consumed_event where event_id = '{}'", event.event_id);
        if app.db.value::<i64>(&sql).await == 1 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the ending was never consumed");
}

#[tokio::test]
async fn a_new_registration_keeps_who_ran_the_agency_before() {
    let app = spawn_app().await;
    let today = app.clock.today();
    register_officers(&app, "12345678", json!([person(ALICE, "Alice Achterberg", "director", "2020-01-01")])).await;
    // KvK's next registration names Bob only, and someone who starts today and is dropped.
    register_officers(
        &app,
        "12345678",
        json!([
            person(BOB, "Bob Bakker", "owner", "2020-01-01"),
            person("012345672", "Dirk Dekker", "director", &today.to_string())
        ]),
    )
    .await;
    register_officers(&app, "12345678", json!([person(BOB, "Bob Bakker", "owner", "2020-01-01")])).await;
    let list = officers(&app, "12345678").await;
    assert_eq!(list.len(), 2, "Alice's ended term stays, Dirk's never began: {list:?}");
    let alice = list.iter().find(|o| o["name"] == "Alice Achterberg").unwrap();
    assert_eq!(alice["to_on"], json!(today.pred_opt().unwrap()), "she left the day before");
    let bob = list.iter().find(|o| o["name"] == "Bob Bakker").unwrap();
    assert_eq!(bob["to_on"], json!(null), "still in office");
}

#[tokio::test]
async fn a_person_who_ran_a_revoked_agency_is_found_wherever_they_appear() {
    let app = spawn_app().await;
    register_officers(&app, "11111111", json!([person(ALICE, "Alice Achterberg", "director", "2020-01-01")])).await;
    register_officers(&app, "22222222", json!([person(ALICE, "Alice Achterberg", "owner", "2021-01-01")])).await;
    let until = app.clock.today() + chrono::Days::new(730);

    // A clean withdrawal starts no waiting period: nobody is linked.
    ended(&app, "11111111", "withdrawn", None, None).await;
    assert_eq!(app.db.value::<i64>("select count(*) from bans.sanctioned_ending").await, 0);

    ended(&app, "11111111", "revoked", Some("criminal_sanction"), Some(until)).await;
    let signal = &wait_for_events(&app.prefix.0, "ban.linked_officer", 1).await[0];
    assert_eq!(signal.subject, "22222222");
    assert_eq!(signal.addressed_to, ["inspectorate", "kvk"]);
    assert_eq!(signal.payload["role"], "owner");
    assert_eq!(signal.payload["linked_kvk"], "11111111");
    let text = serde_json::to_string(signal).unwrap();
    assert!(!text.contains("Alice") && !text.contains(ALICE), "{text}");

    // The radar, for the parties who may act on it; the purpose is logged.
    let path = "/api/v1/agencies/22222222/officer-links?purpose=assessing%20a%20starter";
    let body = app.token(&[Role::CertificationBody], Some("cb-two"));
    let r = app.get(path, Some(&body)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["clear"], false);
    assert_eq!(r.body["links"][0]["linked_kvk"], "11111111");
    assert_eq!(r.body["links"][0]["waits_until"], json!(until));
    assert!(!r.body.to_string().contains("Alice"), "never who: {:?}", r.body);
    for (token, status) in [(Some(app.token(&[Role::Agency], Some("22222222"))), 403), (None, 401)] {
        assert_eq!(app.get(path, token.as_deref()).await.status, status);
    }
    let r = app.get("/api/v1/agencies/22222222/officer-links", Some(&body)).await;
    assert_eq!(r.status, 422, "a purpose is required: {:?}", r.body);
    let log = app.get("/api/v1/access-log", Some(&app.token(&[Role::Inspectorate], None))).await;
    assert!(log.body.to_string().contains("officer links: assessing a starter"), "{:?}", log.body);
    // The public ban status says nothing of it: no ban, so clear.
    assert_eq!(app.get("/api/v1/agencies/22222222/ban-status", None).await.body["clear"], true);

    // She appears at a third agency: signalled at the appointment.
    register_officers(&app, "33333333", json!([person(ALICE, "Alice Achterberg", "de_facto_manager", "2026-01-01")]))
        .await;
    let signals = wait_for_events(&app.prefix.0, "ban.linked_officer", 2).await;
    assert!(signals.iter().any(|e| e.subject == "33333333" && e.payload["role"] == "de_facto_manager"));
    // Registering the same officers again does not signal again.
    register_officers(&app, "33333333", json!([person(ALICE, "Alice Achterberg", "de_facto_manager", "2026-01-01")]))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(zegel_testkit::events(&app.prefix.0, "ban.linked_officer").await.len(), 2);

    // The waiting period ends: the link ends with it.
    app.clock.advance_days(730);
    let r = app.get(path, Some(&body)).await;
    assert_eq!(r.body["clear"], true, "{:?}", r.body);
}

#[tokio::test]
async fn a_civil_bans_longest_term_is_the_dated_setting_in_force_on_its_first_day() {
    let app = spawn_app().await;
    app.db
        .sql("insert into bans.ban_policy values ('2030-01-01', 3, 'a test: the law shortened the term from 2030')")
        .await;
    let admin = app.token(&[Role::Admin], None);
    let civil = |starts: &str, ends: &str| {
        json!({"bsn": ALICE, "name": "Alice Achterberg", "date_of_birth": "1970-03-04", "basis": "civil",
               "roles_covered": ["director"], "starts_on": starts, "ends_on": ends, "reason": "court order"})
    };
    let r = app.post("/api/v1/bans", &admin, civil("2030-02-01", "2034-01-01")).await;
    assert_eq!((r.status, r.body["errors"][0]["pointer"].as_str()), (422, Some("/ends_on")), "{:?}", r.body);
    assert!(r.body["errors"][0]["detail"].as_str().unwrap().contains("at most 3 years"), "{:?}", r.body);
    let r = app.post("/api/v1/bans", &admin, civil("2029-12-01", "2034-11-30")).await;
    assert_eq!(r.status, 201, "five years, under the row in force on its first day: {:?}", r.body);
    // A first day before every row (found by the fuzzer: it was a 500).
    let r = app.post("/api/v1/bans", &admin, civil("0759-09-04", "0760-01-01")).await;
    assert_eq!((r.status, r.body["errors"][0]["pointer"].as_str()), (422, Some("/starts_on")), "{:?}", r.body);
}
