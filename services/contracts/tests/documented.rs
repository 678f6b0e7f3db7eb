//! The reason codes of the standing are the ones the lookup's OpenAPI document lists.

use zegel_contracts::agency::Reason;

#[test]
fn openapi_lists_exactly_the_standing_reasons() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/lookup.yaml");
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let listed: Vec<&str> = doc["components"]["schemas"]["StandingReason"]["enum"]
        .as_sequence()
        .expect("StandingReason enum in openapi/lookup.yaml")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    let known: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(listed, known);
}
