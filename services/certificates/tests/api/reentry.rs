//! No back door (issue 31): an agency's past decides whether it gets a certificate again.

use platform::auth::Role;
use serde_json::json;

use crate::helpers::{Asks, TestApp, spawn_app};

/// Revokes certificate `id` with `grounds`.
async fn revoke(app: &TestApp, body: &str, id: &str, grounds: &str) {
    let r = app.revoke(id, body, grounds, "final").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

#[tokio::test]
async fn a_revoked_agency_gets_no_new_certificate_from_another_body_for_the_waiting_period() {
    let app = spawn_app().await;
    let (body, id) = app.certified("12345678", "cb-one").await;
    revoke(&app, &body, &id, "criminal_sanction").await;
    let other = app.body("cb-two").await;
    let r = app.post("/api/v1/agencies/12345678/certificates", &other, json!({})).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["type"], "urn:zegel:problem:re-entry-refused");
    assert_eq!(r.body["earlier_certificate"]["certificate_id"], id.as_str());
    assert_eq!(r.body["earlier_certificate"]["status"], "revoked");
    assert_eq!(r.body["earlier_certificate"]["ground"], "criminal_sanction");
    assert_eq!(r.body["earlier_certificate"]["ended_on"], json!(app.clock.today()));
    let until = zegel_certificates::domain::lifecycle::add_months(app.clock.today(), 24);
    assert_eq!(r.body["may_apply_from"], json!(until));
    assert!(r.body["detail"].as_str().unwrap().contains(&id), "{:?}", r.body);
    assert_eq!(app.public("12345678").await["status"], "revoked", "nothing was issued");

    // A day before the end of the wait: still refused; on the day, its probation is used.
    app.clock.advance_days((until - app.clock.today()).num_days() - 1);
    let r = app.post("/api/v1/agencies/12345678/certificates", &other, json!({})).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["may_apply_from"], json!(until));
    app.clock.advance_days(1);
    let r = app.post("/api/v1/agencies/12345678/certificates", &other, json!({})).await;
    assert_eq!(r.status, 422, "one probation per agency, ever: {:?}", r.body);
    assert_eq!(r.body["may_apply_from"], json!(app.clock.today()));
    assert_eq!(r.body["may_apply_for"], "full");
}

#[tokio::test]
async fn an_agency_whose_certificate_lapsed_or_was_withdrawn_gets_no_second_probation() {
    let app = spawn_app().await;
    let (body, id) = app.starter("12345678", 30).await;
    let agency = app.token(&[Role::Agency], Some("12345678"));
    let r = app.post(&format!("/api/v1/certificates/{id}/withdrawal"), &agency, json!({"reason": "stopping"})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["escaped"], json!(null), "a clean exit");
    let r = app.post("/api/v1/agencies/12345678/certificates", &body, json!({})).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["type"], "urn:zegel:problem:re-entry-refused");
    assert_eq!(r.body["earlier_certificate"]["status"], "withdrawn");
    assert_eq!(r.body["earlier_certificate"]["ground"], json!(null));
    assert_eq!(r.body["may_apply_from"], json!(app.clock.today()), "no waiting period after a clean exit");
    assert!(r.body["detail"].as_str().unwrap().contains("probation is given once per agency"));

    // Lapsed at the end of probation: the same.
    app.agency("87654321", 30).await;
    app.provisional("87654321", &body).await;
    app.clock.advance_days(100);
    assert_eq!(zegel_certificates::sweep::run(&app.state).await.unwrap().lapsed, 1);
    let r = app.post("/api/v1/agencies/87654321/certificates", &body, json!({})).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["earlier_certificate"]["status"], "lapsed");
}

