//! openapi/deposits.yaml is the contract.

use zegel_testkit::{contract_violations, openapi};

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_register_keeps_its_contract() {
    let app = spawn_app().await;
    let doc = openapi(concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/deposits.yaml"));
    let nil = uuid::Uuid::nil().to_string();
    let params = [("{kvk}", "12345678"), ("{id}", nil.as_str()), ("{rendering}", "qr.svg")];
    let violations = contract_violations(&doc, &app.address, &params).await;
    assert!(violations.is_empty(), "{violations:#?}");
}
