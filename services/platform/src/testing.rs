//! The test harness every service's integration tests share (feature `testing`).
//!
//! - [`TestDb`]: a fresh database per test, cloned from a migrated template (built once
//!   per set of migrations, under an advisory lock), dropped when the test ends; leftovers
//!   of crashed runs older than two hours are swept at start.
//! - [`issuer`]: an ephemeral token key and its JWKS file.
//! - [`pki`]: an ephemeral suite CA, a seal key per register, and a signed trust list.
//! - [`RedisProxy`]: a TCP proxy in front of Redis that a test can cut, to play "Redis is
//!   down" without stopping the Redis that other tests share.
//! - [`spawn`]: runs a service on its own thread and runtime, as in its own process.

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use secrecy::SecretString;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::auth::DevIssuer;
use crate::config::CommonSettings;

/// Server holding the test databases.
pub fn admin_url() -> String {
    std::env::var("ZEGEL_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Redis used by the tests.
pub fn redis_url() -> String {
    std::env::var("ZEGEL_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// The URL of database `name` on the test server.
pub fn db_url(name: &str) -> String {
    let admin = admin_url();
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(admin);
    format!("{base}/{name}")
}

async fn admin() -> tokio_postgres::Client {
    let (client, conn) =
        tokio_postgres::connect(&admin_url(), tokio_postgres::NoTls).await.expect("test Postgres reachable");
    tokio::spawn(conn);
    client
}

/// A database for one test; dropped (with its connections) when this is dropped.
pub struct TestDb {
    /// Its name.
    pub name: String,
    /// Its URL.
    pub url: String,
}

impl TestDb {
    /// A fresh database cloned from the template `label`, which `migrate` builds once.
    /// `migration_dirs` name every directory whose files shape the schema: when one of
    /// them changes, a new template is built. The template is not keyed by what `migrate`
    /// does: when a harness starts migrating another service, it adds that service's
    /// migration directory (which changes the key).
    pub async fn create<F, Fut>(label: &str, migration_dirs: &[&str], migrate: F) -> Self
    where
        F: FnOnce(CommonSettings) -> Fut,
        Fut: Future<Output = ()>,
    {
        let admin = admin().await;
        sweep_leftovers(&admin).await;
        let template = format!("zegel_tpl_{label}_{:x}", hash_dirs(migration_dirs));
        admin.execute("select pg_advisory_lock(hashtext($1))", &[&template]).await.expect("lock");
        let exists = admin
            .query_opt("select 1 from pg_database where datname = $1", &[&template])
            .await
            .expect("query")
            .is_some();
        if !exists {
            let building = format!("{template}_building");
            admin.batch_execute(&format!("drop database if exists {building}")).await.expect("drop stale");
            admin.batch_execute(&format!("create database {building}")).await.expect("create template");
            let mut common = CommonSettings::local();
            common.database_url = SecretString::from(db_url(&building));
            migrate(common).await;
            admin
                .batch_execute(&format!("alter database {building} rename to {template}"))
                .await
                .expect("rename template");
        }
        admin.execute("select pg_advisory_unlock(hashtext($1))", &[&template]).await.expect("unlock");
        let name = format!("zegel_test_{}_{}", chrono::Utc::now().timestamp(), uuid::Uuid::new_v4().simple());
        admin.batch_execute(&format!("create database {name} template {template}")).await.expect("clone template");
        Self { url: db_url(&name), name }
    }

    /// Runs SQL in this database (to break it on purpose).
    pub async fn sql(&self, statement: &str) {
        let (client, conn) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls).await.expect("connect");
        tokio::spawn(conn);
        client.batch_execute(statement).await.expect("sql");
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop cannot await; clean up on a thread with its own runtime.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                let admin = admin().await;
                let _ = admin.batch_execute(&format!("drop database if exists {name} with (force)")).await;
            });
        })
        .join();
    }
}

fn hash_dirs(dirs: &[&str]) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    for dir in dirs {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(dir).expect("migrations dir").flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            p.file_name().hash(&mut h);
            std::fs::read(&p).expect("migration").hash(&mut h);
        }
    }
    h.finish()
}

/// Drops test databases left behind by crashed runs (older than two hours).
async fn sweep_leftovers(admin: &tokio_postgres::Client) {
    let cutoff = chrono::Utc::now().timestamp() - 7200;
    let rows =
        admin.query("select datname from pg_database where datname like 'zegel_test_%'", &[]).await.unwrap_or_default();
    for row in rows {
        let name: String = row.get(0);
        let created = name.split('_').nth(2).and_then(|t| t.parse::<i64>().ok()).unwrap_or(0);
        if created < cutoff {
            let _ = admin.batch_execute(&format!("drop database if exists {name} with (force)")).await;
        }
    }
}

