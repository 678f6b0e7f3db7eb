//! openapi/certificates.yaml is the contract: these tests fail when the router and the
//! document disagree.

use serde_json::json;
use zegel_testkit::{contract_violations, openapi, shape_violations};

use crate::helpers::{Asks, spawn_app};

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/certificates.yaml");

#[tokio::test]
async fn every_documented_operation_exists_and_answers_a_documented_status() {
    let app = spawn_app().await;
    let doc = openapi(DOC);
    assert!(doc["paths"].as_object().unwrap().len() >= 15, "the document lists the API");
    let nil = uuid::Uuid::nil().to_string();
    let params = [
        ("{kvk}", "12345678"),
        ("{id}", nil.as_str()),
        ("{deficiency_id}", nil.as_str()),
        ("{code}", "cao_wage_compliance"),
        ("{rendering}", "qr.svg"),
    ];
    let violations = contract_violations(&doc, &app.address, &params).await;
    assert!(violations.is_empty(), "{violations:#?}");
}

#[tokio::test]
async fn responses_have_the_documented_shape() {
    let app = spawn_app().await;
    let doc = openapi(DOC);
    let (body, id) = app.certified("12345678", "cb-one").await;
    let mut violations = shape_violations(&doc, "PublicView", &app.public("12345678").await);
    let r = app.post("/api/v1/agencies/12345678/certificate/seal", &body, json!({})).await;
    violations.extend(shape_violations(&doc, "SealIssued", &r.body));
    let r = app.get(&format!("/api/v1/certificates/{id}/checklist"), Some(&body)).await;
    violations.extend(shape_violations(&doc, "Checklist", &r.body));
    for item in r.body["requirements"].as_array().expect("items") {
        violations.extend(shape_violations(&doc, "ChecklistItem", item));
    }
    let r = app.revoke(&id, &body, "other", "r").await;
    violations.extend(shape_violations(&doc, "Certificate", &r.body));
    let r = app.post("/api/v1/agencies/12345678/certificate/seal", &body, json!({})).await;
    assert_eq!(r.status, 409, "revoked: no seal");
    let r = app.get(&format!("/api/v1/certificates/{id}/audit-trail"), Some(&body)).await;
    violations.extend(shape_violations(&doc, "AuditTrail", &r.body));
    let r = app.get("/api/v1/certification-bodies/cb-one", None).await;
    violations.extend(shape_violations(&doc, "Body", &r.body));
    let r = app.get("/api/v1/certification-bodies/cb-one/certificates", Some(&body)).await;
    violations.extend(shape_violations(&doc, "BodyCertificates", &r.body));
    for listed in r.body["certificates"].as_array().expect("a list") {
        violations.extend(shape_violations(&doc, "Certificate", listed));
    }
    let r = app.get("/api/v1/agencies/1/certificate", None).await;
    violations.extend(shape_violations(&doc, "Problem", &r.body));
    assert!(violations.is_empty(), "{violations:#?}");
}
