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

/// The ConfigMap zegel-common (its name carries kustomize's hash).
fn common_settings(objects: &[Value]) -> &Value {
    objects
        .iter()
        .find(|o| {
            o["kind"] == "ConfigMap" && o["metadata"]["name"].as_str().is_some_and(|n| n.starts_with("zegel-common"))
        })
        .expect("zegel-common")
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
    assert_eq!(deployments.len(), 8, "seven services and the workbench");
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
            let release = format!(":{}", env!("CARGO_PKG_VERSION"));
            assert!(container["image"].as_str().is_some_and(|i| i.ends_with(&release)), "{name}: the release's image");
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
    let common = common_settings(&objects);
    assert_eq!(common["data"]["ZEGEL_ENV"], "production");
    let environment = named(&objects, "ConfigMap", "zegel-environment");
    let verify = environment["data"]["ZEGEL_VERIFY_URL"].as_str().expect("verify URL");
    let public = named(&objects, "HTTPRoute", "zegel-public");
    assert_eq!(format!("https://{}", public["spec"]["hostnames"][0].as_str().expect("host")), verify);
    // The public host reaches the lookup, and a register only by a form's POST.
    for rule in routes_of(&objects, "zegel-public") {
        assert!(rule.service == "lookup" || rule.method.as_deref() == Some("POST"), "{rule:?}");
    }
    // TLS on every listener but the one that only redirects, from cert-manager.
    let gateway = named(&objects, "Gateway", "zegel");
    for listener in gateway["spec"]["listeners"].as_array().expect("listeners") {
        if listener["protocol"] == "HTTPS" {
            let secret = listener["tls"]["certificateRefs"][0]["name"].as_str().expect("certificate");
            let certificate = named(&objects, "Certificate", secret);
            assert_eq!(certificate["spec"]["secretName"], secret);
            let host = listener["hostname"].as_str().expect("hostname");
            let names = certificate["spec"]["dnsNames"].as_array().expect("names");
            assert!(
                names
                    .iter()
                    .any(|n| n == host
                        || host.strip_prefix('*').is_some_and(|d| n.as_str().is_some_and(|n| n.ends_with(d)))),
                "{host}: {names:?}"
            );
        }
    }
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
                if let Some(gateway) =
                    from["podSelector"]["matchLabels"]["gateway.networking.k8s.io/gateway-name"].as_str()
                {
                    allowed.push(format!("gateway {gateway}"));
                }
                if let Some(ns) = from["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"].as_str() {
                    allowed.push(format!("namespace {ns}"));
                }
            }
        }
    }
    allowed.sort();
    // The workbench asks with the person's own token (the Labour Authority's desk: bans and
    // an agency's dossier); the register decides as for anyone.
    assert_eq!(
        allowed,
        vec!["certificates", "gateway zegel", "lookup", "namespace monitoring", "workbench"],
        "the bans register's callers"
    );
}

/// Whether a path match of `path_type` routes `path` (the Gateway API's `PathPrefix`
/// matches whole path elements: `/check` routes `/check` and `/check/x`, not `/checkx`).
fn routes(rule: &str, path_type: &str, path: &str) -> bool {
    let rule_trimmed = rule.trim_end_matches('/');
    match path_type {
        "Exact" => rule == path,
        _ => rule_trimmed.is_empty() || path == rule_trimmed || path.starts_with(&format!("{rule_trimmed}/")),
    }
}

/// One match of an HTTPRoute's rule: where it sends what.
#[derive(Debug)]
struct Rule {
    path: String,
    path_type: String,
    method: Option<String>,
    service: String,
    port: i64,
    /// The prefix that replaces the matched one (`ReplacePrefixMatch`).
    rewrite: Option<String>,
}

impl Rule {
    fn routes(&self, method: &str, path: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method) && routes(&self.path, &self.path_type, path)
    }

    /// The path the backend sees.
    fn rewritten(&self, path: &str) -> String {
        match &self.rewrite {
            Some(prefix) => {
                let rest = &path[self.path.trim_end_matches('/').len()..];
                format!("{}{}", prefix.trim_end_matches('/'), rest)
            }
            None => path.to_string(),
        }
    }
}

