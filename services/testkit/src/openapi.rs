//! The OpenAPI documents as contracts: every documented operation routed and answering a
//! documented status, and bodies in their documented shape.

/// An OpenAPI document, parsed.
pub fn openapi(path: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_yaml_ng::from_str(&text).expect("valid YAML")
}

/// Checks a running service against its OpenAPI document: every documented operation is
/// routed and answers one of its documented statuses (called without credentials and
/// with an empty JSON body), and every other method on a documented path is a 405.
/// `params` replaces path templates such as `{kvk}`. Returns what disagrees.
pub async fn contract_violations(doc: &serde_json::Value, base: &str, params: &[(&str, &str)]) -> Vec<String> {
    let http = reqwest::Client::new();
    let mut violations = Vec::new();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    for (template, item) in &paths {
        let mut path = template.clone();
        for (name, value) in params {
            path = path.replace(name, value);
        }
        for method in ["get", "post", "put", "delete", "patch"] {
            let mut rb = http.request(method.to_uppercase().parse().expect("method"), format!("{base}{path}"));
            if method != "get" {
                rb = rb.json(&serde_json::json!({}));
            }
            let Ok(res) = rb.send().await else {
                violations.push(format!("{method} {template}: no answer"));
                continue;
            };
            let status = res.status().as_u16();
            let body: serde_json::Value = res.json().await.unwrap_or_default();
            match item.get(method) {
                Some(op) => {
                    let unrouted = status == 405 || (status == 404 && body["detail"] == "No resource at this path.");
                    if unrouted {
                        violations.push(format!("{method} {template} is documented but not routed ({status})"));
                    } else if !op["responses"].as_object().is_some_and(|r| r.contains_key(&status.to_string())) {
                        violations.push(format!("{method} {template} answered {status}, which is not documented"));
                    }
                }
                None if status != 405 => {
                    violations.push(format!("{method} {template} is routed ({status}) but not documented"))
                }
                None => {}
            }
        }
    }
    violations
}

/// Checks `value` against the named schema's `required` members and, when the schema is
/// closed (`additionalProperties: false`), against its documented members.
pub fn shape_violations(doc: &serde_json::Value, schema_name: &str, value: &serde_json::Value) -> Vec<String> {
    let schema = &doc["components"]["schemas"][schema_name];
    let Some(obj) = value.as_object() else {
        return vec![format!("{schema_name}: not an object: {value}")];
    };
    let mut out = Vec::new();
    for req in schema["required"].as_array().into_iter().flatten() {
        if let Some(name) = req.as_str()
            && !obj.contains_key(name)
        {
            out.push(format!("{schema_name}: missing {name}"));
        }
    }
    if schema["additionalProperties"] == false {
        let props = schema["properties"].as_object().cloned().unwrap_or_default();
        for key in obj.keys() {
            if !props.contains_key(key) {
                out.push(format!("{schema_name}: undocumented member {key}"));
            }
        }
    }
    out
}
