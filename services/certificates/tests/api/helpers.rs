//! Test harness: the real service on port 0, against a fresh database cloned from a
//! migrated template, with its own Redis key prefix and an ephemeral token key.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use platform::auth::{DevIssuer, Role};
use platform::clock::Clock;
use platform::config::CommonSettings;
use platform::server::Shutdown;
use secrecy::SecretString;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use zegel_certificates::config::Settings;
use zegel_certificates::startup::{AppState, Application};

/// Server holding the test databases (defaults to the local one).
fn admin_url() -> String {
    std::env::var("ZEGEL_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Redis used by the tests.
pub fn redis_url() -> String {
    std::env::var("ZEGEL_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

fn db_url(name: &str) -> String {
    let admin = admin_url();
    let base = admin
        .rsplit_once('/')
        .map(|(b, _)| b.to_string())
        .unwrap_or(admin);
    format!("{base}/{name}")
}

async fn admin() -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(&admin_url(), tokio_postgres::NoTls)
        .await
        .expect("test Postgres reachable");
    tokio::spawn(conn);
    client
}

fn issuer() -> &'static (Arc<DevIssuer>, String) {
    static ISSUER: OnceLock<(Arc<DevIssuer>, String)> = OnceLock::new();
    ISSUER.get_or_init(|| {
        let issuer = DevIssuer::generate("zegel-test").expect("key generation");
        let path = std::env::temp_dir().join(format!(
            "zegel-test-jwks-{}-{}.json",
            std::process::id(),
            uuid::Uuid::new_v4()
        ));
        std::fs::write(&path, issuer.jwks().to_string()).expect("write jwks");
        (Arc::new(issuer), path.to_string_lossy().into_owned())
    })
}

/// Dev PKI for this test process: a suite CA and the certificates register's seal key.
pub struct TestPki {
    pub ca: zegel_attest::pki::KeyAndCert,
    pub key_path: String,
    pub cert_path: String,
}

pub fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| {
        let ca = zegel_attest::pki::ca("Zegel test CA", 3650).expect("ca");
        let signer = zegel_attest::pki::signer(&ca, "certificates", -1, 3650).expect("signer");
        let dir = std::env::temp_dir().join(format!(
            "zegel-test-pki-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).expect("pki dir");
        let key_path = dir.join("certificates-key.pem");
        let cert_path = dir.join("certificates.pem");
        std::fs::write(&key_path, &signer.key_pem).expect("key");
        std::fs::write(&cert_path, &signer.cert_pem).expect("cert");
        TestPki {
            ca,
            key_path: key_path.to_string_lossy().into_owned(),
            cert_path: cert_path.to_string_lossy().into_owned(),
        }
    })
}

/// Name of the migrated template: changes whenever a migration file changes.
fn template_name() -> String {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    for dir in [
        concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"),
        concat!(env!("CARGO_MANIFEST_DIR"), "/../platform/migrations"),
    ] {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("migrations dir")
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            p.file_name().hash(&mut h);
            std::fs::read(&p).expect("migration").hash(&mut h);
        }
    }
    format!("zegel_tpl_certificates_{:x}", h.finish())
}

async fn ensure_template(admin: &tokio_postgres::Client) -> String {
    let name = template_name();
    // One test process at a time builds the template; the others wait on the lock.
    admin
        .execute("select pg_advisory_lock(hashtext($1))", &[&name])
        .await
        .expect("lock");
    let exists = admin
        .query_opt("select 1 from pg_database where datname = $1", &[&name])
        .await
        .expect("query")
        .is_some();
    if !exists {
        let building = format!("{name}_building");
        admin
            .batch_execute(&format!("drop database if exists {building}"))
            .await
            .expect("drop stale");
        admin
            .batch_execute(&format!("create database {building}"))
            .await
            .expect("create template");
        let mut common = CommonSettings::local();
        common.database_url = SecretString::from(db_url(&building));
        zegel_certificates::startup::migrate(&common)
            .await
            .expect("migrations apply");
        admin
            .batch_execute(&format!("alter database {building} rename to {name}"))
            .await
            .expect("rename template");
    }
    admin
        .execute("select pg_advisory_unlock(hashtext($1))", &[&name])
        .await
        .expect("unlock");
    name
}

/// Drops test databases left behind by crashed runs (older than two hours).
async fn sweep_leftovers(admin: &tokio_postgres::Client) {
    let cutoff = chrono::Utc::now().timestamp() - 7200;
    let rows = admin
        .query(
            "select datname from pg_database where datname like 'zegel_test_%'",
            &[],
        )
        .await
        .unwrap_or_default();
    for row in rows {
        let name: String = row.get(0);
        let created = name
            .split('_')
            .nth(2)
            .and_then(|t| t.parse::<i64>().ok())
            .unwrap_or(0);
        if created < cutoff {
            let _ = admin
                .batch_execute(&format!("drop database if exists {name} with (force)"))
                .await;
        }
    }
}

/// A running service under test.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The service's clock; move it to test time-based rules.
    pub clock: Clock,
    /// The service's state (for running the sweep directly).
    pub state: AppState,
    /// HTTP client.
    pub http: reqwest::Client,
    /// The test's Redis key prefix.
    pub redis_prefix: String,
    db_name: String,
    shutdown: Shutdown,
}

