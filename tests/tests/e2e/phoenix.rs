//! The persons behind an agency (advice 2.1 F; issue 31): whoever ran an agency whose
//! certificate was revoked cannot start again under another name for the waiting period.
//! The bans register keeps who ran which agency and when, learns the ending from the
//! certificates register, and answers the entry test; the parties who may act hear of
//! every appearance; nobody else learns who it is.

use platform::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};
use zegel_e2e::{Suite, owner_bsn};

const REVOKED: &str = "11223344";
const ELSEWHERE: &str = "22334455";
const NEW_NAME: &str = "33445566";

fn officers(list: &[(&str, &str, &str)]) -> Value {
    json!({"officers": list.iter().map(|(bsn, name, role)| json!({
        "bsn": bsn, "name": name, "date_of_birth": "1980-05-06", "role": role, "from": "2020-01-01"
    })).collect::<Vec<_>>()})
}

/// GETs `path` of the bans register as the inspectorate.
async fn inspect(suite: &Suite, path: &str) -> Value {
    let url = format!("{}{path}", suite.bans.address);
    let r = suite.http.get(url).bearer_auth(suite.token(Role::Inspectorate, None)).send().await.expect("bans");
    assert_eq!(r.status(), 200);
    r.json().await.expect("json")
}

async fn links(suite: &Suite, kvk: &str) -> Value {
    inspect(suite, &format!("/api/v1/agencies/{kvk}/officer-links?purpose=phoenix%20test")).await
}

#[tokio::test]
async fn whoever_ran_a_revoked_agency_cannot_start_again_under_another_name() {
    let suite = Suite::start().await;
    let (body, id) = suite.certified(REVOKED).await;
    let bob = owner_bsn(REVOKED);
    let kvk = suite.token(Role::Kvk, None);
    // Bob, the revoked agency's owner, is also a director elsewhere.
    let path = format!("/api/v1/agencies/{ELSEWHERE}/officers");
    suite.bans_call(Method::PUT, &path, &kvk, officers(&[(&bob, "Bob Bakker", "director")])).await;
    assert_eq!(links(&suite, ELSEWHERE).await["clear"], true, "no ending yet, no link");

    suite.revoke(&id, &body, "criminal conviction of the owner", "criminal_sanction").await;
    // The bans register learns the ending and its waiting period from the event, and tells
    // the inspectorate and KvK that Bob is an officer elsewhere (no name in the signal).
    let told = zegel_testkit::wait_for_events(&suite.prefix.0, "ban.linked_officer", 1).await;
    let signal = serde_json::to_value(&told[0]).unwrap();
    assert_eq!(signal["subject"], ELSEWHERE);
    assert_eq!(signal["addressed_to"], json!(["inspectorate", "kvk"]), "{signal}");
    assert_eq!(signal["payload"]["linked_kvk"], REVOKED);
    assert_eq!(signal["payload"]["ground"], "criminal_sanction");
    let text = signal.to_string();
    assert!(!text.contains("Bakker") && !text.contains(&bob), "never who: {text}");
    let until = zegel_certificates::domain::lifecycle::add_months(platform::clock::dutch_date(chrono::Utc::now()), 24);
    assert_eq!(signal["payload"]["waits_until"], json!(until));

    // Bob starts again under a new name, with a new co-owner up front.
    suite.register_agency(NEW_NAME, "Fris Begin BV", "2026-11-01").await;
    suite.passes_entry_test(NEW_NAME).await;
    let co_owner = owner_bsn(NEW_NAME);
    let path = format!("/api/v1/agencies/{NEW_NAME}/officers");
    let both = officers(&[(&co_owner, "Carla Claassen", "owner"), (&bob, "Bob Bakker", "de_facto_manager")]);
    suite.bans_call(Method::PUT, &path, &kvk, both).await;
    let other_body = suite.token(Role::CertificationBody, Some("cb-e2e"));
    let ask = || async {
        let r = suite
            .http
            .post(format!("{}/api/v1/agencies/{NEW_NAME}/certificates", suite.certificates.address))
            .bearer_auth(&other_body)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json::<Value>().await.unwrap())
    };
    let (status, refusal) = ask().await;
    assert_eq!(status, 422, "{refusal}");
    assert_eq!(refusal["type"], "urn:zegel:problem:re-entry-refused");
    assert_eq!(refusal["linked_agency"], REVOKED);
    assert_eq!(refusal["earlier_certificate"]["certificate_id"], id.as_str());
    assert_eq!(refusal["earlier_certificate"]["status"], "revoked");
    assert_eq!(refusal["may_apply_from"], json!(until));
    assert!(refusal["detail"].as_str().unwrap().contains("de_facto_manager"), "{refusal}");
    let text = refusal.to_string();
    assert!(!text.contains("Bakker") && !text.contains(&bob), "the body learns the role, not the person: {text}");
    // The Labour Authority hears of the attempt.
    let attempt = zegel_testkit::wait_for_events(&suite.prefix.0, "certificate.entry_refused_linked_officer", 1).await;
    let attempt = serde_json::to_value(&attempt[0]).unwrap();
    assert_eq!(attempt["addressed_to"], json!(["inspectorate"]));
    assert_eq!(attempt["payload"]["links"][0]["linked_kvk"], REVOKED);
    // The public check says only that there is no certificate.
    let public = suite.get_json(format!("{}/api/v1/agencies/{NEW_NAME}/check", suite.lookup.address)).await;
    assert_eq!(public["may_hire"], false);
    assert!(!public.to_string().contains(REVOKED), "the public learns no link: {public}");
    // KvK's signal came at the appointment, addressed as the first one.
    let appointed = zegel_testkit::wait_for_events(&suite.prefix.0, "ban.linked_officer", 2).await;
    assert!(appointed.iter().any(|e| e.subject == NEW_NAME), "{appointed:?}");

    // The body's read went into the access log with its purpose.
    let log = inspect(&suite, "/api/v1/access-log").await;
    assert!(log.to_string().contains("officer links: entry test"), "{log}");

    // Bob leaves (KvK's next registration no longer names him): the agency may start, and
    // the history still knows he ran it until yesterday.
    suite.bans_call(Method::PUT, &path, &kvk, officers(&[(&co_owner, "Carla Claassen", "owner")])).await;
    let (status, cert) = ask().await;
    assert_eq!(status, 201, "{cert}");
    assert_eq!(cert["status"], "provisional");
    let list = inspect(&suite, &format!("/api/v1/agencies/{NEW_NAME}/officers?purpose=history")).await;
    let bob_term = list["officers"].as_array().unwrap().iter().find(|o| o["name"] == "Bob Bakker").cloned();
    assert!(bob_term.is_some_and(|t| !t["to_on"].is_null()), "his term is kept, ended: {list}");
}

