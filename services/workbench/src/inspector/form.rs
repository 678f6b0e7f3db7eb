//! The inspection form as the housing register's request: what the inspector typed, in
//! the names the register reads. The workbench checks only what it must to build the
//! request (a number is a number); the register judges the rest and says what is wrong.

use serde_json::{Map, Value, json};
use zegel_contracts::housing::{ContractForm, InspectionKind};

use super::number;
use crate::desk::Form;

/// Bedroom rows the form offers at most.
pub const MAX_BEDROOMS: usize = 40;
/// Deficiency rows on the form.
pub const DEFICIENCY_ROWS: usize = 3;
/// Tenancy contracts the form samples at most (the register takes up to 200 through its API).
pub const CONTRACT_ROWS: usize = 3;

/// The register's inspection request from the form; or the keys of the sentences that say
/// which fields could not be read.
pub fn inspection(form: &Form) -> Result<Value, Vec<&'static str>> {
    let mut errors = Vec::new();
    let mut body = Map::new();
    let kind = form.get("kind").and_then(InspectionKind::parse).unwrap_or(InspectionKind::Announced);
    body.insert("kind".into(), json!(kind));
    body.insert("findings".into(), json!(form.get("findings").unwrap_or_default()));
    if let Some(on) = form.get("inspected_on") {
        body.insert("inspected_on".into(), json!(on));
    }
    if let Some(complaint) = form.get("complaint_id") {
        body.insert("complaint_id".into(), json!(complaint));
    }
    match measured(form) {
        Ok(Some(rooms)) => {
            body.insert("measured".into(), rooms);
        }
        Ok(None) => {}
        Err(key) => errors.push(key),
    }
    let deficiencies: Vec<Value> = (0..DEFICIENCY_ROWS)
        .filter_map(|i| {
            let description = form.get(&format!("deficiency_{i}"))?;
            Some(
                json!({"description": description, "deadline": form.get(&format!("deadline_{i}")).unwrap_or_default()}),
            )
        })
        .collect();
    body.insert("deficiencies".into(), Value::Array(deficiencies));
    let contracts: Vec<Value> = (0..CONTRACT_ROWS).filter_map(|i| contract(form, i)).collect();
    if !contracts.is_empty() {
        body.insert("tenancy".into(), Value::Array(contracts));
    }
    if errors.is_empty() { Ok(Value::Object(body)) } else { Err(errors) }
}

/// The measured rooms, when any was typed: every bedroom's area and the living area.
fn measured(form: &Form) -> Result<Option<Value>, &'static str> {
    rooms(form, MAX_BEDROOMS)
}

/// Rooms as the housing register reads them, from a form's `bedroom_0` … `bedroom_{rows-1}`
/// and `living_area` (a decimal comma or point), when any was typed: measured by an
/// inspector, or proposed by the provider.
pub(crate) fn rooms(form: &Form, rows: usize) -> Result<Option<Value>, &'static str> {
    let typed: Vec<&str> = (0..rows).filter_map(|i| form.get(&format!("bedroom_{i}"))).collect();
    let living = form.get("living_area");
    if typed.is_empty() && living.is_none() {
        return Ok(None);
    }
    let bedrooms: Option<Vec<Value>> = typed.iter().map(|b| number(b)).collect();
    let bedrooms = bedrooms.ok_or("field-bedroom")?;
    let living = living.and_then(number).ok_or("field-living-area")?;
    Ok(Some(json!({"bedrooms": bedrooms, "living_area": living})))
}

/// Sampled contract `i`, when its form was chosen.
fn contract(form: &Form, i: usize) -> Option<Value> {
    let field = |name: &str| format!("contract_{i}_{name}");
    let kind = form.get(&field("form")).and_then(ContractForm::parse)?;
    let whole = |name: &str| form.get(&field(name)).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
    let mut c = Map::new();
    c.insert("form".into(), json!(kind));
    c.insert("own_contract".into(), json!(form.has(&field("own"))));
    c.insert("tied_to_work".into(), json!(form.has(&field("tied"))));
    c.insert("self_contained".into(), json!(form.has(&field("self_contained"))));
    c.insert("starts_on".into(), json!(form.get(&field("starts_on")).unwrap_or_default()));
    if let Some(end) = form.get(&field("ends_on")) {
        c.insert("ends_on".into(), json!(end));
    }
    c.insert("notice".into(), json!({"months": whole("notice_months"), "days": whole("notice_days")}));
    Some(Value::Object(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        Form::from(pairs)
    }

    #[test]
    fn what_the_inspector_typed_becomes_the_register_s_request() {
        let typed = form(&[
            ("kind", "unannounced"),
            ("findings", "Ten mattresses in the attic."),
            ("bedroom_0", "6,5"),
            ("bedroom_1", " 5.5 "),
            ("bedroom_2", ""),
            ("living_area", "40"),
            ("deficiency_0", "No smoke detector."),
            ("deadline_0", "2027-01-15"),
            ("contract_0_form", "short_stay"),
            ("contract_0_tied", "yes"),
            ("contract_0_starts_on", "2026-11-01"),
            ("contract_0_ends_on", "2027-10-31"),
            ("contract_0_notice_months", "1"),
            ("contract_1_starts_on", "2026-11-01"),
        ]);
        let body = inspection(&typed).expect("a request");
        assert_eq!(body["measured"], json!({"bedrooms": [6.5, 5.5], "living_area": 40.0}));
        assert_eq!(body["deficiencies"], json!([{"description": "No smoke detector.", "deadline": "2027-01-15"}]));
        let contracts = body["tenancy"].as_array().expect("a sample");
        assert_eq!(contracts.len(), 1, "a row without its form is no contract");
        assert_eq!(
            contracts[0],
            json!({"form": "short_stay", "own_contract": false, "tied_to_work": true, "self_contained": false,
                   "starts_on": "2026-11-01", "ends_on": "2027-10-31", "notice": {"months": 1, "days": 0}})
        );
        assert_eq!(body["kind"], "unannounced");
    }

    #[test]
    fn what_is_not_a_number_is_said_and_nothing_is_sent() {
        assert_eq!(inspection(&form(&[("bedroom_0", "six"), ("living_area", "30")])), Err(vec!["field-bedroom"]));
        assert_eq!(inspection(&form(&[("bedroom_0", "6")])), Err(vec!["field-living-area"]));
        let none = inspection(&form(&[("findings", "x")])).expect("a request");
        assert!(none.get("measured").is_none() && none.get("tenancy").is_none(), "{none}");
    }
}
