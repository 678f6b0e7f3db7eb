//! The register of final sanctions (issue 31): recorded by the Labour Authority, cited by a
//! certification body as the ground of a revocation, read by the re-entry rule.

use platform::auth::Role;
use serde_json::{Value, json};

use crate::helpers::{Asks, TestApp, spawn_app};

fn wml(app: &TestApp, reference: &str) -> Value {
    let today = app.clock.today();
    json!({"kind": "wml_decision", "authority": "Nederlandse Arbeidsinspectie", "reference": reference,
           "decided_on": today - chrono::Days::new(60), "irrevocable_on": today - chrono::Days::new(5),
           "amount_cents": 2_400_000})
}

#[tokio::test]
async fn a_final_sanction_is_recorded_once_checked_and_read_by_those_who_need_it() {
    let app = spawn_app().await;
    let (_, _) = app.certified("12345678", "cb-one").await;
    let inspectorate = app.token(&[Role::Inspectorate], None);
    let path = "/api/v1/agencies/12345678/final-sanctions";
    let r = app.post(path, &inspectorate, wml(&app, "WML-2026-001")).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["kind"], "wml_decision");
    let told = &app.wait_for_events("certificate.final_sanction_recorded", 1).await[0];
    assert_eq!(told["addressed_to"], json!(["admission_authority", "certification_body:cb-one"]));

    let r = app.post(path, &inspectorate, wml(&app, "WML-2026-001")).await;
    assert_eq!((r.status, r.body["type"].as_str()), (409, Some("urn:zegel:problem:sanction-recorded")), "once");
    let today = app.clock.today();
    for (change, pointer, case) in [
        (json!({"irrevocable_on": today + chrono::Days::new(1)}), "/irrevocable_on", "not final yet"),
        (
            json!({"decided_on": today, "irrevocable_on": today - chrono::Days::new(1)}),
            "/irrevocable_on",
            "before its decision",
        ),
        (json!({"kind": "criminal_conviction"}), "/amount_cents", "a conviction has no amount"),
        (json!({"amount_cents": 0}), "/amount_cents", "no amount of nothing"),
        (json!({"authority": " "}), "/authority", "no source"),
    ] {
        let mut body = wml(&app, &format!("bad-{pointer}"));
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = app.post(path, &inspectorate, body).await;
        assert_eq!((r.status, r.body["errors"][0]["pointer"].as_str()), (422, Some(pointer)), "{case}: {:?}", r.body);
    }
    let body = app.token(&[Role::CertificationBody], Some("cb-two"));
    assert_eq!(app.post(path, &body, wml(&app, "WML-X")).await.status, 403, "a body records none");

    for (token, status) in [
        (app.body("cb-two").await, 200),
        (app.token(&[Role::CertificationBody], Some("cb-unaccredited")), 403),
        (app.token(&[Role::Agency], Some("12345678")), 200),
        (app.token(&[Role::AdmissionAuthority], None), 200),
        (app.token(&[Role::Agency], Some("87654321")), 403),
        (app.token(&[Role::Hirer], Some("87654321")), 403),
    ] {
        assert_eq!(app.get(path, Some(&token)).await.status, status);
    }
    let list = app.get(path, Some(&inspectorate)).await;
    assert_eq!(list.body["final_sanctions"].as_array().map(Vec::len), Some(1), "{:?}", list.body);
}

#[tokio::test]
async fn a_body_cites_a_final_sanction_as_its_ground_and_the_agency_waits_from_it() {
    let app = spawn_app().await;
    let (body, id) = app.certified("12345678", "cb-one").await;
    let inspectorate = app.token(&[Role::Inspectorate], None);
    let sanction = app.post("/api/v1/agencies/12345678/final-sanctions", &inspectorate, wml(&app, "WML-7")).await;
    let sanction_id = sanction.body["sanction_id"].as_str().unwrap().to_string();
    // Another agency's sanction, or the wrong ground: refused.
    let other = app.post("/api/v1/agencies/87654321/final-sanctions", &inspectorate, wml(&app, "WML-8")).await;
    let revoke = |sanction: &str, grounds: &str| json!({"reason": "final decision on underpayment", "grounds": grounds, "sanction_id": sanction});
    let path = format!("/api/v1/certificates/{id}/revocation");
    let r = app.post(&path, &body, revoke(other.body["sanction_id"].as_str().unwrap(), "irrevocable_fine")).await;
    assert_eq!((r.status, r.body["errors"][0]["pointer"].as_str()), (422, Some("/sanction_id")), "{:?}", r.body);
    let r = app.post(&path, &body, revoke(&sanction_id, "criminal_sanction")).await;
    assert_eq!((r.status, r.body["errors"][0]["pointer"].as_str()), (422, Some("/grounds")), "{:?}", r.body);
    let r = app.post(&path, &body, revoke(&sanction_id, "irrevocable_fine")).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["final_sanction"]["sanction_id"], sanction_id.as_str());
    let trail = app.get(&format!("/api/v1/certificates/{id}/audit-trail"), Some(&body)).await;
    assert!(trail.body.to_string().contains("WML-7"), "the revocation names the decision: {:?}", trail.body);

    // An agency that never held a certificate, with a final sanction: it waits from the day
    // the sanction became irrevocable, as after a revocation.
    app.agency("87654321", 30).await;
    let r = app.post("/api/v1/agencies/87654321/certificates", &body, json!({})).await;
    assert_eq!((r.status, r.body["type"].as_str()), (422, Some("urn:zegel:problem:re-entry-refused")), "{:?}", r.body);
    assert_eq!(r.body["earlier_certificate"], json!(null));
    assert_eq!(r.body["final_sanction"]["sanction_id"], other.body["sanction_id"]);
    let irrevocable = app.clock.today() - chrono::Days::new(5);
    let until = zegel_certificates::domain::lifecycle::add_months(irrevocable, 24);
    assert_eq!(r.body["may_apply_from"], json!(until));
    app.clock.advance_days((until - app.clock.today()).num_days());
    let r = app.post("/api/v1/agencies/87654321/certificates", &body, json!({})).await;
    assert_eq!(r.status, 201, "waited out: {:?}", r.body);
}