#[tokio::test]
async fn a_lifted_ban_reaches_kvk_the_inspectorate_and_the_agencys_body() {
    let suite = Suite::start().await;
    suite.certified(REVOKED).await;
    let ban = suite.ban_the_owner(REVOKED).await;
    let in_force = zegel_testkit::wait_for_events(&suite.prefix.0, "ban.in_force", 1).await;
    assert_eq!(in_force[0].addressed_to, ["kvk", "inspectorate"]);
    let banned = zegel_testkit::wait_for_events(&suite.prefix.0, "ban.officer_banned", 1).await;
    assert_eq!(banned[0].addressed_to, ["certificates", "inspectorate", "kvk", "certification_body:cb-e2e"]);
    let lifted = format!("/api/v1/bans/{}/lifting", ban["ban_id"].as_str().unwrap());
    suite.bans_call(Method::POST, &lifted, &suite.token(Role::Inspectorate, None), json!({"reason": "appeal"})).await;
    let lifted = zegel_testkit::wait_for_events(&suite.prefix.0, "ban.lifted", 2).await;
    let general = lifted.iter().find(|e| e.subject != REVOKED).expect("the ban's own");
    assert_eq!(general.addressed_to, ["kvk", "inspectorate"]);
    let at_agency = lifted.iter().find(|e| e.subject == REVOKED).expect("the agency's");
    assert_eq!(at_agency.addressed_to, ["inspectorate", "kvk", "certification_body:cb-e2e"]);
    assert!(!serde_json::to_string(&lifted).unwrap().contains("Bakker"));
}
