//! The certificate lifecycle, end to end through the API.

use platform::auth::Role;
use serde_json::{Value, json};

use crate::helpers::{Asks, spawn_app};

#[tokio::test]
async fn an_agency_goes_from_provisional_to_revoked_and_the_public_view_and_trail_follow() {
    let app = spawn_app().await;
    let body = app.body("cb-one").await;
    app.agency("12345678", 400).await;
    assert_eq!(app.public("12345678").await["status"], "none");

    let id = app.provisional("12345678", &body).await;
    let view = app.public("12345678").await;
    assert_eq!(view["status"], "provisional");
    assert_eq!(view["norm"], "NEN 4400-1");
    assert_eq!(view["certificate"]["certification_body"]["name"], "Body cb-one");
    let expected_end = zegel_certificates::domain::lifecycle::probation_end(app.clock.today());
    assert_eq!(view["certificate"]["probation_ends_on"], json!(expected_end));

    app.meet_all(&id, &body).await;
    let r = app
        .post(&format!("/api/v1/certificates/{id}/certification"), &body, json!({"reason": "all requirements met"}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let view = app.public("12345678").await;
    assert_eq!(view["status"], "certified");
    let due = zegel_certificates::domain::lifecycle::next_audit(app.clock.today());
    assert_eq!(view["certificate"]["next_audit_due"], json!(due));

    let remedy_by = app.clock.today() + chrono::Days::new(30);
    let r = app
        .post(
            &format!("/api/v1/certificates/{id}/suspension"),
            &body,
            json!({"reason": "wage arrears", "remedy_by": remedy_by}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(app.public("12345678").await["status"], "suspended");

    let r =
        app.post(&format!("/api/v1/certificates/{id}/reinstatement"), &body, json!({"reason": "arrears paid"})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(app.public("12345678").await["status"], "certified");

    let r = app.revoke(&id, &body, "irrevocable_fine", "final fine").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let view = app.public("12345678").await;
    assert_eq!(view["status"], "revoked");
    let history: Vec<_> = view["certificate"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(history, ["provisional", "certified", "suspended", "certified", "revoked"]);
    // The public view carries no reasons and no actors.
    let text = view.to_string();
    assert!(!text.contains("wage arrears") && !text.contains("test-certification_body"), "{text}");

    let trail =
        app.get(&format!("/api/v1/certificates/{id}/audit-trail"), Some(&app.token(&[Role::Inspectorate], None))).await;
    assert_eq!(trail.status, 200);
    let entries = trail.body["entries"].as_array().unwrap();
    let actions: Vec<_> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .filter(|a| !a.starts_with("certificate.requirement"))
        .collect();
    assert_eq!(
        actions,
        [
            "certificate.issue_provisional",
            "certificate.certify",
            "certificate.suspend",
            "certificate.reinstate",
            "certificate.revoke"
        ]
    );
    let revoke = entries.last().unwrap();
    assert_eq!(revoke["actor"]["subject"], "test-certification_body");
    assert_eq!(revoke["actor"]["role"], "certification_body");
    assert_eq!(revoke["actor"]["org"], "cb-one");
    assert_eq!(revoke["reason"], "irrevocable_fine: final fine");
    assert_eq!(revoke["before"]["status"], "certified");
    assert_eq!(revoke["after"]["status"], "revoked");
}

#[tokio::test]
async fn certification_with_requirements_unmet_lists_each_one() {
    let app = spawn_app().await;
    let (body, id) = app.starter("12345678", 400).await;
    let r = app
        .requirement(&id, &body, "cao_wage_compliance", json!({"outcome": "not_met", "evidence_ref": "audit 3"}))
        .await;
    assert_eq!(r.status, 200);
    let r = app.post(&format!("/api/v1/certificates/{id}/certification"), &body, json!({})).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["type"], "urn:zegel:problem:requirements-unmet");
    let unmet: Vec<_> = r.body["unmet"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(unmet.len(), 10, "{unmet:?}");
    assert!(unmet.contains(&"cao_wage_compliance") && unmet.contains(&"g_account_in_use"));
    assert_eq!(r.body["errors"][1]["pointer"], "/requirements/cao_wage_compliance");
    assert_eq!(r.body["errors"][1]["detail"], "recorded as not met");
    assert_eq!(app.public("12345678").await["status"], "provisional");
}

#[tokio::test]
async fn the_auditor_statement_is_not_required_in_the_agency_s_first_year() {
    let app = spawn_app().await;
    let (body, id) = app.starter("12345678", 100).await;
    for code in zegel_certificates::domain::RequirementCode::ALL {
        if code.as_str() == "auditor_statement" {
            continue;
        }
        let outcome = if code.as_str() == "housing_certified" { "not_applicable" } else { "met" };
        let r = app.requirement(&id, &body, code.as_str(), json!({"outcome": outcome, "evidence_ref": "file"})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let r = app.post(&format!("/api/v1/certificates/{id}/certification"), &body, json!({})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

#[tokio::test]
async fn not_applicable_is_only_an_answer_for_housing() {
    let app = spawn_app().await;
    let (body, id) = app.starter("12345678", 400).await;
    let r = app.requirement(&id, &body, "deposit_paid", json!({"outcome": "not_applicable"})).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["errors"][0]["pointer"], "/outcome");
    let r = app.requirement(&id, &body, "deposit_paid", json!({"outcome": "met"})).await;
    assert_eq!(r.status, 422, "met without evidence");
    assert_eq!(r.body["errors"][0]["pointer"], "/evidence_ref");
}

#[tokio::test]
async fn probation_lapses_when_not_converted_and_can_be_extended_once_by_at_most_two_months() {
    let app = spawn_app().await;
    let (body, id) = app.starter("12345678", 10).await;
    let issued = app.clock.today();
    let end = zegel_certificates::domain::lifecycle::probation_end(issued);
    let latest = zegel_certificates::domain::lifecycle::latest_extension(issued);

    let too_far = latest + chrono::Days::new(1);
    let r = app
        .post(
            &format!("/api/v1/certificates/{id}/extension"),
            &body,
            json!({"until": too_far, "reason": "payrolls late"}),
        )
        .await;
    assert_eq!(r.status, 422, "beyond two months");
    let r = app
        .post(&format!("/api/v1/certificates/{id}/extension"), &body, json!({"until": end, "reason": "payrolls late"}))
        .await;
    assert_eq!(r.status, 422, "not later than the current end");
    let r = app
        .post(
            &format!("/api/v1/certificates/{id}/extension"),
            &body,
            json!({"until": latest, "reason": "payrolls late"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["probation_ends_on"], json!(latest));
    let r = app
        .post(&format!("/api/v1/certificates/{id}/extension"), &body, json!({"until": latest, "reason": "again"}))
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.body["type"], "urn:zegel:problem:extension-used");

    // On the last day of the extended probation it still stands; the day after, it lapses.
    let days_to_end = (latest - app.clock.today()).num_days();
    app.clock.advance_days(days_to_end);
    let report = zegel_certificates::sweep::run(&app.state).await.unwrap();
    assert_eq!(report.lapsed, 0);
    assert_eq!(app.public("12345678").await["status"], "provisional");
    app.clock.advance_days(1);
    let report = zegel_certificates::sweep::run(&app.state).await.unwrap();
    assert_eq!(report.lapsed, 1);
    assert_eq!(app.public("12345678").await["status"], "lapsed");
    let lapsed = app.wait_for_events("certificate.lapsed", 1).await;
    assert_eq!(lapsed.len(), 1);
    assert_eq!(lapsed[0]["addressed_to"], json!(["kvk", "inspectorate", "tax", "bans", "housing"]));
    // A second sweep changes nothing.
    assert_eq!(zegel_certificates::sweep::run(&app.state).await.unwrap().lapsed, 0);
}

#[tokio::test]
async fn an_overdue_yearly_audit_lapses_the_certificate_after_the_grace_period_and_an_audit_moves_the_due_date() {
    let app = spawn_app().await;
    let (body, id) = app.certified("12345678", "cb-one").await;
    // An audit half a year in moves the due date to a year after the audit.
    app.clock.advance_days(180);
    let r = app
        .post(
            &format!("/api/v1/certificates/{id}/audits"),
            &body,
            json!({"performed_on": app.clock.today(), "report_ref": "R-1"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let due = zegel_certificates::domain::lifecycle::next_audit(app.clock.today());
    assert_eq!(r.body["certificate"]["next_audit_due"], json!(due));
    assert_eq!(r.body["audit"]["outcome"], "pass");

    let days = (due - app.clock.today()).num_days() + 30;
    app.clock.advance_days(days);
    assert_eq!(zegel_certificates::sweep::run(&app.state).await.unwrap().lapsed, 0, "within grace");
    app.clock.advance_days(1);
    assert_eq!(zegel_certificates::sweep::run(&app.state).await.unwrap().lapsed, 1);
    assert_eq!(app.public("12345678").await["status"], "lapsed");
}

#[tokio::test]
async fn withdrawing_while_suspended_is_recorded_as_an_escape_and_signalled() {
    let app = spawn_app().await;
    let (body, id) = app.certified("12345678", "cb-one").await;
    let remedy_by = app.clock.today() + chrono::Days::new(14);
    let r = app
        .post(
            &format!("/api/v1/certificates/{id}/suspension"),
            &body,
            json!({"reason": "no G-account", "remedy_by": remedy_by}),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = app.post(&format!("/api/v1/certificates/{id}/withdrawal"), &body, json!({"reason": "closing"})).await;
    assert_eq!(r.status, 403, "the body cannot withdraw for the agency");
    let agency = app.token(&[Role::Agency], Some("12345678"));
    let r = app.post(&format!("/api/v1/certificates/{id}/withdrawal"), &agency, json!({"reason": "closing"})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["withdrawn_while_suspended"], true);
    assert_eq!(r.body["escaped"], "escaped_suspension");
    assert_eq!(app.public("12345678").await["status"], "withdrawn");
    let signals = app.wait_for_events("certificate.withdrawn_to_escape", 1).await;
    assert_eq!(signals.len(), 1);
    assert_eq!(signals[0]["addressed_to"], json!(["inspectorate", "admission_authority"]));
    assert_eq!(signals[0]["payload"]["ground"], "escaped_suspension");
    assert_eq!(
        app.wait_for_events("certificate.withdrawn", 1).await[0]["addressed_to"],
        json!(["kvk", "inspectorate", "tax", "bans", "housing"])
    );
}

#[tokio::test]
async fn the_inspectorate_requests_a_suspension_and_the_body_is_told() {
    let app = spawn_app().await;
    let (body, id) = app.certified("12345678", "cb-one").await;
    let inspectorate = app.token(&[Role::Inspectorate], None);
    let r = app
        .post(&format!("/api/v1/certificates/{id}/suspension"), &inspectorate, json!({"reason": "underpayment found"}))
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    assert_eq!(app.public("12345678").await["status"], "certified", "a request does not suspend");
    let events = app.wait_for_events("certificate.suspension_requested", 1).await;
    assert_eq!(events[0]["addressed_to"], json!(["certification_body:cb-one"]));
    let detail = app.get(&format!("/api/v1/certificates/{id}"), Some(&inspectorate)).await;
    assert_eq!(detail.body["suspension_requests"][0]["reason"], "underpayment found");
    let detail = app.get(&format!("/api/v1/certificates/{id}"), Some(&body)).await;
    assert_eq!(detail.body["suspension_requests"][0]["reason"], "underpayment found", "the body decides on it");

    // The agency is not warned of an investigation: neither its certificate nor the trail
    // shows the request or its reason until the body suspends.
    let agency = app.token(&[Role::Agency], Some("12345678"));
    let seen = |app: &crate::helpers::TestApp, agency: String| {
        let id = id.clone();
        let app = app.client.clone();
        async move {
            let detail = app.get(&format!("/api/v1/certificates/{id}"), Some(&agency)).await;
            let trail = app.get(&format!("/api/v1/certificates/{id}/audit-trail"), Some(&agency)).await;
            assert_eq!((detail.status, trail.status), (200, 200));
            (detail.body.to_string() + &trail.body.to_string()).contains("underpayment found")
        }
    };
    assert!(!seen(&app, agency.clone()).await, "hidden before a suspension");
    let r = app
        .post(
            &format!("/api/v1/certificates/{id}/suspension"),
            &body,
            json!({"reason": "inspectorate's findings", "remedy_by": app.clock.today() + chrono::Days::new(30)}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(seen(&app, agency).await, "the suspended agency may know why it was asked for");
}

#[tokio::test]
async fn unremedied_suspensions_and_serious_deficiencies_are_reported_to_the_inspectorate_once() {
    let app = spawn_app().await;
    let (body, id) = app.certified("12345678", "cb-one").await;
    let soon = app.clock.today() + chrono::Days::new(10);
    let r = app
        .post(
            &format!("/api/v1/certificates/{id}/audits"),
            &body,
            json!({"performed_on": app.clock.today(), "report_ref": "R-2", "deficiencies": [
                {"description": "no RI&E shared", "serious": true, "remedy_by": soon},
                {"description": "typo in payslip", "serious": false, "remedy_by": soon},
                {"description": "resolved in time", "serious": true, "remedy_by": soon}
            ]}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["audit"]["outcome"], "deficiencies");
    let resolved = r.body["deficiencies"][2]["deficiency_id"].as_str().unwrap().to_string();
    let r = app
        .post(
            &format!("/api/v1/certificates/{id}/deficiencies/{resolved}/resolution"),
            &body,
            json!({"resolved_on": app.clock.today(), "resolution_ref": "fixed"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app
        .post(&format!("/api/v1/certificates/{id}/suspension"), &body, json!({"reason": "no RI&E", "remedy_by": soon}))
        .await;
    assert_eq!(r.status, 200);

    app.clock.advance_days(11);
    let report = zegel_certificates::sweep::run(&app.state).await.unwrap();
    assert_eq!((report.suspensions_overdue, report.deficiencies_overdue), (1, 1));
    let again = zegel_certificates::sweep::run(&app.state).await.unwrap();
    assert_eq!((again.suspensions_overdue, again.deficiencies_overdue), (0, 0));
    let overdue = app.wait_for_events("certificate.deficiency_overdue", 1).await;
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["payload"]["description"], "no RI&E shared");
    assert_eq!(
        app.wait_for_events("certificate.suspension_overdue", 1).await[0]["addressed_to"],
        json!(["inspectorate"])
    );
}

#[tokio::test]
async fn a_foreign_agency_is_assessed_on_nen_4400_2() {
    let app = spawn_app().await;
    let kvk = app.token(&[Role::Kvk], None);
    let r = app
        .post("/api/v1/agencies", &kvk, json!({"kvk_number": "87654321", "name": "Praca Sp. z o.o.", "seat_country": "pl", "sbi_codes": ["7810"], "established_on": "2020-01-01", "home_register_number": "0000654321", "vat_number": "PL5261040828"}))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["norm"], "NEN 4400-2");
    assert_eq!(r.body["seat_country"], "PL");
    let body = app.body("cb-one").await;
    app.provisional("87654321", &body).await;
    assert_eq!(app.public("87654321").await["norm"], "NEN 4400-2");
}

/// The request id of a certification goes along on the live checks in the other registers,
/// so that their access logs name the same request.
#[tokio::test]
async fn the_live_checks_carry_the_request_id_to_the_other_registers() {
    let bans = zegel_testkit::Receiver::start().await;
    let base = bans.base().to_string();
    let app = crate::helpers::spawn_app_with(move |s| s.own.bans_url = base).await;
    let body = app.body("cb-one").await;
    app.agency("12345678", 400).await;
    // The starter's entry test asks the bans register (which answers nothing it can
    // judge here: the certificate is not issued, 503).
    let res = app
        .http
        .post(format!("{}/api/v1/agencies/12345678/certificates", app.address))
        .bearer_auth(&body)
        .header("x-request-id", "cert-4711")
        .json(&json!({}))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.headers()["x-request-id"], "cert-4711");
    assert_eq!(res.status(), 503);
    let asked = bans.wait_until(|r| !r.is_empty()).await;
    assert_eq!(asked[0].method, "GET");
    assert_eq!(asked[0].path, "/api/v1/agencies/12345678/ban-status");
    assert_eq!(asked[0].headers.get("x-request-id").map(String::as_str), Some("cert-4711"));
}

/// Real yearly re-tests (advice 2.1 A): evidence holds for its period; once it expires the
/// sweep opens a deficiency with a deadline (told to the body), a deficiency past its
/// deadline suspends, and only fresh evidence and reinstatement bring the certificate back.
#[tokio::test]
async fn evidence_that_expires_opens_a_deficiency_and_one_past_its_deadline_suspends() {
    use chrono::Datelike;
    let app = spawn_app().await;
    december(&app);
    let (body, id) = app.certified("12345678", "cb-one").await;
    let sweep = async || zegel_certificates::sweep::run(&app.state).await.expect("sweep");
    let detail = async || {
        let r = app.get(&format!("/api/v1/certificates/{id}"), Some(&body)).await;
        assert_eq!(r.status, 200);
        r.body
    };
    // The auditor's statement on last year holds until 30 June of next year; the rest a
    // year from today.
    let certified_on = app.clock.today();
    let statement_until = chrono::NaiveDate::from_ymd_opt(certified_on.year() + 1, 6, 30).unwrap();
    let requirements = detail().await["requirements"].clone();
    let until = |code: &str| {
        requirements.as_array().unwrap().iter().find(|r| r["code"] == code).map(|r| r["valid_until"].clone()).unwrap()
    };
    assert_eq!(until("auditor_statement"), json!(statement_until));
    assert_eq!(until("cao_wage_compliance"), json!(certified_on + chrono::Months::new(12)));
    assert_eq!(until("two_payrolls"), json!(null), "once");
    assert_eq!(until("g_account_in_use"), json!(null), "decided live");

    // Valid on its last day; the day after, a deficiency with a deadline.
    app.clock.advance_days((statement_until - certified_on).num_days());
    assert_eq!(sweep().await.evidence_expired, 0, "still valid on {statement_until}");
    app.clock.advance_days(1);
    let report = sweep().await;
    assert_eq!((report.evidence_expired, report.suspended_for_deficiencies), (1, 0));
    assert_eq!(sweep().await.evidence_expired, 0, "one deficiency per lapse");
    let told = app.wait_for_events("certificate.evidence_expired", 1).await;
    assert_eq!(told[0]["addressed_to"], json!(["certification_body:cb-one"]));
    assert_eq!(told[0]["payload"]["requirement"], "auditor_statement");
    let deficiency = detail().await["deficiencies"][0].clone();
    let remedy_by = app.clock.today() + chrono::Days::new(30);
    assert_eq!(deficiency["requirement"], "auditor_statement");
    assert_eq!(deficiency["audit_id"], json!(null));
    assert_eq!(deficiency["remedy_by"], json!(remedy_by));
    assert_eq!(app.public("12345678").await["status"], "certified", "the deadline has not passed");

    // Past its deadline: suspended, once.
    app.clock.advance_days(30);
    assert_eq!(sweep().await.suspended_for_deficiencies, 0, "the deadline day itself is in time");
    app.clock.advance_days(1);
    assert_eq!(sweep().await.suspended_for_deficiencies, 1);
    assert_eq!(sweep().await.suspended_for_deficiencies, 0);
    assert_eq!(app.public("12345678").await["status"], "suspended");
    let suspended = app.wait_for_events("certificate.suspended", 1).await;
    assert!(suspended[0]["payload"]["reason"].as_str().unwrap().contains("auditor_statement"), "{}", suspended[0]);

    // No reinstatement while the evidence has expired.
    let reinstate = async || {
        app.post(&format!("/api/v1/certificates/{id}/reinstatement"), &body, json!({"reason": "remedied"})).await
    };
    let r = reinstate().await;
    assert_eq!((r.status, r.body["unmet"].clone()), (422, json!(["auditor_statement"])), "{:?}", r.body);
    // A statement on a year not yet finished is refused; this year's statement on last
    // year resolves the deficiency, and the body reinstates.
    let statement = format!("/api/v1/certificates/{id}/requirements/auditor_statement");
    let this_year = app.clock.today().year();
    let r =
        app.put(&statement, &body, json!({"outcome": "met", "evidence_ref": "A-2", "financial_year": this_year})).await;
    assert_eq!((r.status, r.body["errors"][0]["pointer"].clone()), (422, json!("/financial_year")), "{:?}", r.body);
    let r = app
        .put(&statement, &body, json!({"outcome": "met", "evidence_ref": "A-2", "financial_year": this_year - 1}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["resolved_deficiency"]["deficiency_id"], deficiency["deficiency_id"]);
    assert_eq!(r.body["valid_until"], json!(chrono::NaiveDate::from_ymd_opt(this_year + 1, 6, 30).unwrap()));
    let r = reinstate().await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(app.public("12345678").await["status"], "certified");
}

/// An audit re-runs the checks: evidence that no longer holds makes the audit find
/// deficiencies, one per requirement, with a deadline — it does not just move the date.
#[tokio::test]
async fn an_audit_requires_evidence_that_still_holds() {
    let app = spawn_app().await;
    december(&app);
    let (body, id) = app.certified("12345678", "cb-one").await;
    // A year and a day (leap years included).
    let later = app.clock.today() + chrono::Months::new(12) + chrono::Days::new(1);
    app.clock.advance_days((later - app.clock.today()).num_days());
    let r = app
        .post(
            &format!("/api/v1/certificates/{id}/audits"),
            &body,
            json!({"performed_on": app.clock.today(), "report_ref": "R-2"}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["audit"]["outcome"], "deficiencies");
    let found: Vec<_> = r.body["unmet"].as_array().unwrap().iter().map(|u| u["requirement"].clone()).collect();
    assert_eq!(
        found,
        [
            json!("cao_wage_compliance"),
            json!("auditor_statement"),
            json!("rie_and_occupational_health"),
            json!("registration_care"),
            json!("health_insurance_delivered")
        ],
        "every dated requirement, none of the once-only or live ones"
    );
    let deficiencies = r.body["deficiencies"].as_array().unwrap();
    assert_eq!(deficiencies.len(), 5);
    assert!(deficiencies.iter().all(|d| d["audit_id"] == r.body["audit"]["audit_id"] && d["serious"] == true));
    // The sweep opens no second deficiency for the same lapse.
    assert_eq!(zegel_certificates::sweep::run(&app.state).await.unwrap().evidence_expired, 0);
}

/// Moves the service's clock to the next 1 December, so that the dates of the evidence
/// fall in the same order whenever the test runs (the auditor's statement on last year
/// expires in June, the yearly evidence in December).
fn december(app: &crate::helpers::TestApp) {
    use chrono::Datelike;
    let today = app.clock.today();
    let this = chrono::NaiveDate::from_ymd_opt(today.year(), 12, 1).unwrap();
    let next = if this >= today { this } else { chrono::NaiveDate::from_ymd_opt(today.year() + 1, 12, 1).unwrap() };
    app.clock.advance_days((next - today).num_days());
}

/// A body's desk lists its own certificates with what is due; which agencies a body
/// certifies is nobody else's business, and a stranger learns not even whether the body
/// exists.
#[tokio::test]
async fn a_body_lists_its_own_certificates_and_nobody_else_reads_them() {
    let app = spawn_app().await;
    let (body, id) = app.starter("12345678", 30).await;
    let other = app.body("cb-two").await;
    app.agency("87654321", 30).await;
    let theirs = app.provisional("87654321", &other).await;
    let answer = json!({"outcome": "met", "evidence_ref": "cao/2026-11", "checked_on": app.clock.today()});
    let r = app.requirement(&id, &body, "cao_wage_compliance", answer).await;
    assert_eq!(r.status, 200, "{:?}", r.body);

    let r = app.get("/api/v1/certification-bodies/cb-one/certificates", Some(&body)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let listed = r.body["certificates"].as_array().expect("list");
    assert_eq!(listed.len(), 1, "only its own: {listed:?}");
    assert_eq!(listed[0]["certificate_id"], id.as_str());
    assert_eq!(
        (listed[0]["agency_name"].as_str(), listed[0]["open_deficiencies"].as_i64()),
        (Some("Flex BV"), Some(0))
    );
    assert!(listed[0]["next_due"].is_string(), "the wage evidence holds until a date: {:?}", listed[0]);
    assert_eq!(r.body["truncated"], false);

    let inspectorate = app.token(&[Role::Inspectorate], None);
    let r = app.get("/api/v1/certification-bodies/cb-two/certificates", Some(&inspectorate)).await;
    assert_eq!((r.status, r.body["certificates"][0]["certificate_id"].as_str()), (200, Some(theirs.as_str())));

    // Another body, the agency itself, a body that does not exist: the same refusal.
    let agency = app.token(&[Role::Agency], Some("12345678"));
    for (path, token) in [
        ("cb-one", &other),
        ("cb-one", &agency),
        ("cb-none", &app.token(&[Role::CertificationBody], Some("cb-none"))),
        ("cb-none", &agency),
    ] {
        let r = app.get(&format!("/api/v1/certification-bodies/{path}/certificates"), Some(token)).await;
        assert_eq!(r.status, 403, "{path}: {:?}", r.body);
        assert!(!r.body.to_string().contains("12345678"), "{:?}", r.body);
    }
    let r = app.get("/api/v1/certification-bodies/cb-one/certificates", None).await;
    assert_eq!(r.status, 401);

    // A body whose accreditation is withdrawn reads its list no longer.
    let admin = app.token(&[Role::Admin], None);
    let r = app
        .put("/api/v1/certification-bodies/cb-one", &admin, json!({"name": "Body cb-one", "accredited": false}))
        .await;
    assert_eq!(r.status, 200);
    let r = app.get("/api/v1/certification-bodies/cb-one/certificates", Some(&body)).await;
    assert_eq!(r.status, 403);
}

/// The checklist is the rule that certification applies, item by item: before anything is
/// recorded every requirement says why it is not met and certification is refused; once
/// all is met the checklist says certifiable and certification goes through.
#[tokio::test]
async fn the_checklist_says_what_certification_will_say() {
    let app = spawn_app().await;
    let (body, id) = app.starter("12345678", 400).await;
    let path = format!("/api/v1/certificates/{id}/checklist");
    let r = app.get(&path, Some(&body)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["certifiable"], false);
    let items = r.body["requirements"].as_array().expect("items");
    assert_eq!(items.len(), zegel_certificates::domain::RequirementCode::ALL.len());
    let payrolls = items.iter().find(|i| i["code"] == "two_payrolls").expect("two_payrolls");
    assert_eq!((payrolls["unmet"].as_str(), &payrolls["recorded"]), (Some("not recorded"), &json!(null)));
    let statement = items.iter().find(|i| i["code"] == "auditor_statement").expect("auditor_statement");
    assert_eq!(statement["per_financial_year"], true);
    let r = app.post(&format!("/api/v1/certificates/{id}/certification"), &body, json!({})).await;
    assert_eq!(r.status, 422, "the register refuses what the checklist calls unmet: {:?}", r.body);

    app.meet_all(&id, &body).await;
    let r = app.get(&path, Some(&body)).await;
    let unmet: Vec<&Value> =
        r.body["requirements"].as_array().expect("items").iter().filter(|i| !i["unmet"].is_null()).collect();
    assert!(unmet.is_empty(), "{unmet:?}");
    assert_eq!(r.body["certifiable"], true);
    assert_eq!(r.body["requirements"][0]["recorded"]["evidence_ref"], "dossier/two_payrolls");
    let r = app.post(&format!("/api/v1/certificates/{id}/certification"), &body, json!({})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app.get(&path, Some(&body)).await;
    assert_eq!(r.body["certifiable"], false, "certified already");

    // Another body learns nothing, as for a certificate that does not exist.
    let other = app.body("cb-two").await;
    let r = app.get(&path, Some(&other)).await;
    let missing = app.get(&format!("/api/v1/certificates/{}/checklist", uuid::Uuid::nil()), Some(&other)).await;
    assert_eq!((r.status, missing.status), (404, 404));
}