/// Every match of every rule of HTTPRoute `name`.
fn routes_of(objects: &[Value], name: &str) -> Vec<Rule> {
    let route = named(objects, "HTTPRoute", name);
    let mut found = Vec::new();
    for rule in route["spec"]["rules"].as_array().into_iter().flatten() {
        let backend = &rule["backendRefs"][0];
        let rewrite = rule["filters"].as_array().into_iter().flatten().find_map(|f| {
            (f["type"] == "URLRewrite")
                .then(|| f["urlRewrite"]["path"]["replacePrefixMatch"].as_str().map(String::from))
        });
        for m in rule["matches"].as_array().into_iter().flatten() {
            found.push(Rule {
                path: m["path"]["value"].as_str().unwrap_or("/").to_string(),
                path_type: m["path"]["type"].as_str().unwrap_or("PathPrefix").to_string(),
                method: m["method"].as_str().map(String::from),
                service: backend["name"].as_str().unwrap_or_default().to_string(),
                port: backend["port"].as_i64().unwrap_or_default(),
                rewrite: rewrite.clone().flatten(),
            });
        }
    }
    found
}

/// The port of Service `name` called `http`.
fn http_port(objects: &[Value], name: &str) -> i64 {
    let service = named(objects, "Service", name);
    service["spec"]["ports"]
        .as_array()
        .and_then(|ports| ports.iter().find(|p| p["name"] == "http"))
        .and_then(|p| p["port"].as_i64())
        .expect("http port")
}

/// Every operation a document marks public (no token needed), as a path with its
/// parameters filled in, and whether it takes a form (a page's form posts to it); the
/// operational endpoints, which the internal port serves to the probes, are not for the
/// public host.
fn public_operations(document: &str) -> Vec<(String, String, bool)> {
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
                let form = op["requestBody"]["content"].get("application/x-www-form-urlencoded").is_some();
                found.push((method.to_uppercase(), path, form));
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
    // Every rule sends to a Service's own port.
    for route in objects.iter().filter(|o| o["kind"] == "HTTPRoute") {
        let name = route["metadata"]["name"].as_str().expect("name");
        for rule in routes_of(&objects, name).iter().filter(|r| !r.service.is_empty()) {
            assert_eq!(rule.port, http_port(&objects, &rule.service), "{name}: {rule:?}");
        }
    }
    // The lookup's public pages and reads are on the public host.
    let public = routes_of(&objects, "zegel-public");
    for (method, path, _) in public_operations("lookup.yaml") {
        if !public.iter().any(|r| r.service == "lookup" && r.rewrite.is_none() && r.routes(&method, &path)) {
            unrouted.push(format!("{method} {path} on the public host"));
        }
    }
    let environment = named(&objects, "ConfigMap", "zegel-environment");
    let verify = environment["data"]["ZEGEL_VERIFY_URL"].as_str().expect("verify URL");
    // Every register's public operations on its own host (<register>.<the registers'
    // domain>); and each public form, which a page of the lookup posts to
    // ZEGEL_LOOKUP_<REGISTER>_URL, on the public host too, passed to its register's path.
    for register in ["certificates", "bans", "deposits", "gaccounts", "housing", "notifier"] {
        let own = routes_of(&objects, &format!("zegel-{register}"));
        for (method, path, form) in public_operations(&format!("{register}.yaml")) {
            if !own.iter().any(|r| r.service == register && r.routes(&method, &path)) {
                unrouted.push(format!("{method} {path} on {register}.<registers' domain>"));
            }
            if !form {
                continue;
            }
            let var = format!("ZEGEL_LOOKUP_{}_URL", register.to_uppercase());
            let base = environment["data"][&var].as_str().unwrap_or_default();
            let Some(prefix) = base.strip_prefix(verify).filter(|p| p.starts_with('/')) else {
                unrouted.push(format!("{var} = {base:?} is not on the public host {verify}"));
                continue;
            };
            let action = format!("{}{path}", prefix.trim_end_matches('/'));
            match public.iter().find(|r| r.routes(&method, &action)) {
                Some(rule) if rule.service == register && rule.rewritten(&action) == path => {}
                other => unrouted.push(format!("the form {method} {action} on the public host goes to {other:?}")),
            }
        }
    }
    assert!(unrouted.is_empty(), "public operations production would answer 404: {unrouted:#?}");
    assert!(routes("/check", "PathPrefix", "/check") && !routes("/check", "PathPrefix", "/checkx"), "per element");
}