/// A fresh Redis key prefix; its keys are deleted when this is dropped.
pub struct TestPrefix(pub String);

impl TestPrefix {
    /// A new prefix.
    pub fn new() -> Self {
        Self(format!("zegel-test:{}", uuid::Uuid::new_v4().simple()))
    }
}

impl Default for TestPrefix {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestPrefix {
    fn drop(&mut self) {
        let prefix = self.0.clone();
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                if let Ok(client) = redis::Client::open(redis_url())
                    && let Ok(mut conn) = client.get_multiplexed_async_connection().await
                {
                    let keys: Vec<String> =
                        redis::cmd("KEYS").arg(format!("{prefix}:*")).query_async(&mut conn).await.unwrap_or_default();
                    if !keys.is_empty() {
                        let _: Result<(), _> = redis::cmd("DEL").arg(keys).query_async(&mut conn).await;
                    }
                }
            });
        })
        .join();
    }
}

/// The issuer of test tokens (`iss` = `zegel-test`) and the path of its JWKS file.
pub fn issuer() -> &'static (Arc<DevIssuer>, String) {
    static ISSUER: OnceLock<(Arc<DevIssuer>, String)> = OnceLock::new();
    ISSUER.get_or_init(|| {
        let issuer = DevIssuer::generate("zegel-test").expect("key generation");
        let path = temp_dir().join("jwks.json");
        std::fs::write(&path, issuer.jwks().to_string()).expect("write jwks");
        (Arc::new(issuer), path.to_string_lossy().into_owned())
    })
}

fn temp_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("zegel-test-{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    })
    .clone()
}

/// An ephemeral dev PKI: files for every register's seal key and the trust list.
pub struct TestPki {
    /// The suite CA.
    pub ca: zegel_attest::pki::KeyAndCert,
    /// Path of the CA certificate.
    pub ca_path: String,
    /// Path of the signed trust list (every register key).
    pub trust_list_path: String,
    /// The trust-list signer.
    pub trust_list_signer: zegel_attest::pki::KeyAndCert,
    dir: PathBuf,
}

impl TestPki {
    /// Paths of `register`'s key and certificate.
    pub fn signer_paths(&self, register: zegel_attest::Register) -> (String, String) {
        let key = self.dir.join(format!("{}-key.pem", register.service()));
        let cert = self.dir.join(format!("{}.pem", register.service()));
        (key.to_string_lossy().into_owned(), cert.to_string_lossy().into_owned())
    }
}

/// The test PKI of this process.
pub fn pki() -> &'static TestPki {
    use zegel_attest::{Register, pki, trust};
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = temp_dir().join("pki");
        std::fs::create_dir_all(&dir).expect("pki dir");
        let ca = pki::ca("Zegel test CA", 3650).expect("ca");
        let tl = pki::signer(&ca, "trust-list", -1, 3650).expect("trust-list key");
        let mut entries = Vec::new();
        for register in Register::ALL {
            let signer = pki::signer(&ca, register.service(), -1, 3650).expect("signer");
            std::fs::write(dir.join(format!("{}-key.pem", register.service())), &signer.key_pem).expect("key");
            std::fs::write(dir.join(format!("{}.pem", register.service())), &signer.cert_pem).expect("cert");
            entries.push(trust::entry(register, &signer.cert_pem).expect("entry"));
        }
        let now = chrono::Utc::now().timestamp();
        let doc = trust::Document {
            iss: trust::TRUST_LIST_ISSUER.into(),
            iat: now,
            exp: now + 86400 * 90,
            signer: tl.cert_pem.clone(),
            entries,
        };
        let list = trust::sign(&doc, &tl.key_pem).expect("sign trust list");
        let ca_path = dir.join("ca.pem");
        let list_path = dir.join("trust-list.jws");
        std::fs::write(&ca_path, &ca.cert_pem).expect("ca");
        std::fs::write(&list_path, list).expect("trust list");
        TestPki {
            ca,
            ca_path: ca_path.to_string_lossy().into_owned(),
            trust_list_path: list_path.to_string_lossy().into_owned(),
            trust_list_signer: tl,
            dir,
        }
    })
}

