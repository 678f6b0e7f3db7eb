//! The Kubernetes manifests would run as written: every overlay builds with kustomize, and
//! every object it yields matches the schema of its kind (Kubernetes 1.33 and the CRDs of
//! the operators it uses, vendored in k8s/schemas/, strict: an unknown field is an error).
//! Then what the suite promises of its pods, checked on what would be applied.
//!
//! Needs kustomize (`kubectl kustomize`, kubectl 1.27 or later); `just test` runs it where
//! kubectl is installed: `cargo test --workspace --test e2e -- --ignored k8s_manifests::`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The objects `kubectl kustomize` makes of `overlay`.
fn build(overlay: &str) -> Vec<Value> {
    let dir = repo().join("k8s/overlays").join(overlay);
    let out = Command::new("kubectl").arg("kustomize").arg(&dir).output().expect("kubectl installed");
    assert!(out.status.success(), "{overlay}: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|doc| {
            serde_json::to_value(<serde_yaml_ng::Value as serde::Deserialize>::deserialize(doc).expect("yaml"))
                .expect("json")
        })
        .filter(|v| !v.is_null())
        .collect()
}

/// Validators by schema file, each compiled once.
#[derive(Default)]
struct Schemas(HashMap<String, jsonschema::Validator>);

impl Schemas {
    /// What is wrong with `object`, one line per fault.
    fn faults(&mut self, object: &Value) -> Vec<String> {
        let api = object["apiVersion"].as_str().unwrap_or_default();
        let kind = object["kind"].as_str().unwrap_or_default();
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        let file = format!("{}_{kind}.json", api.replace('/', "_"));
        if !self.0.contains_key(&file) {
            let Ok(text) = std::fs::read_to_string(repo().join("k8s/schemas").join(&file)) else {
                return vec![format!("{kind}/{name}: no schema for {api} {kind} in k8s/schemas")];
            };
            let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
            self.0.insert(file.clone(), jsonschema::validator_for(&schema).expect("schema compiles"));
        }
        self.0[&file].iter_errors(object).map(|e| format!("{kind}/{name} at {}: {e}", e.instance_path())).collect()
    }
}

fn named<'a>(objects: &'a [Value], kind: &str, name: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("{kind}/{name} missing"))
}

