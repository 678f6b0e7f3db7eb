//! openapi/notifier.yaml is the contract.

use zegel_testkit::{contract_violations, openapi};

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_notifier_keeps_its_contract() {
    let app = spawn_app().await;
    let doc = openapi(concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/notifier.yaml"));
    let violations = contract_violations(&doc, &app.address, &[("{id}", "0190f0c4-5b6e-7cc1-9d4a-3f2a1b0c9d8e")]).await;
    assert!(violations.is_empty(), "{violations:#?}");
}