/// Shared settings for a service under test: its database, a fresh Redis prefix, the
/// test token issuer, a quick relay.
pub fn common_settings(db: &TestDb, prefix: &TestPrefix) -> CommonSettings {
    let mut common = CommonSettings::local();
    common.database_url = SecretString::from(db.url.clone());
    common.redis_url = redis_url();
    common.redis_prefix = prefix.0.clone();
    common.jwks = issuer().1.clone();
    common.jwt_issuer = "zegel-test".into();
    common.relay_interval_ms = 50;
    common.db_pool_size = 4;
    common
}

/// Runs a service on its own thread and runtime — as it would run in its own process;
/// warp's server future cannot be handed to `tokio::spawn`. `build` makes the service
/// and returns what the test needs of it plus the future that runs it.
pub async fn spawn<T, B, Fut, Run>(build: B) -> T
where
    T: Send + 'static,
    B: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = (T, Run)>,
    Run: Future<Output = ()>,
{
    spawn_on(1, build).await
}

/// Like [`spawn`], on a runtime with `threads` worker threads (1: a current-thread runtime).
pub async fn spawn_on<T, B, Fut, Run>(threads: usize, build: B) -> T
where
    T: Send + 'static,
    B: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = (T, Run)>,
    Run: Future<Output = ()>,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let rt = if threads <= 1 {
            tokio::runtime::Builder::new_current_thread().enable_all().build()
        } else {
            tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build()
        }
        .expect("runtime");
        rt.block_on(async move {
            let (handle, run) = build().await;
            let _ = tx.send(handle);
            run.await;
        });
    });
    rx.await.expect("service started")
}

/// A TCP proxy in front of Redis that a test can cut and restore.
pub struct RedisProxy {
    /// The URL to give the service.
    pub url: String,
    up: watch::Sender<bool>,
}

impl RedisProxy {
    /// Starts a proxy to the test Redis.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let target = redis_url().trim_start_matches("redis://").trim_end_matches('/').to_string();
        let (up, rx) = watch::channel(true);
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                let mut rx = rx.clone();
                if !*rx.borrow() {
                    drop(inbound);
                    continue;
                }
                let target = target.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = rx.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Self { url: format!("redis://127.0.0.1:{port}"), up }
    }

    /// Cuts every connection and refuses new ones.
    pub fn down(&self) {
        let _ = self.up.send(false);
    }

    /// Lets connections through again.
    pub fn up(&self) {
        let _ = self.up.send(true);
    }
}

/// Events of type `kind` on the stream of `prefix`.
pub async fn events(prefix: &str, kind: &str) -> Vec<crate::outbox::Event> {
    let client = redis::Client::open(redis_url()).expect("redis url");
    let mut conn = client.get_multiplexed_async_connection().await.expect("redis");
    let entries: redis::streams::StreamRangeReply = redis::cmd("XRANGE")
        .arg(format!("{prefix}:events"))
        .arg("-")
        .arg("+")
        .query_async(&mut conn)
        .await
        .expect("xrange");
    entries
        .ids
        .iter()
        .filter_map(|e| crate::outbox::Event::from_stream_fields(&e.map))
        .filter(|e| e.event_type == kind)
        .collect()
}

/// Waits until `n` events of `kind` are on the stream (or five seconds pass).
pub async fn wait_for_events(prefix: &str, kind: &str, n: usize) -> Vec<crate::outbox::Event> {
    for _ in 0..100 {
        let found = events(prefix, kind).await;
        if found.len() >= n {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    events(prefix, kind).await
}

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

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body as JSON (a JSON string when it is not JSON; null when empty).
    pub body: serde_json::Value,
}

impl Reply {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// An HTTP client for one service under test.
#[derive(Debug, Clone)]
pub struct Client {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The underlying client.
    pub http: reqwest::Client,
}

impl Client {
    /// A client for the service at `address`.
    pub fn new(address: String) -> Self {
        Self { address, http: reqwest::Client::builder().timeout(Duration::from_secs(20)).build().expect("client") }
    }

    /// A token for `roles` acting for `org`.
    pub fn token(&self, roles: &[crate::auth::Role], org: Option<&str>) -> String {
        let subject = format!("test-{}", roles.first().map(|r| r.as_str()).unwrap_or("none"));
        issuer().0.token(&subject, roles, org, 600).expect("token")
    }

    /// Sends a request; `token` as bearer, `body` as JSON.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
        idempotency_key: Option<&str>,
    ) -> Reply {
        let mut rb = self.http.request(method.parse().expect("method"), format!("{}{path}", self.address));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        if let Some(k) = idempotency_key {
            rb = rb.header("Idempotency-Key", k);
        }
        let res = rb.send().await.expect("request sent");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let body = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
        };
        Reply { status, headers, body }
    }

    /// GET.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send("GET", path, token, None, None).await
    }

    /// POST with a JSON body.
    pub async fn post(&self, path: &str, token: &str, body: serde_json::Value) -> Reply {
        self.send("POST", path, Some(token), Some(body), None).await
    }

    /// PUT with a JSON body.
    pub async fn put(&self, path: &str, token: &str, body: serde_json::Value) -> Reply {
        self.send("PUT", path, Some(token), Some(body), None).await
    }
}

