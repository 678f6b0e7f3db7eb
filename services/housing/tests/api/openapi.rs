//! openapi/housing.yaml is the contract.

use zegel_testkit::{contract_violations, openapi};

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_register_keeps_its_contract() {
    let app = spawn_app().await;
    let doc = openapi(concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/housing.yaml"));
    let violations = contract_violations(&doc, &app.address, &[("{bag_id}", "0363010000123456")]).await;
    assert!(violations.is_empty(), "{violations:#?}");
}
