//! openapi/lookup.yaml is the contract.

use zegel_attest::Register;
use zegel_testkit::{contract_violations, openapi, shape_violations};

use crate::helpers::{Asks, seal, spawn_lookup};

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/lookup.yaml");

#[tokio::test]
async fn the_lookup_keeps_its_contract() {
    let lookup = spawn_lookup().await;
    let doc = openapi(DOC);
    let s = seal(Register::Certificates, 0, 60);
    let violations = contract_violations(&doc, &lookup.address, &[("{seal}", s.as_str()), ("{kvk}", "12345678")]).await;
    assert!(violations.is_empty(), "{violations:#?}");
    let (_, body) = lookup.verify(&s).await;
    assert!(shape_violations(&doc, "Outcome", &body).is_empty(), "{body}");
}