/// Puts `event` on the stream of `prefix` as the relay would, without its dedupe: tests
/// use it to deliver an event twice.
pub async fn publish(prefix: &str, event: &crate::outbox::Event) {
    let client = redis::Client::open(redis_url()).expect("redis url");
    let mut conn = client.get_multiplexed_async_connection().await.expect("redis");
    let _: String = redis::cmd("XADD")
        .arg(format!("{prefix}:events"))
        .arg("*")
        .arg("event_id")
        .arg(event.event_id.to_string())
        .arg("type")
        .arg(&event.event_type)
        .arg("subject")
        .arg(&event.subject)
        .arg("addressed_to")
        .arg(serde_json::to_string(&event.addressed_to).expect("json"))
        .arg("occurred_at")
        .arg(event.occurred_at.to_rfc3339())
        .arg("payload")
        .arg(event.payload.to_string())
        .query_async(&mut conn)
        .await
        .expect("xadd");
}

/// A webhook received by a [`Receiver`].
#[derive(Debug, Clone)]
pub struct Received {
    /// Its headers, lower-case names.
    pub headers: std::collections::HashMap<String, String>,
    /// Its body.
    pub body: bytes::Bytes,
    /// The status the receiver answered.
    pub answered: u16,
    /// When it arrived.
    pub at: std::time::Instant,
}

/// A small webhook receiver on a free loopback port: records every POST and answers with
/// the status (and after the delay) it is told to.
#[derive(Debug, Clone)]
pub struct Receiver {
    /// `http://127.0.0.1:<port>/hook`.
    pub url: String,
    received: Arc<std::sync::Mutex<Vec<Received>>>,
    status: Arc<std::sync::atomic::AtomicU16>,
    delay_ms: Arc<std::sync::atomic::AtomicU64>,
}

impl Receiver {
    /// Starts one answering 200.
    pub async fn start() -> Self {
        use std::sync::atomic::Ordering;
        use warp::Filter;
        let received = Arc::new(std::sync::Mutex::new(Vec::new()));
        let status = Arc::new(std::sync::atomic::AtomicU16::new(200));
        let delay_ms = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (r, s, d) = (received.clone(), status.clone(), delay_ms.clone());
        let route =
            warp::path("hook").and(warp::post()).and(warp::header::headers_cloned()).and(warp::body::bytes()).then(
                move |headers: warp::http::HeaderMap, body: bytes::Bytes| {
                    let (r, s, d) = (r.clone(), s.clone(), d.clone());
                    async move {
                        let at = std::time::Instant::now();
                        let delay = d.load(Ordering::SeqCst);
                        if delay > 0 {
                            tokio::time::sleep(Duration::from_millis(delay)).await;
                        }
                        let answered = s.load(Ordering::SeqCst);
                        let headers = headers
                            .iter()
                            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or_default().to_string()))
                            .collect();
                        r.lock().expect("lock").push(Received { headers, body, answered, at });
                        warp::http::StatusCode::from_u16(answered).unwrap_or(warp::http::StatusCode::OK)
                    }
                },
            );
        // warp's server future is not Send: it runs on a runtime of its own thread.
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
                let _ = tx.send(listener.local_addr().expect("addr").port());
                warp::serve(route).incoming(listener).run().await;
            });
        });
        let port = rx.await.expect("receiver started");
        Self { url: format!("http://127.0.0.1:{port}/hook"), received, status, delay_ms }
    }

    /// Answer with `status` from now on.
    pub fn answer(&self, status: u16) {
        self.status.store(status, std::sync::atomic::Ordering::SeqCst);
    }

    /// Wait `ms` before answering.
    pub fn delay(&self, ms: u64) {
        self.delay_ms.store(ms, std::sync::atomic::Ordering::SeqCst);
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    /// Waits (up to 20 s) until `done` holds for what was received.
    pub async fn wait_until(&self, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.received();
            if done(&got) {
                return got;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the receiver did not get what was expected: {} so far",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