/// Starts the service with default test settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the service after `adjust` had its say on the settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let admin = admin().await;
    sweep_leftovers(&admin).await;
    let template = ensure_template(&admin).await;
    let db_name = format!(
        "zegel_test_{}_{}",
        chrono::Utc::now().timestamp(),
        uuid::Uuid::new_v4().simple()
    );
    admin
        .batch_execute(&format!("create database {db_name} template {template}"))
        .await
        .expect("clone template");

    let mut settings = Settings::local();
    settings.common.database_url = SecretString::from(db_url(&db_name));
    settings.common.redis_url = redis_url();
    settings.common.redis_prefix = format!("zegel-test:{}", uuid::Uuid::new_v4().simple());
    settings.common.jwks = issuer().1.clone();
    settings.common.jwt_issuer = "zegel-test".into();
    settings.common.relay_interval_ms = 50;
    settings.common.db_pool_size = 4;
    settings.own.port = 0;
    settings.own.sweep_interval_secs = 3600;
    settings.own.seal_key = pki().key_path.clone();
    settings.own.seal_cert = pki().cert_path.clone();
    adjust(&mut settings);

    let clock = Clock::system();
    // The service runs on a runtime of its own, on its own thread, as it would in its own
    // process; warp's server future cannot be handed to `tokio::spawn`.
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let (run_settings, run_clock) = (settings.clone(), clock.clone());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let app = Application::build_with_clock(run_settings, run_clock)
                .await
                .expect("service builds");
            let _ = ready_tx.send((app.port(), app.state().clone(), app.shutdown_handle()));
            let _ = app.run_until_stopped().await;
        });
    });
    let (port, state, shutdown) = ready_rx.await.expect("service started");
    let address = format!("http://127.0.0.1:{port}");
    TestApp {
        address,
        clock,
        state,
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("client"),
        redis_prefix: settings.common.redis_prefix,
        db_name,
        shutdown,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.trigger();
        let db = self.db_name.clone();
        let prefix = self.redis_prefix.clone();
        // Drop cannot await; clean up on a thread with its own runtime.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let admin = admin().await;
                let _ = admin
                    .batch_execute(&format!("drop database if exists {db} with (force)"))
                    .await;
                if let Ok(client) = redis::Client::open(redis_url())
                    && let Ok(mut conn) = client.get_multiplexed_async_connection().await
                {
                    let keys: Vec<String> = redis::cmd("KEYS")
                        .arg(format!("{prefix}:*"))
                        .query_async(&mut conn)
                        .await
                        .unwrap_or_default();
                    if !keys.is_empty() {
                        let _: Result<(), _> =
                            redis::cmd("DEL").arg(keys).query_async(&mut conn).await;
                    }
                }
            });
        })
        .join();
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestApp {
    /// A token for `roles` acting for `org`.
    pub fn token(&self, roles: &[Role], org: Option<&str>) -> String {
        issuer()
            .0
            .token(
                &format!(
                    "test-{}",
                    roles.first().map(|r| r.as_str()).unwrap_or("none")
                ),
                roles,
                org,
                600,
            )
            .expect("token")
    }

    /// Sends a request; `token` as bearer, `body` as JSON.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        idempotency_key: Option<&str>,
    ) -> Reply {
        let mut rb = self.http.request(
            method.parse().expect("method"),
            format!("{}{path}", self.address),
        );
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
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send("GET", path, token, None, None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send("POST", path, Some(token), Some(body), None).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send("PUT", path, Some(token), Some(body), None).await
    }

    /// An accredited certification body `id`, returning its token.
    pub async fn body(&self, id: &str) -> String {
        let admin = self.token(&[Role::Admin], None);
        let r = self
            .put(
                &format!("/api/v1/certification-bodies/{id}"),
                &admin,
                serde_json::json!({"name": format!("Body {id}"), "accredited": true}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        self.token(&[Role::CertificationBody], Some(id))
    }

    /// A registered Dutch staffing agency established `established_days_ago` days ago.
    pub async fn agency(&self, kvk: &str, established_days_ago: u64) -> Reply {
        let kvk_token = self.token(&[Role::Kvk], None);
        let established = self.clock.today() - chrono::Days::new(established_days_ago);
        let r = self
            .post(
                "/api/v1/agencies",
                &kvk_token,
                serde_json::json!({"kvk_number": kvk, "name": "Flex BV", "seat_country": "NL", "sbi_codes": ["7820"], "established_on": established}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r
    }

    /// A provisional certificate for `kvk` by the body with `token`; returns its id.
    pub async fn provisional(&self, kvk: &str, token: &str) -> String {
        let r = self
            .post(
                &format!("/api/v1/agencies/{kvk}/certificates"),
                token,
                serde_json::json!({}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.body["certificate_id"].as_str().expect("id").to_string()
    }

    /// Records every requirement as met.
    pub async fn meet_all(&self, id: &str, token: &str) {
        for code in zegel_certificates::domain::RequirementCode::ALL {
            let r = self
                .put(
                    &format!("/api/v1/certificates/{id}/requirements/{}", code.as_str()),
                    token,
                    serde_json::json!({"outcome": "met", "evidence_ref": format!("dossier/{}", code.as_str())}),
                )
                .await;
            assert_eq!(r.status, 200, "{code:?}: {:?}", r.body);
        }
    }

    /// A fully certified agency `kvk` under body `body_id`; returns (body token, certificate id).
    pub async fn certified(&self, kvk: &str, body_id: &str) -> (String, String) {
        let token = self.body(body_id).await;
        self.agency(kvk, 400).await;
        let id = self.provisional(kvk, &token).await;
        self.meet_all(&id, &token).await;
        let r = self
            .post(
                &format!("/api/v1/certificates/{id}/certification"),
                &token,
                serde_json::json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        (token, id)
    }

    /// The public view of `kvk`'s certificate.
    pub async fn public(&self, kvk: &str) -> Value {
        let r = self
            .get(&format!("/api/v1/agencies/{kvk}/certificate"), None)
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body
    }

    /// Events of type `kind` on this test's stream.
    pub async fn events(&self, kind: &str) -> Vec<Value> {
        let client = redis::Client::open(redis_url()).expect("redis url");
        let mut conn = client
            .get_multiplexed_async_connection()
            .await
            .expect("redis");
        let entries: redis::streams::StreamRangeReply = redis::cmd("XRANGE")
            .arg(format!("{}:events", self.redis_prefix))
            .arg("-")
            .arg("+")
            .query_async(&mut conn)
            .await
            .expect("xrange");
        entries
            .ids
            .iter()
            .filter_map(|e| platform::outbox::Event::from_stream_fields(&e.map))
            .filter(|e| e.event_type == kind)
            .map(|e| serde_json::to_value(e).expect("event json"))
            .collect()
    }

    /// Waits until `n` events of `kind` are on the stream (or a few seconds pass).
    pub async fn wait_for_events(&self, kind: &str, n: usize) -> Vec<Value> {
        for _ in 0..100 {
            let found = self.events(kind).await;
            if found.len() >= n {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.events(kind).await
    }

    /// Runs SQL in the test's database (to break it on purpose).
    pub async fn sql(&self, statement: &str) {
        let (client, conn) = tokio_postgres::connect(&db_url(&self.db_name), tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(conn);
        client.batch_execute(statement).await.expect("sql");
    }

    /// Sends raw bytes over TCP and returns the status code and whole response text.
    pub async fn raw(&self, request: &str) -> (u16, String) {
        let addr = self.address.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut buf = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut buf)).await;
        let text = String::from_utf8_lossy(&buf).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, text)
    }
}

/// A TCP proxy in front of Redis that a test can cut and restore, to play "Redis is down"
/// without stopping the Redis other tests share.
pub struct RedisProxy {
    pub url: String,
    up: watch::Sender<bool>,
}

impl RedisProxy {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let target = redis_url()
            .trim_start_matches("redis://")
            .trim_end_matches('/')
            .to_string();
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
        Self {
            url: format!("redis://127.0.0.1:{port}"),
            up,
        }
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
