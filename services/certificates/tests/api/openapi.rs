//! openapi/certificates.yaml is the contract: these tests fail when the router and the
//! document disagree.

use serde_json::{Value, json};

use crate::helpers::spawn_app;

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

fn document() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../openapi/certificates.yaml"
    ))
    .expect("openapi document");
    serde_yaml_ng::from_str(&text).expect("valid YAML")
}

fn concrete(path: &str) -> String {
    path.replace("{kvk}", "12345678")
        .replace("{id}", &uuid::Uuid::nil().to_string())
        .replace("{deficiency_id}", &uuid::Uuid::nil().to_string())
        .replace("{code}", "cao_wage_compliance")
        .replace("{rendering}", "qr.svg")
}

#[tokio::test]
async fn every_documented_operation_exists_and_answers_a_documented_status() {
    let app = spawn_app().await;
    let doc = document();
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 15, "the document lists the API");
    for (path, item) in paths {
        for method in METHODS {
            let url = concrete(path);
            let r = app
                .send(
                    &method.to_uppercase(),
                    &url,
                    None,
                    (method != "get").then(|| json!({})),
                    None,
                )
                .await;
            match item.get(method) {
                Some(op) => {
                    let no_route = r.status == 405
                        || (r.status == 404 && r.body["detail"] == "No resource at this path.");
                    assert!(
                        !no_route,
                        "{method} {path} is documented but not routed ({})",
                        r.status
                    );
                    let documented = op["responses"].as_object().expect("responses");
                    assert!(
                        documented.contains_key(&r.status.to_string()),
                        "{method} {path} answered {} which is not documented",
                        r.status
                    );
                }
                None => assert_eq!(
                    r.status, 405,
                    "{method} {path} is routed but not documented"
                ),
            }
        }
    }
}

/// Checks an object against a schema's `required` and (when closed) `properties`.
fn conforms(doc: &Value, schema_name: &str, value: &Value) {
    let schema = &doc["components"]["schemas"][schema_name];
    let obj = value
        .as_object()
        .unwrap_or_else(|| panic!("{schema_name}: not an object: {value}"));
    for req in schema["required"].as_array().into_iter().flatten() {
        assert!(
            obj.contains_key(req.as_str().expect("required names are strings")),
            "{schema_name}: missing {req} in {value}"
        );
    }
    if schema["additionalProperties"] == false {
        let props = schema["properties"].as_object().expect("properties");
        for key in obj.keys() {
            assert!(
                props.contains_key(key),
                "{schema_name}: undocumented member {key}"
            );
        }
    }
}

#[tokio::test]
async fn responses_have_the_documented_shape() {
    let app = spawn_app().await;
    let doc = document();
    let (body, id) = app.certified("12345678", "cb-one").await;
    conforms(&doc, "PublicView", &app.public("12345678").await);
    let r = app
        .post(
            "/api/v1/agencies/12345678/certificate/seal",
            &body,
            json!({}),
        )
        .await;
    conforms(&doc, "SealIssued", &r.body);
    let r = app
        .post(
            &format!("/api/v1/certificates/{id}/revocation"),
            &body,
            json!({"reason": "r", "grounds": "other"}),
        )
        .await;
    conforms(&doc, "Certificate", &r.body);
    let r = app
        .get(
            &format!("/api/v1/certificates/{id}/audit-trail"),
            Some(&body),
        )
        .await;
    conforms(&doc, "AuditTrail", &r.body);
    let r = app
        .post(
            "/api/v1/agencies/12345678/certificate/seal",
            &body,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 409, "revoked: no seal");
    let r = app.get("/api/v1/certification-bodies/cb-one", None).await;
    conforms(&doc, "Body", &r.body);
    let r = app.get("/api/v1/agencies/1/certificate", None).await;
    conforms(&doc, "Problem", &r.body);
}