/// Bytes of a Kubernetes quantity (`2Gi`, `512Mi`) or a Redis memory setting (`1280mb`).
fn bytes(quantity: &str) -> u64 {
    let q = quantity.to_ascii_lowercase();
    let split = q.find(|c: char| !c.is_ascii_digit()).unwrap_or(q.len());
    let (n, unit) = q.split_at(split);
    let n: u64 = n.parse().expect("a number");
    n * match unit {
        "" | "b" => 1,
        "ki" | "kb" => 1 << 10,
        "mi" | "mb" => 1 << 20,
        "gi" | "gb" => 1 << 30,
        other => panic!("unit {other}"),
    }
}

#[test]
#[ignore = "needs kustomize: `kubectl kustomize` (just test runs it where kubectl is installed)"]
fn redis_is_reached_over_verified_tls_and_holds_the_streams_at_their_caps() {
    let objects = build("prod");
    let common = common_settings(&objects);
    let url = common["data"]["ZEGEL_REDIS_URL"].as_str().expect("redis url");
    let host = url.strip_prefix("rediss://").and_then(|h| h.split(':').next()).expect("TLS: rediss://");
    let ca = common["data"]["ZEGEL_REDIS_CA_FILE"].as_str().expect("the server is verified against a CA");
    let redis = named(&objects, "RedisReplication", "zegel-redis");
    let secret = redis["spec"]["TLS"]["secret"]["secretName"].as_str().expect("Redis serves TLS");
    let certificate = named(&objects, "Certificate", secret);
    assert!(certificate["spec"]["dnsNames"].as_array().expect("names").iter().any(|n| n == host), "{host}");
    for d in objects.iter().filter(|o| o["kind"] == "Deployment") {
        let pod = &d["spec"]["template"]["spec"];
        let mounted = pod["containers"][0]["volumeMounts"].as_array().expect("mounts").iter().any(|m| {
            ca.starts_with(m["mountPath"].as_str().unwrap_or("-"))
                && pod["volumes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|v| v["name"] == m["name"] && v["secret"]["secretName"] == secret)
        });
        assert!(mounted, "{}: the CA of {secret} at {ca}", d["metadata"]["name"]);
    }
    // Sized to hold both streams at their caps and the markers of their events, with room
    // below the container's limit for replication buffers and a replica's full sync.
    let config: Vec<&str> = redis["spec"]["redisConfig"]["dynamicConfig"]
        .as_array()
        .expect("config")
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    assert!(config.contains(&"maxmemory-policy noeviction"), "{config:?}");
    let maxmemory = config.iter().find_map(|c| c.strip_prefix("maxmemory ")).map(bytes).expect("maxmemory set");
    let limit = bytes(redis["spec"]["kubernetesConfig"]["resources"]["limits"]["memory"].as_str().expect("a limit"));
    assert!(
        maxmemory >= platform::outbox::redis_memory_needed(),
        "{maxmemory} < {}",
        platform::outbox::redis_memory_needed()
    );
    assert!(maxmemory * 4 <= limit * 3, "maxmemory {maxmemory} leaves too little of {limit}");
    assert_eq!(redis["spec"]["clusterSize"], 3);
    assert_eq!(redis["spec"]["sentinel"]["size"], 3);
}

/// Connections the operator itself, its exporter, the pooler's authentication and an
/// administrator's session may hold, over PostgreSQL's `superuser_reserved_connections`.
const RESERVED_CONNECTIONS: u64 = 3 + 20;

#[test]
#[ignore = "needs kustomize: `kubectl kustomize` (just test runs it where kubectl is installed)"]
fn the_database_never_gets_more_connections_than_it_allows() {
    let objects = build("prod");
    let common = common_settings(&objects);
    let pool: u64 = common["data"]["ZEGEL_DB_POOL_SIZE"].as_str().expect("an explicit pool size").parse().expect("n");
    let pooler = named(&objects, "Pooler", "zegel-db-pooler-rw");
    let bouncer = &pooler["spec"]["pgbouncer"];
    assert_eq!(bouncer["poolMode"], "session", "session mode: the sizes below are server connections");
    let per_role: u64 = bouncer["parameters"]["default_pool_size"].as_str().expect("set").parse().expect("n");
    let max_clients: u64 = bouncer["parameters"]["max_client_conn"].as_str().expect("set").parse().expect("n");
    let cluster = named(&objects, "Cluster", "zegel-db");
    let max_connections: u64 =
        cluster["spec"]["postgresql"]["parameters"]["max_connections"].as_str().expect("set").parse().expect("n");
    // Each Deployment at its most pods: its autoscaler's maximum, else its replicas, plus the
    // one a rolling update adds.
    let (mut clients, mut migrations, mut on_replicas) = (0, 0, 0);
    for d in objects.iter().filter(|o| o["kind"] == "Deployment") {
        let name = d["metadata"]["name"].as_str().expect("name");
        let scaler = objects
            .iter()
            .find(|o| o["kind"] == "HorizontalPodAutoscaler" && o["spec"]["scaleTargetRef"]["name"] == name);
        let pods = scaler.map_or_else(
            || d["spec"]["replicas"].as_u64().expect("replicas"),
            |h| h["spec"]["maxReplicas"].as_u64().expect("maxReplicas"),
        ) + d["spec"]["strategy"]["rollingUpdate"]["maxSurge"].as_u64().unwrap_or(1);
        let role = pods * pool;
        assert!(role <= per_role, "{name}: {pods} pods × {pool} = {role} > the pooler's {per_role} per role");
        clients += role;
        // Every pod's init container migrates over one direct connection to the primary.
        migrations += pods;
        // A service reading from the replicas opens a pool of its own to them, straight to
        // the read-only service: the fence and its read must reach the same server.
        let env = &d["spec"]["template"]["spec"]["containers"][0]["env"];
        let replica = env.as_array().into_iter().flatten().find(|e| e["name"] == "ZEGEL_LOOKUP_REPLICA_URL");
        if let Some(url) = replica.and_then(|e| e["value"].as_str()) {
            assert!(url.contains("@zegel-db-ro:"), "{name} reads replicas through {url}");
            on_replicas += role;
        }
    }
    // All of them on one replica at worst (the service spreads connections, not a promise).
    assert!(on_replicas > 0, "the lookup reads from the replicas");
    assert!(
        on_replicas + RESERVED_CONNECTIONS <= max_connections,
        "{on_replicas} + {RESERVED_CONNECTIONS} > a replica's {max_connections}"
    );
    assert!(clients <= max_clients, "{clients} clients > max_client_conn {max_clients}");
    let total = clients + migrations + RESERVED_CONNECTIONS;
    assert!(
        total <= max_connections,
        "{clients} + {migrations} + {RESERVED_CONNECTIONS} = {total} > {max_connections}"
    );
    println!(
        "connections at the maxima: {clients} pooled + {migrations} migrating + {RESERVED_CONNECTIONS} reserved = {total} of {max_connections}; {on_replicas} to the replicas"
    );
}

#[test]
#[ignore = "needs kustomize: `kubectl kustomize` (just test runs it where kubectl is installed)"]
fn every_alert_names_a_runbook_that_exists_and_the_database_is_watched() {
    let objects = build("prod");
    let operations = std::fs::read_to_string(repo().join("docs/OPERATIONS.md")).expect("OPERATIONS.md");
    // GitHub's anchors: lower case, spaces to dashes, punctuation dropped.
    let anchors: Vec<String> = operations
        .lines()
        .filter_map(|l| l.strip_prefix("### ").or_else(|| l.strip_prefix("## ")))
        .map(|h| {
            h.to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-')
                .map(|c| if c == ' ' { '-' } else { c })
                .collect()
        })
        .collect();
    let mut alerts = Vec::new();
    for rule in objects.iter().filter(|o| o["kind"] == "PrometheusRule") {
        for group in rule["spec"]["groups"].as_array().expect("groups") {
            for r in group["rules"].as_array().expect("rules") {
                let alert = r["alert"].as_str().expect("an alert");
                let url = r["annotations"]["runbook_url"].as_str().unwrap_or_else(|| panic!("{alert}: no runbook_url"));
                let anchor =
                    url.split_once("docs/OPERATIONS.md#").map(|(_, a)| a).unwrap_or_else(|| panic!("{alert}: {url}"));
                assert!(anchors.iter().any(|a| a == anchor), "{alert}: no section #{anchor} in docs/OPERATIONS.md");
                assert!(r["labels"]["severity"].is_string(), "{alert}");
                alerts.push(alert.to_string());
            }
        }
    }
    for watched in [
        "ZegelDatabaseReplicationLag",
        "ZegelDatabaseWalArchivingFailing",
        "ZegelDatabaseBackupFailing",
        "ZegelDatabaseVolumeFilling",
        "ZegelDatabaseConnectionsNearLimit",
        "ZegelSigningCertificateExpiring",
        "ZegelTrustListExpiring",
    ] {
        assert!(alerts.iter().any(|a| a == watched), "{watched} missing: {alerts:?}");
    }
    // The database and the pooler are scraped.
    for (name, label) in [("zegel-db", "cnpg.io/cluster"), ("zegel-db-pooler-rw", "cnpg.io/poolerName")] {
        let monitor = objects
            .iter()
            .find(|o| o["kind"] == "PodMonitor" && o["spec"]["selector"]["matchLabels"][label] == name)
            .unwrap_or_else(|| panic!("no PodMonitor for {name}"));
        assert_eq!(monitor["spec"]["podMetricsEndpoints"][0]["port"], "metrics");
    }
}

/// Every image production runs, and the Dockerfile's builder: `(where, reference)`.
fn images(objects: &[Value]) -> Vec<(String, String)> {
    fn strings_under(value: &Value, key: &str, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    match v.as_str() {
                        Some(s) if k == key => found.push(s.to_string()),
                        _ => strings_under(v, key, found),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| strings_under(v, key, found)),
            _ => {}
        }
    }
    let mut images = Vec::new();
    for object in objects {
        let mut found = Vec::new();
        strings_under(&object["spec"], "image", &mut found);
        let kind = object["kind"].as_str().unwrap_or_default();
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        images.extend(found.into_iter().map(|i| (format!("{kind} {name}"), i)));
    }
    let dockerfile = std::fs::read_to_string(repo().join("Dockerfile")).expect("Dockerfile");
    let builder = dockerfile.lines().find_map(|l| l.strip_prefix("ARG BUILDER=")).expect("the builder image");
    images.push(("Dockerfile builder".into(), builder.to_string()));
    images
}

#[test]
#[ignore = "needs kustomize: `kubectl kustomize` (just test runs it where kubectl is installed)"]
fn every_image_names_its_version_and_a_release_its_digest() {
    let images = images(&build("prod"));
    // The suite's seven, Redis, Sentinel, PostgreSQL and the builder at least.
    assert!(images.len() >= 11, "{images:#?}");
    let release = std::env::var("ZEGEL_RELEASE").is_ok_and(|v| v == "1");
    for (place, image) in &images {
        let (name, digest) = image.split_once('@').unwrap_or((image.as_str(), ""));
        let tag = name.rsplit_once(':').map(|(_, t)| t).filter(|t| !t.contains('/')).unwrap_or_default();
        assert!(!tag.is_empty() && tag != "latest", "{place}: {image} names no version");
        let pinned =
            digest.strip_prefix("sha256:").is_some_and(|d| d.len() == 64 && d.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(digest.is_empty() || pinned, "{place}: {image}: a malformed digest");
        // A release pins each by digest (image/pin-images.sh, where a registry is reachable;
        // the suite's own once pushed: docs/OPERATIONS.md, "Build, sign and publish").
        assert!(!release || pinned, "{place}: {image} is not pinned by digest");
    }
}