#[test]
#[ignore = "needs kustomize: `kubectl kustomize` (just test runs it where kubectl is installed)"]
fn every_overlay_builds_and_every_object_matches_the_schema_of_its_kind() {
    let mut schemas = Schemas::default();
    let mut faults = Vec::new();
    for overlay in ["dev", "prod"] {
        let objects = build(overlay);
        assert!(objects.len() > 30, "{overlay}: {} objects", objects.len());
        for object in &objects {
            faults.extend(schemas.faults(object).into_iter().map(|f| format!("{overlay}: {f}")));
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

#[test]
#[ignore = "needs kustomize: `kubectl kustomize` (just test runs it where kubectl is installed)"]
fn the_validation_catches_a_misspelt_field() {
    let mut schemas = Schemas::default();
    let objects = build("prod");
    let mut deployment = named(&objects, "Deployment", "bans").clone();
    assert!(schemas.faults(&deployment).is_empty());
    deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRot"] = Value::Bool(true);
    assert!(!schemas.faults(&deployment).is_empty(), "a core kind is strict");
    let mut cluster = named(&objects, "Cluster", "zegel-db").clone();
    assert!(schemas.faults(&cluster).is_empty());
    cluster["spec"]["instance"] = Value::from(3);
    assert!(!schemas.faults(&cluster).is_empty(), "a custom resource is strict too");
}

#[test]
#[ignore = "needs kustomize: `kubectl kustomize` (just test runs it where kubectl is installed)"]
fn every_pod_of_the_suite_runs_locked_down_and_production_is_what_it_says() {
    let objects = build("prod");
    let deployments: Vec<&Value> = objects.iter().filter(|o| o["kind"] == "Deployment").collect();
    assert_eq!(deployments.len(), 7);
    for d in &deployments {
        let name = d["metadata"]["name"].as_str().expect("name");
        let pod = &d["spec"]["template"]["spec"];
        assert_eq!(pod["automountServiceAccountToken"], false, "{name}");
        assert_eq!(pod["securityContext"]["runAsNonRoot"], true, "{name}");
        assert_eq!(pod["securityContext"]["fsGroup"], 65532, "{name}: keys readable by the process");
        assert_eq!(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault", "{name}");
        for container in pod["containers"].as_array().into_iter().chain(pod["initContainers"].as_array()).flatten() {
            let sc = &container["securityContext"];
            assert_eq!(sc["readOnlyRootFilesystem"], true, "{name}");
            assert_eq!(sc["allowPrivilegeEscalation"], false, "{name}");
            assert!(container["resources"]["limits"]["memory"].is_string(), "{name}");
            assert!(container["image"].as_str().is_some_and(|i| i.ends_with(":0.1.0")), "{name}: pinned");
            // TLS to the database, verified, host name included.
            let url = container["env"]
                .as_array()
                .and_then(|env| env.iter().find(|e| e["name"] == "ZEGEL_DATABASE_URL"))
                .and_then(|e| e["value"].as_str())
                .unwrap_or_default();
            assert!(url.contains("sslmode=verify-full&sslrootcert="), "{name}: {url}");
        }
        assert!(pod["containers"][0]["lifecycle"]["preStop"].is_object(), "{name}: drains before it stops");
        // Every secret key file is mounted readable by the group only.
        for volume in pod["volumes"].as_array().into_iter().flatten() {
            if let Some(mode) = volume["secret"]["defaultMode"].as_i64().or(volume["projected"]["defaultMode"].as_i64())
            {
                assert_eq!(mode, 0o440, "{name}: {volume}");
            }
        }
    }
    let common = objects
        .iter()
        .find(|o| {
            o["kind"] == "ConfigMap" && o["metadata"]["name"].as_str().is_some_and(|n| n.starts_with("zegel-common"))
        })
        .expect("zegel-common");
    assert_eq!(common["data"]["ZEGEL_ENV"], "production");
    let environment = named(&objects, "ConfigMap", "zegel-environment");
    let verify = environment["data"]["ZEGEL_VERIFY_URL"].as_str().expect("verify URL");
    let public = named(&objects, "Ingress", "zegel-public");
    assert_eq!(format!("https://{}", public["spec"]["rules"][0]["host"].as_str().expect("host")), verify);
    let backends: Vec<&str> = public["spec"]["rules"][0]["http"]["paths"]
        .as_array()
        .expect("paths")
        .iter()
        .map(|p| p["backend"]["service"]["name"].as_str().expect("service"))
        .collect();
    assert!(backends.iter().all(|b| *b == "lookup"), "the public host reaches the lookup only: {backends:?}");
    let cluster = named(&objects, "Cluster", "zegel-db");
    assert_eq!(cluster["spec"]["instances"], 3);
    assert_eq!(cluster["spec"]["plugins"][0]["name"], "barman-cloud.cloudnative-pg.io", "backups configured");
    let roles: Vec<&str> = cluster["spec"]["managed"]["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    for service in ["certificates", "lookup", "bans", "deposits", "gaccounts", "housing", "notifier"] {
        assert!(roles.contains(&format!("zegel_{service}").as_str()), "{service}");
        assert!(roles.contains(&format!("zegel_{service}_owner").as_str()), "{service}");
    }
}

#[test]
#[ignore = "needs kustomize: `kubectl kustomize` (just test runs it where kubectl is installed)"]
fn the_bans_register_is_reachable_only_from_who_needs_it() {
    let objects = build("prod");
    let policies: Vec<&Value> = objects.iter().filter(|o| o["kind"] == "NetworkPolicy").collect();
    let deny = named(&objects, "NetworkPolicy", "default-deny");
    assert_eq!(deny["spec"]["podSelector"], serde_json::json!({}));
    assert_eq!(deny["spec"]["policyTypes"], serde_json::json!(["Ingress", "Egress"]));
    // Every policy that lets pods in to the bans register, and whom it lets in.
    let mut allowed = Vec::new();
    for p in &policies {
        let selects_bans = p["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "bans";
        if !selects_bans {
            continue;
        }
        for rule in p["spec"]["ingress"].as_array().into_iter().flatten() {
            for from in rule["from"].as_array().into_iter().flatten() {
                if let Some(name) = from["podSelector"]["matchLabels"]["app.kubernetes.io/name"].as_str() {
                    allowed.push(name.to_string());
                }
                if let Some(ns) = from["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"].as_str() {
                    allowed.push(format!("namespace {ns}"));
                }
            }
        }
    }
    allowed.sort();
    assert_eq!(
        allowed,
        vec!["certificates", "lookup", "namespace ingress-nginx", "namespace monitoring"],
        "the bans register's callers"
    );
}

/// Whether an Ingress path of `path_type` routes `path` (Kubernetes `Prefix` matches whole
/// path elements: `/check` routes `/check` and `/check/x`, not `/checkx`).
fn routes(rule: &str, path_type: &str, path: &str) -> bool {
    let rule_trimmed = rule.trim_end_matches('/');
    match path_type {
        "Exact" => rule == path,
        _ => rule_trimmed.is_empty() || path == rule_trimmed || path.starts_with(&format!("{rule_trimmed}/")),
    }
}

/// The (path, pathType, service) of every rule of Ingress `name` for the hosts `host`
/// accepts.
fn ingress_paths(objects: &[Value], name: &str, host: impl Fn(&str) -> bool) -> Vec<(String, String, String)> {
    let ingress = named(objects, "Ingress", name);
    ingress["spec"]["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| host(r["host"].as_str().unwrap_or_default()))
        .flat_map(|r| r["http"]["paths"].as_array().cloned().unwrap_or_default())
        .map(|p| {
            (
                p["path"].as_str().unwrap_or_default().to_string(),
                p["pathType"].as_str().unwrap_or_default().to_string(),
                p["backend"]["service"]["name"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Every operation a document marks public (no token needed), as a path with its
/// parameters filled in; the operational endpoints, which the internal port serves to the
/// probes, are not for the public host.
fn public_operations(document: &str) -> Vec<(String, String)> {
    let doc = zegel_testkit::openapi(&repo().join("openapi").join(document).to_string_lossy());
    let mut found = Vec::new();
    for (template, item) in doc["paths"].as_object().expect("paths") {
        if matches!(template.as_str(), "/healthz" | "/readyz" | "/metrics") {
            continue;
        }
        for method in ["get", "post", "put", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let open = match op["security"].as_array() {
                None => true,
                Some(ways) => ways.iter().any(|w| w.as_object().is_some_and(|o| o.is_empty())),
            };
            let public = op["x-zegel-roles"].as_array().is_none_or(|r| r.iter().any(|r| r == "public"));
            if open && public {
                let path: String =
                    template.split('/').map(|s| if s.starts_with('{') { "x" } else { s }).collect::<Vec<_>>().join("/");
                found.push((method.to_uppercase(), path));
            }
        }
    }
    found
}

#[test]
#[ignore = "needs kustomize: `kubectl kustomize` (just test runs it where kubectl is installed)"]
fn every_public_page_and_read_of_the_documents_has_a_route_in_production() {
    let objects = build("prod");
    let mut unrouted = Vec::new();
    // The lookup's public pages and reads are on the public host (the public Ingress's one).
    let public = ingress_paths(&objects, "zegel-public", |_| true);
    for (method, path) in public_operations("lookup.yaml") {
        if !public.iter().any(|(rule, kind, service)| service == "lookup" && routes(rule, kind, &path)) {
            unrouted.push(format!("{method} {path} on the public host"));
        }
    }
    // Every register's public reads on its own host (<register>.<the registers' domain>).
    for register in ["certificates", "bans", "deposits", "gaccounts", "housing", "notifier"] {
        let host = format!("{register}.<registers' domain>");
        let paths = ingress_paths(&objects, "zegel-registers", |h| h.starts_with(&format!("{register}.")));
        for (method, path) in public_operations(&format!("{register}.yaml")) {
            if !paths.iter().any(|(rule, kind, service)| service == register && routes(rule, kind, &path)) {
                unrouted.push(format!("{method} {path} on {host}"));
            }
        }
    }
    assert!(unrouted.is_empty(), "public operations production would answer 404: {unrouted:#?}");
    assert!(routes("/check", "Prefix", "/check") && !routes("/check", "Prefix", "/checkx"), "Prefix is per element");
}
