//! openapi/gaccounts.yaml is the contract.

use zegel_testkit::{contract_violations, openapi};

use crate::helpers::{g_iban, spawn_app};

#[tokio::test]
async fn the_register_keeps_its_contract() {
    let app = spawn_app().await;
    let doc = openapi(concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/gaccounts.yaml"));
    let nil = uuid::Uuid::nil().to_string();
    let iban = g_iban(1);
    let params = [
        ("{kvk}", "12345678"),
        ("{id}", nil.as_str()),
        ("{step}", "verification"),
        ("{rendering}", "qr.svg"),
        ("{iban}", iban.as_str()),
    ];
    let violations = contract_violations(&doc, &app.address, &params).await;
    assert!(violations.is_empty(), "{violations:#?}");
}