#[tokio::test]
async fn withdrawing_with_a_serious_deficiency_open_is_an_escape_that_waits_like_a_revocation() {
    let app = spawn_app().await;
    let (body, id) = app.certified("12345678", "cb-one").await;
    let soon = app.clock.today() + chrono::Days::new(14);
    let r = app
        .post(
            &format!("/api/v1/certificates/{id}/audits"),
            &body,
            json!({"performed_on": app.clock.today(), "report_ref": "R-1", "deficiencies": [
                {"description": "wages below the CAO", "serious": true, "remedy_by": soon}
            ]}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let agency = app.token(&[Role::Agency], Some("12345678"));
    let r = app.post(&format!("/api/v1/certificates/{id}/withdrawal"), &agency, json!({"reason": "closing"})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["withdrawn_while_suspended"], false);
    assert_eq!(r.body["escaped"], "escaped_serious_deficiency");
    let signal = &app.wait_for_events("certificate.withdrawn_to_escape", 1).await[0];
    assert_eq!(signal["addressed_to"], json!(["inspectorate", "admission_authority"]));
    assert_eq!(signal["payload"]["ground"], "escaped_serious_deficiency");

    let other = app.body("cb-two").await;
    let r = app.post("/api/v1/agencies/12345678/certificates", &other, json!({})).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["earlier_certificate"]["ground"], "escaped_serious_deficiency");
    let until = zegel_certificates::domain::lifecycle::add_months(app.clock.today(), 24);
    assert_eq!(r.body["may_apply_from"], json!(until), "waits like a revocation");
    assert!(r.body["detail"].as_str().unwrap().contains("withdrawn to escape"), "{:?}", r.body);
}

#[tokio::test]
async fn withdrawing_while_the_labour_authority_asks_for_a_suspension_is_an_escape_the_agency_is_not_told_of() {
    let app = spawn_app().await;
    let (_, id) = app.certified("12345678", "cb-one").await;
    let inspectorate = app.token(&[Role::Inspectorate], None);
    let r = app
        .post(&format!("/api/v1/certificates/{id}/suspension"), &inspectorate, json!({"reason": "underpayment"}))
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let agency = app.token(&[Role::Agency], Some("12345678"));
    let r = app.post(&format!("/api/v1/certificates/{id}/withdrawal"), &agency, json!({"reason": "closing"})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["escaped"], json!(null), "the agency is not told of the request: {:?}", r.body);
    let signal = &app.wait_for_events("certificate.withdrawn_to_escape", 1).await[0];
    assert_eq!(signal["payload"]["ground"], "escaped_suspension_request");
    // Nor does its own audit trail name the ground.
    let trail = app.get(&format!("/api/v1/certificates/{id}/audit-trail"), Some(&agency)).await;
    assert_eq!(trail.status, 200, "{:?}", trail.body);
    assert!(!trail.body.to_string().contains("escaped_suspension_request"), "{:?}", trail.body);
    // Another body considering the agency sees why it waits.
    let other = app.body("cb-two").await;
    let r = app.post("/api/v1/agencies/12345678/certificates", &other, json!({})).await;
    assert_eq!(r.body["earlier_certificate"]["ground"], "escaped_suspension_request", "{:?}", r.body);
}

#[tokio::test]
async fn a_revocation_ground_outside_the_list_is_refused_with_the_list() {
    let app = spawn_app().await;
    let (body, id) = app.certified("12345678", "cb-one").await;
    for grounds in ["escaped_fine", "whatever"] {
        let r = app.revoke(&id, &body, grounds, "x").await;
        assert_eq!(r.status, 422, "{grounds}: {:?}", r.body);
    }
    assert_eq!(app.public("12345678").await["status"], "certified");
}

/// Every requirement of the advice, met, as a full entry records them at once.
fn all_met() -> serde_json::Value {
    let mut requirements = serde_json::Map::new();
    for code in zegel_certificates::domain::RequirementCode::ALL {
        requirements.insert(
            code.as_str().into(),
            json!({"outcome": "met", "evidence_ref": format!("dossier/{}", code.as_str())}),
        );
    }
    json!(requirements)
}

#[tokio::test]
async fn after_a_clean_exit_the_way_back_is_a_full_certificate_with_every_requirement_met() {
    let app = spawn_app().await;
    let (body, first) = app.starter("12345678", 400).await;
    let agency = app.token(&[Role::Agency], Some("12345678"));
    let r = app.post(&format!("/api/v1/certificates/{first}/withdrawal"), &agency, json!({"reason": "pause"})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);

    // Bad input is refused with every field named, before anything is asked elsewhere.
    let r = app
        .post(
            "/api/v1/agencies/12345678/certificates",
            &body,
            json!({"entry": "full", "requirements": {"two_payrolls": {"outcome": "met"}, "no_such": {"outcome": "met"}}}),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["type"], "urn:zegel:problem:validation");
    let pointers: Vec<_> = r.body["errors"].as_array().unwrap().iter().map(|e| e["pointer"].clone()).collect();
    assert!(pointers.contains(&json!("/requirements/two_payrolls/evidence_ref")), "{pointers:?}");
    assert!(pointers.contains(&json!("/requirements/no_such")), "{pointers:?}");
    let mut absurd = all_met();
    absurd["auditor_statement"]["financial_year"] = json!(i32::MAX);
    let r = app
        .post("/api/v1/agencies/12345678/certificates", &body, json!({"entry": "full", "requirements": absurd}))
        .await;
    assert_eq!(r.body["errors"][0]["pointer"], "/requirements/auditor_statement/financial_year", "{:?}", r.body);
    let r = app.post("/api/v1/agencies/12345678/certificates", &body, json!({"entry": "full"})).await;
    assert_eq!(r.body["type"], "urn:zegel:problem:validation", "a full entry names its requirements: {:?}", r.body);
    let r = app.post("/api/v1/agencies/12345678/certificates", &body, json!({"requirements": {}})).await;
    assert_eq!(
        r.body["type"], "urn:zegel:problem:validation",
        "a provisional entry records none at once: {:?}",
        r.body
    );

    // One requirement short: 422 unmet, and nothing is kept.
    let mut short = all_met();
    short.as_object_mut().unwrap().remove("cao_wage_compliance");
    let r = app
        .post("/api/v1/agencies/12345678/certificates", &body, json!({"entry": "full", "requirements": short}))
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["type"], "urn:zegel:problem:requirements-unmet", "{:?}", r.body);
    assert!(r.body.to_string().contains("cao_wage_compliance"), "{:?}", r.body);
    assert_eq!(app.public("12345678").await["status"], "withdrawn", "nothing was issued");

    // Every requirement met: certified at once, no probation, audited, announced.
    let r = app
        .post("/api/v1/agencies/12345678/certificates", &body, json!({"entry": "full", "requirements": all_met()}))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["status"], "certified");
    assert_eq!(r.body["certified_on"], json!(app.clock.today()));
    assert_eq!(
        r.body["requirements"].as_array().unwrap().len(),
        zegel_certificates::domain::RequirementCode::ALL.len()
    );
    let id = r.body["certificate_id"].as_str().unwrap().to_string();
    assert_ne!(id, first);
    let public = app.public("12345678").await;
    assert_eq!(public["status"], "certified");
    assert_eq!(public["certificate"]["probation_ends_on"], json!(null));
    let event = &app.wait_for_events("certificate.issued_full", 1).await[0];
    assert_eq!(event["payload"]["certificate_id"], id.as_str());
    let trail = app.get(&format!("/api/v1/certificates/{id}/audit-trail"), Some(&body)).await;
    assert!(trail.body.to_string().contains("certificate.issue_full"), "{:?}", trail.body);
}

#[tokio::test]
async fn a_full_entry_waits_out_a_revocation_like_any_other() {
    let app = spawn_app().await;
    let (body, id) = app.certified("12345678", "cb-one").await;
    revoke(&app, &body, &id, "criminal_sanction").await;
    let other = app.body("cb-two").await;
    let r = app
        .post("/api/v1/agencies/12345678/certificates", &other, json!({"entry": "full", "requirements": all_met()}))
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["type"], "urn:zegel:problem:re-entry-refused");
    assert_eq!(r.body["may_apply_for"], "full");
    let until = zegel_certificates::domain::lifecycle::add_months(app.clock.today(), 24);
    app.clock.advance_days((until - app.clock.today()).num_days());
    let r = app
        .post("/api/v1/agencies/12345678/certificates", &other, json!({"entry": "full", "requirements": all_met()}))
        .await;
    assert_eq!(r.status, 201, "after the waiting period, with every requirement met: {:?}", r.body);
}
