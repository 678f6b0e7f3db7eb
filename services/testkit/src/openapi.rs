//! The OpenAPI documents as contracts: every documented operation routed and answering a
//! documented status, and bodies in their documented shape.

pub fn openapi(path: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_yaml_ng::from_str(&text).expect("valid YAML")
}

/// Every path of `doc` with its item and the path with `params` filled in.
fn documented_paths(doc: &serde_json::Value, params: &[(&str, &str)]) -> Vec<(String, serde_json::Value, String)> {
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    paths
        .into_iter()
        .map(|(template, item)| {
            let path = params.iter().fold(template.clone(), |path, (name, value)| path.replace(name, value));
            (template, item, path)
        })
        .collect()
}

/// Checks a running service against its OpenAPI document: every documented operation is
/// routed and answers one of its documented statuses (called without credentials and
/// with an empty JSON body), and every other method on a documented path is a 405.
/// `params` replaces path templates such as `{kvk}`. Returns what disagrees.
pub async fn contract_violations(doc: &serde_json::Value, base: &str, params: &[(&str, &str)]) -> Vec<String> {
    // A redirect is an answer of its own (the workbench's login sends the browser on).
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let mut violations = Vec::new();
    for (template, item, path) in documented_paths(doc, params) {
        let (template, item) = (&template, &item);
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

/// One write operation's row of the authorization matrix: who its document allows
/// (`x-zegel-roles`), and what each caller got.
#[derive(Debug, Clone)]
pub struct MatrixRow {
    /// `POST /api/v1/...`.
    pub operation: String,
    /// The roles the document allows (`x-zegel-roles`: role names, `authenticated` for
    /// any role, `public` for anyone).
    pub allowed: Vec<String>,
    /// Status per caller: `none` (no token) and every role.
    pub answers: Vec<(String, u16)>,
    /// The roles that act only for the organisation the path names (`x-zegel-own`), with
    /// what the same role for another organisation got.
    pub own: Vec<(String, u16)>,
    /// Its own budget per caller (`x-zegel-budget`), where it has one tighter than the
    /// general budget of writes.
    pub budget: Option<String>,
}

impl MatrixRow {
    /// Whether the document lets `caller` (`none` or a role name) in.
    pub fn allows(&self, caller: &str) -> bool {
        self.allowed.iter().any(|r| r == "public" || r == caller || (r == "authenticated" && caller != "none"))
    }
}

/// Calls every write operation (POST, PUT, PATCH, DELETE) of `doc` without a token and with
/// a token of each role (acting for `org_of(role)`), with an empty JSON body and `params`
/// in the path. A caller the operation's `x-zegel-roles` does not name must get 401 (no
/// token) or 403 — authorization comes before the body is read or a resource looked up;
/// a caller it names must get neither. Returns the rows and what disagrees.
pub async fn authorization_matrix(
    doc: &serde_json::Value,
    base: &str,
    params: &[(&str, &str)],
    org_of: impl Fn(platform::auth::Role) -> Option<String>,
) -> (Vec<MatrixRow>, Vec<String>) {
    use platform::auth::Role;
    let http = reqwest::Client::new();
    let mut rows = Vec::new();
    let mut violations = Vec::new();
    for (template, item, path) in documented_paths(doc, params) {
        let (template, item) = (&template, &item);
        for method in ["post", "put", "patch", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let operation = format!("{} {template}", method.to_uppercase());
            let Some(listed) = op["x-zegel-roles"].as_array() else {
                violations.push(format!("{operation}: no x-zegel-roles"));
                continue;
            };
            let mut row = MatrixRow {
                operation: operation.clone(),
                allowed: listed.iter().filter_map(|r| r.as_str().map(str::to_string)).collect(),
                answers: Vec::new(),
                own: Vec::new(),
                budget: op["x-zegel-budget"].as_str().map(str::to_string),
            };
            let url = format!("{base}{path}");
            let callers = std::iter::once(None).chain(Role::ALL.iter().copied().map(Some));
            for caller in callers {
                let name = caller.map(|r| r.as_str().to_string()).unwrap_or_else(|| "none".into());
                let token = caller.map(|role| (role, org_of(role)));
                let status = ask(&http, method, &url, token.as_ref().map(|(r, o)| (*r, o.as_deref()))).await;
                violations.extend(disagreement(&operation, row.allows(&name), &name, caller.is_some(), status));
                row.answers.push((name, status));
            }
            // A role that acts only for the organisation the path names (`x-zegel-own`):
            // the same role for another organisation is refused too.
            for own in op["x-zegel-own"].as_array().into_iter().flatten().filter_map(|r| r.as_str()) {
                let Some(role) = Role::parse(own) else {
                    violations.push(format!("{operation}: x-zegel-own names no role: {own}"));
                    continue;
                };
                let status = ask(&http, method, &url, Some((role, Some(&other_org(role))))).await;
                if status != 403 {
                    violations.push(format!("{operation}: {own} of another organisation got {status}, not 403"));
                }
                row.own.push((own.to_string(), status));
            }
            rows.push(row);
        }
    }
    (rows, violations)
}

/// What is wrong with `status` as the answer to caller `name` (with a token or not), when it
/// disagrees with what the document allows.
fn disagreement(operation: &str, allowed: bool, name: &str, with_token: bool, status: u16) -> Option<String> {
    let refused = matches!(status, 401 | 403);
    match (allowed, with_token) {
        (true, _) if refused => Some(format!("{operation}: {name} is allowed but got {status}")),
        (false, false) if status != 401 => Some(format!("{operation}: without a token got {status}, not 401")),
        (false, true) if status != 403 => Some(format!("{operation}: {name} is not allowed but got {status}")),
        _ => None,
    }
}

/// The status `method` on `url` answers with an empty JSON body, without a token or with one
/// of `role` acting for an organisation (0 when nothing answers).
async fn ask(
    http: &reqwest::Client,
    method: &str,
    url: &str,
    caller: Option<(platform::auth::Role, Option<&str>)>,
) -> u16 {
    let mut rb = http
        .request(method.to_uppercase().parse().expect("method"), url)
        .json(&serde_json::json!({}))
        .header("idempotency-key", format!("matrix-{}", uuid::Uuid::new_v4()));
    if let Some((role, org)) = caller {
        let token = crate::tokens::issuer().0.token("matrix", &[role], org, 600);
        rb = rb.bearer_auth(token.expect("token"));
    }
    rb.send().await.map(|r| r.status().as_u16()).unwrap_or(0)
}

/// An organisation of `role` that no test path names.
fn other_org(role: platform::auth::Role) -> String {
    match role {
        platform::auth::Role::Municipality => "9999".into(),
        platform::auth::Role::CertificationBody => "cb-another".into(),
        _ => "99999999".into(),
    }
}
