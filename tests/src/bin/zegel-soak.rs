//! `just soak`: faults under load. The suite runs as its service binaries (one process
//! each, as in production) against a private Postgres and a private Redis that this
//! program starts on free ports, so that it may restart and kill them without touching
//! anything else. The lookup reads statuses from a streaming standby of that Postgres
//! (`ZEGEL_LOOKUP_REPLICA_URL`). For `ZEGEL_SOAK_MINUTES` (default 30) it drives mixed load
//! — scans, hirer checks, revocations, bans, claims and payouts, webhooks to a subscribed
//! hirer — and, at a fifth of the run each: restarts Postgres, restarts the standby, makes
//! the standby replay `LAG` late for a minute, and kills Redis (starting it again
//! `REDIS_DOWN` later). Then it waits for the suite to settle and reports:
//!
//! - wrong verdicts: a scan that began after a revoke had returned and said `valid` (must be
//!   0 — also while the standby is gone or seconds behind);
//! - events lost: outbox events not acknowledged by every consumer group, ban events the
//!   certificates register never consumed, and events for the hirer's agencies that never
//!   reached its webhook (0) — with entries in flight when Redis is killed (the notifier is
//!   held still for a few seconds before, and Redis comes back empty);
//! - ledger invariant violations of the deposit claims were paid from (0);
//! - each service's resident memory at the start and the end of the load;
//! - every answer that was not a success, by status and problem type, per fault (only
//!   503 `unavailable` is acceptable; a 500 is a finding) and the time to full service
//!   after each fault.
//!
//! Not part of CI: it takes half an hour. Everything it started is stopped when it ends,
//! also when it fails (drop guards), and its temporary directory is removed; the services'
//! logs are kept in `out/soak/`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use platform::auth::Role;
use serde_json::{Value, json};
use zegel_e2e::{Addresses, valid_bsn};

/// The services, in the order their migrations run (as `zegel-suite` runs them).
const SERVICES: [&str; 7] = ["certificates", "lookup", "gaccounts", "bans", "deposits", "housing", "notifier"];
/// How long Redis stays down once killed.
const REDIS_DOWN: Duration = Duration::from_secs(15);
/// How long the notifier is held still before Redis is killed.
const IN_FLIGHT: Duration = Duration::from_secs(5);
/// How late the standby replays while it lags (a minute long).
const LAG: Duration = Duration::from_secs(3);
const AGENCIES: u32 = 48;
const DEPOSIT_KVK: &str = "39000000";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let out = cmd.output()?;
    anyhow::ensure!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    Ok(())
}

/// A private Postgres and Redis under a temporary directory.
struct Private {
    dir: PathBuf,
    bin: PathBuf,
    pg_port: u16,
    /// The streaming standby of the Postgres on `pg_port`.
    standby_port: u16,
    redis_port: u16,
    redis: Option<Child>,
    root: bool,
}

impl Private {
    fn start() -> anyhow::Result<Self> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|p| p.join("initdb").exists())
            .max()
            .ok_or_else(|| anyhow::anyhow!("no PostgreSQL server binaries under /usr/lib/postgresql"))?;
        // Under /tmp, open to the postgres user: initdb runs as that user when we are root.
        let dir = std::env::temp_dir().join(format!("zegel-soak-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(dir.join("pg"))?;
        let root = is_root();
        if root {
            run(Command::new("chmod").arg("755").arg(&dir))?;
            run(Command::new("chown").arg("postgres:postgres").arg(dir.join("pg")))?;
        }
        // pg_basebackup fills an empty directory of the postgres user's, closed to others.
        std::fs::create_dir_all(dir.join("standby"))?;
        run(Command::new("chmod").arg("700").arg(dir.join("standby")))?;
        if root {
            run(Command::new("chown").arg("postgres:postgres").arg(dir.join("standby")))?;
        }
        let (pg_port, standby_port, redis_port) = (free_port(), free_port(), free_port());
        let mut private = Self { dir, bin, pg_port, standby_port, redis_port, redis: None, root };
        run(private.as_pg("initdb").args(["-U", "postgres", "--auth=trust", "-D"]).arg(private.dir.join("pg")))?;
        private.pg_ctl("start")?;
        let port = pg_port.to_string();
        run(private
            .as_pg("pg_basebackup")
            .args(["-h", "127.0.0.1", "-p", &port, "-U", "postgres", "-R", "-X", "stream", "-c", "fast", "-D"])
            .arg(private.dir.join("standby")))?;
        private.standby_ctl("start")?;
        private.start_redis()?;
        Ok(private)
    }

    fn as_pg(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn pg_ctl(&self, action: &str) -> anyhow::Result<()> {
        let options = format!("-p {} -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300", self.pg_port);
        run(self
            .as_pg("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("pg"))
            .args(["-l"])
            .arg(self.dir.join("pg/server.log"))
            .args(["-m", "fast", "-w", "-o", &options, action]))
    }

    /// The standby (hot: it answers reads while it replays).
    fn standby_ctl(&self, action: &str) -> anyhow::Result<()> {
        // A standby allows no fewer connections than its primary.
        let options = format!(
            "-p {} -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c hot_standby=on",
            self.standby_port
        );
        run(self
            .as_pg("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("standby"))
            .args(["-l"])
            .arg(self.dir.join("standby/server.log"))
            .args(["-m", "fast", "-w", "-o", &options, action]))
    }

    /// Makes the standby replay each commit `delay` after the primary made it (0: at once).
    fn delay_standby(&self, delay: Duration) -> anyhow::Result<()> {
        let conf = self.dir.join("standby/postgresql.auto.conf");
        let mut text = std::fs::read_to_string(&conf)?;
        // The last setting of a name wins.
        text.push_str(&format!("\nrecovery_min_apply_delay = '{}ms'\n", delay.as_millis()));
        std::fs::write(&conf, text)?;
        run(self.as_pg("pg_ctl").arg("-D").arg(self.dir.join("standby")).arg("reload"))
    }

    fn start_redis(&mut self) -> anyhow::Result<()> {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.redis_port.to_string(), "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        self.redis = Some(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.redis_port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        anyhow::bail!("redis did not start")
    }

    /// SIGKILL: no shutdown, no save (it keeps nothing on disk either).
    fn kill_redis(&mut self) {
        if let Some(mut child) = self.redis.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn database_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/zegel", self.pg_port)
    }

    fn standby_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/zegel", self.standby_port)
    }
}

impl Drop for Private {
    fn drop(&mut self) {
        self.kill_redis();
        for data in ["standby", "pg"] {
            let _ = self.as_pg("pg_ctl").arg("-D").arg(self.dir.join(data)).args(["-m", "immediate", "stop"]).output();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct Services {
    children: Vec<(&'static str, Child)>,
}

impl Drop for Services {
    fn drop(&mut self) {
        for (_, child) in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Services {
    /// Sends `signal` (`STOP`, `CONT`) to the process of `service`.
    fn signal(&self, service: &str, signal: &str) -> anyhow::Result<()> {
        let (_, child) = self
            .children
            .iter()
            .find(|(name, _)| *name == service)
            .ok_or_else(|| anyhow::anyhow!("no {service} process"))?;
        run(Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()))
    }

    fn rss_kib(&self) -> BTreeMap<&'static str, u64> {
        self.children
            .iter()
            .map(|(name, child)| {
                let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
                let kib = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                    .unwrap_or(0);
                (*name, kib)
            })
            .collect()
    }
}

/// What every service is started with: the private servers, the development keys, each
/// other's addresses and its own ports, and no limit that one load address would hit.
fn environment(private: &Private, ports: &HashMap<&str, (u16, u16)>, certs: &Path) -> Vec<(String, String)> {
    let url_of = |s: &str| format!("http://127.0.0.1:{}", ports[s].0);
    let mut env: Vec<(String, String)> = vec![
        ("ZEGEL_HOST".into(), "127.0.0.1".into()),
        ("ZEGEL_DATABASE_URL".into(), private.database_url()),
        ("ZEGEL_REDIS_URL".into(), format!("redis://127.0.0.1:{}", private.redis_port)),
        ("ZEGEL_REDIS_PREFIX".into(), "soak".into()),
        ("ZEGEL_JWKS".into(), certs.join("jwks.json").display().to_string()),
        ("ZEGEL_EVENT_KEYS_DIR".into(), certs.join("events").display().to_string()),
        ("ZEGEL_VERIFY_URL".into(), url_of("lookup")),
        // All load comes from one address here.
        ("ZEGEL_PUBLIC_RATE_PER_MINUTE".into(), "100000000".into()),
        ("ZEGEL_WRITES_PER_HOUR".into(), "100000000".into()),
        ("ZEGEL_LOOKUP_HOUSING_URL".into(), url_of("housing")),
        ("ZEGEL_LOOKUP_BANS_URL".into(), url_of("bans")),
        ("ZEGEL_LOOKUP_DEPOSITS_URL".into(), url_of("deposits")),
        ("ZEGEL_LOOKUP_CERTIFICATES_URL".into(), url_of("certificates")),
        ("ZEGEL_LOOKUP_REPLICA_URL".into(), private.standby_url()),
        ("ZEGEL_NOTIFIER_LOOKUP_URL".into(), url_of("lookup")),
        ("ZEGEL_NOTIFIER_ALLOW_PRIVATE_TARGETS".into(), "true".into()),
        ("ZEGEL_CERTIFICATES_BANS_URL".into(), url_of("bans")),
        ("ZEGEL_CERTIFICATES_GACCOUNTS_URL".into(), url_of("gaccounts")),
        ("ZEGEL_CERTIFICATES_DEPOSITS_URL".into(), url_of("deposits")),
        ("ZEGEL_CERTIFICATES_HOUSING_URL".into(), url_of("housing")),
        ("ZEGEL_LOG_FORMAT".into(), "json".into()),
    ];
    for (service, (port, internal)) in ports {
        let upper = service.to_uppercase();
        env.push((format!("ZEGEL_{upper}_PORT"), port.to_string()));
        env.push((format!("ZEGEL_{upper}_INTERNAL_PORT"), internal.to_string()));
    }
    env
}

/// Starts every service binary (found next to this program) against `private`.
async fn start_services(private: &Private, logs: &Path) -> anyhow::Result<(Services, Addresses)> {
    let bin_dir = std::env::current_exe()?.parent().map(Path::to_path_buf).unwrap_or_default();
    let certs = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../certs/dev"));
    let ports: HashMap<&str, (u16, u16)> = SERVICES.iter().map(|s| (*s, (free_port(), free_port()))).collect();
    let url_of = |s: &str| format!("http://127.0.0.1:{}", ports[s].0);
    let env = environment(private, &ports, &certs);
    // The database, then each service's migrations in the suite's order.
    let (admin, connection) = tokio_postgres::connect(
        &format!("postgres://postgres@127.0.0.1:{}/postgres", private.pg_port),
        tokio_postgres::NoTls,
    )
    .await?;
    tokio::spawn(connection);
    admin.batch_execute("create database zegel").await?;
    // A service refuses a `ZEGEL_` variable it does not know (this program's own among them):
    // it gets only the ones set here.
    let service = |name: &str| {
        let mut c = Command::new(bin_dir.join(format!("zegel-{name}")));
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("ZEGEL_")) {
            c.env_remove(key);
        }
        c.envs(env.iter().cloned());
        c
    };
    for name in SERVICES {
        run(service(name).arg("migrate"))?;
    }
    let mut services = Services { children: Vec::new() };
    for name in SERVICES {
        let log = std::fs::File::create(logs.join(format!("{name}.log")))?;
        let child = service(name).arg("serve").stdout(log.try_clone()?).stderr(log).spawn()?;
        services.children.push((name, child));
    }
    let http = reqwest::Client::new();
    for service in SERVICES {
        let ready = format!("{}/readyz", url_of(service));
        let deadline = Instant::now() + Duration::from_secs(60);
        while !http.get(&ready).send().await.is_ok_and(|r| r.status().is_success()) {
            anyhow::ensure!(Instant::now() < deadline, "{service} not ready after 60 s (see out/soak/{service}.log)");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    Ok((services, Addresses::of(url_of)))
}

/// An answer that was not a success: fault window, kind of request, status (0: none),
/// problem type or verdict.
type Failure = (String, &'static str, u16, String);

#[derive(Default)]
struct Record {
    /// Answers that were not a success, counted.
    failures: Mutex<BTreeMap<Failure, usize>>,
    /// The last failure of each kind, to tell when service was full again.
    last_failure: Mutex<HashMap<&'static str, Instant>>,
    ok: Mutex<BTreeMap<&'static str, usize>>,
    wrong_verdicts: AtomicUsize,
    /// The current fault ("none", "postgres restart", "redis down").
    window: Mutex<String>,
}

impl Record {
    fn success(&self, kind: &'static str) {
        if let Ok(mut ok) = self.ok.lock() {
            *ok.entry(kind).or_default() += 1;
        }
    }

    fn failure(&self, kind: &'static str, status: u16, what: String) {
        let window = self.window.lock().map(|w| w.clone()).unwrap_or_default();
        if let Ok(mut f) = self.failures.lock() {
            *f.entry((window, kind, status, what)).or_default() += 1;
        }
        if let Ok(mut l) = self.last_failure.lock() {
            l.insert(kind, Instant::now());
        }
    }

    /// Records an HTTP answer: a success, or a failure by status and problem type.
    async fn answer(&self, kind: &'static str, answer: reqwest::Result<reqwest::Response>) -> Option<Value> {
        match answer {
            Ok(r) if r.status().is_success() => {
                let body = r.json::<Value>().await.unwrap_or(Value::Null);
                self.success(kind);
                Some(body)
            }
            Ok(r) => {
                let status = r.status().as_u16();
                let body = r.json::<Value>().await.unwrap_or(Value::Null);
                let problem = body["type"].as_str().unwrap_or("(no problem type)").to_string();
                self.failure(kind, status, problem);
                None
            }
            Err(e) => {
                self.failure(kind, 0, if e.is_timeout() { "timeout".into() } else { "no answer".into() });
                None
            }
        }
    }
}

/// A scanned seal: its agency, certificate, and when its revocation returned.
struct Target {
    kvk: String,
    certificate: String,
    seal: String,
    revoked: Mutex<Option<Instant>>,
}

async fn soak() -> anyhow::Result<()> {
    let minutes: f64 = std::env::var("ZEGEL_SOAK_MINUTES").ok().and_then(|m| m.parse().ok()).unwrap_or(30.0);
    let total = Duration::from_secs_f64(minutes * 60.0);
    let logs = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../out/soak"));
    std::fs::create_dir_all(&logs)?;
    println!("Zegel soak — {} — {minutes} minutes of mixed load", chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"));
    let mut private = Private::start()?;
    println!("private Postgres on {} and Redis on {}", private.pg_port, private.redis_port);
    let (services, at) = start_services(&private, &logs).await?;
    let client = Arc::new(zegel_e2e::dev_client(at.clone())?);
    let (admin, connection) = tokio_postgres::connect(&private.database_url(), tokio_postgres::NoTls).await?;
    let admin_task = tokio::spawn(connection);
    let pool = Pool::set_up(&client, &admin).await?;
    let record = Arc::new(Record::default());
    if let Ok(mut w) = record.window.lock() {
        *w = "no fault".into();
    }
    let memory_start = services.rss_kib();
    let started = Instant::now();
    let load = Load {
        client: client.clone(),
        record: record.clone(),
        targets: pool.targets.clone(),
        stop: Arc::default(),
        total,
    };
    let tasks = load.spawn();
    // Memory once warm: pools filled, caches and limiters holding what steady load puts in them.
    tokio::time::sleep(total.div_f64(6.0).min(Duration::from_secs(120))).await;
    let memory_warm = services.rss_kib();
    let (recoveries, in_flight) = faults(&mut private, &services, &record, started, total).await?;
    tokio::time::sleep_until((started + total).into()).await;
    load.stop.store(true, Ordering::Relaxed);
    for task in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(60), task).await;
    }
    let memory = [memory_start, memory_warm, services.rss_kib()];
    let settled = settle(&private, &pool).await;
    let ledger = client.ledger_violations(DEPOSIT_KVK).await;
    let revoked = pool.targets.iter().filter(|t| t.revoked.lock().ok().and_then(|r| *r).is_some()).count();
    println!();
    println!("load ran {:.0} s; answers that succeeded:", started.elapsed().as_secs_f64());
    report_outcome(&record, revoked, in_flight, &settled, ledger);
    report_memory(&memory);
    report_failures(&record, &recoveries);
    drop(services);
    admin_task.abort();
    drop(private);
    Ok(())
}

/// What the load runs against: certified agencies with a seal each, a deposit, and a hirer
/// following all of them through a webhook.
struct Pool {
    targets: Vec<Arc<Target>>,
    receiver: zegel_testkit::Receiver,
    agencies: Vec<String>,
    subscribed_at: chrono::DateTime<chrono::Utc>,
}

impl Pool {
    async fn set_up(client: &zegel_e2e::Client, admin: &tokio_postgres::Client) -> anyhow::Result<Self> {
        let setup = Instant::now();
        let mut targets = Vec::new();
        for i in 0..AGENCIES {
            let kvk = format!("{:08}", 38_000_000 + i);
            let (body, certificate) = client.certified(&kvk).await;
            let seal = client.seal(&kvk, &body).await["seal"].as_str().unwrap_or_default().to_string();
            targets.push(Arc::new(Target { kvk, certificate, seal, revoked: Mutex::new(None) }));
        }
        client.certified(DEPOSIT_KVK).await;
        for _ in 0..5 {
            client.deposit_pay(DEPOSIT_KVK, 1_000_000_000).await;
        }
        let receiver = zegel_testkit::Receiver::start().await;
        let hirer = client.token(Role::Hirer, Some("12121212"));
        let agencies: Vec<String> = targets.iter().map(|t| t.kvk.clone()).collect();
        let subscribed = client
            .http
            .post(format!("{}/api/v1/subscriptions", client.at.notifier))
            .bearer_auth(&hirer)
            .json(&json!({"url": receiver.url, "agencies": agencies}))
            .send()
            .await?;
        anyhow::ensure!(subscribed.status().is_success(), "subscription: {}", subscribed.status());
        let subscribed_at: chrono::DateTime<chrono::Utc> = admin.query_one("select now()", &[]).await?.get(0);
        println!(
            "setup: {AGENCIES} certified agencies with seals, a deposit, a subscribed hirer in {:.0} s",
            setup.elapsed().as_secs_f64()
        );
        Ok(Self { targets, receiver, agencies, subscribed_at })
    }
}

/// The mixed load: what every kind of client shares.
struct Load {
    client: Arc<zegel_e2e::Client>,
    record: Arc<Record>,
    targets: Vec<Arc<Target>>,
    stop: Arc<AtomicBool>,
    total: Duration,
}

impl Load {
    /// Every kind of client, each on its own tasks until `stop`.
    fn spawn(&self) -> Vec<tokio::task::JoinHandle<()>> {
        let mut tasks = self.scanners();
        tasks.extend(self.hirer_checks());
        tasks.extend(self.claims());
        let revocable = self.targets.len() / 2;
        tasks.push(self.revocations(revocable));
        tasks.push(self.bans(revocable));
        tasks
    }

    fn parts(&self) -> (Arc<zegel_e2e::Client>, Arc<Record>, Vec<Arc<Target>>, Arc<AtomicBool>) {
        (self.client.clone(), self.record.clone(), self.targets.clone(), self.stop.clone())
    }

    /// Scanners: every scan of a seal whose revocation had returned before the scan began
    /// must not say valid.
    fn scanners(&self) -> Vec<tokio::task::JoinHandle<()>> {
        let mut tasks = Vec::new();
        for n in 0..6 {
            let (client, record, targets, stop) = self.parts();
            tasks.push(tokio::spawn(async move {
                let mut i = n;
                while !stop.load(Ordering::Relaxed) {
                    i = (i + 7) % targets.len();
                    let target = &targets[i];
                    let began = Instant::now();
                    let url = format!("{}/api/v1/verify/{}", client.at.lookup, target.seal);
                    if let Some(v) = record.answer("scan", client.http.get(url).send().await).await {
                        let verdict = v["verdict"].as_str().unwrap_or_default();
                        let revoked = target.revoked.lock().ok().and_then(|r| *r);
                        if verdict == "valid" && revoked.is_some_and(|r| r < began) {
                            record.wrong_verdicts.fetch_add(1, Ordering::Relaxed);
                        }
                        if verdict == "unavailable" {
                            record.failure("scan", 200, "verdict unavailable".into());
                        }
                    }
                }
            }));
        }
        tasks
    }

    fn hirer_checks(&self) -> Vec<tokio::task::JoinHandle<()>> {
        let mut tasks = Vec::new();
        for n in 0..2 {
            let (client, record, targets, stop) = self.parts();
            tasks.push(tokio::spawn(async move {
                let mut i = n;
                while !stop.load(Ordering::Relaxed) {
                    i = (i + 5) % targets.len();
                    let url = format!("{}/api/v1/agencies/{}/receipts", client.at.lookup, targets[i].kvk);
                    record.answer("hirer check", client.http.post(url).send().await).await;
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }));
        }
        tasks
    }

    /// Claims filed and paid out against one deposit.
    fn claims(&self) -> Vec<tokio::task::JoinHandle<()>> {
        let mut tasks = Vec::new();
        for w in 0..2 {
            let (client, record, _, stop) = self.parts();
            tasks.push(tokio::spawn(async move {
                let (inspectorate, nau) =
                    (client.token(Role::Inspectorate, None), client.token(Role::AdmissionAuthority, None));
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let filed = client
                        .http
                        .post(format!("{}/api/v1/agencies/{DEPOSIT_KVK}/deposit/claims", client.at.deposits))
                        .bearer_auth(&inspectorate)
                        .header("idempotency-key", format!("soak-claim-{w}-{n}"))
                        .json(&json!({"claim_type": "damages", "amount_cents": 100, "description": "soak"}))
                        .send()
                        .await;
                    let Some(claim) = record.answer("claim", filed).await else {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    };
                    let Some(id) = claim["claim_id"].as_str() else { continue };
                    // Retried with the same key until it is answered: a payout is never lost
                    // nor made twice.
                    for attempt in 0..200 {
                        let paid = client
                            .http
                            .post(format!("{}/api/v1/claims/{id}/payout", client.at.deposits))
                            .bearer_auth(&nau)
                            .header("idempotency-key", format!("soak-payout-{w}-{n}"))
                            .send()
                            .await;
                        if record.answer("payout", paid).await.is_some() || attempt == 199 {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }));
        }
        tasks
    }

    /// Revocations: one target at a time, spread over the run; the instant its revocation
    /// returned is what the scanners hold the verdicts to.
    fn revocations(&self, revocable: usize) -> tokio::task::JoinHandle<()> {
        let (client, record, targets, stop) = self.parts();
        let every = self.total.div_f64(revocable as f64 + 1.0);
        tokio::spawn(async move {
            let body = client.token(Role::CertificationBody, Some("cb-e2e"));
            for target in targets.iter().take(revocable) {
                tokio::time::sleep(every).await;
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                loop {
                    let url =
                        format!("{}/api/v1/certificates/{}/revocation", client.at.certificates, target.certificate);
                    let answer = client
                        .http
                        .post(url)
                        .bearer_auth(&body)
                        .header("idempotency-key", format!("soak-revoke-{}", target.certificate))
                        .json(&json!({"reason": "soak", "grounds": "other"}))
                        .send()
                        .await;
                    if record.answer("revocation", answer).await.is_some() {
                        if let Ok(mut r) = target.revoked.lock() {
                            *r = Some(Instant::now());
                        }
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        })
    }

    /// Bans: a director of each of the other targets, one after another.
    fn bans(&self, revocable: usize) -> tokio::task::JoinHandle<()> {
        let (client, record, targets, stop) = self.parts();
        let every = self.total.div_f64((targets.len() - revocable) as f64 + 1.0);
        tokio::spawn(async move {
            let (kvk_token, inspectorate) = (client.token(Role::Kvk, None), client.token(Role::Inspectorate, None));
            for (i, target) in targets.iter().skip(revocable).enumerate() {
                tokio::time::sleep(every).await;
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let bsn = valid_bsn(200_000_000 + u32::try_from(i).unwrap_or(0) * 10_000);
                let officers = json!({"officers": [
                    {"bsn": zegel_e2e::owner_bsn(&target.kvk), "name": "Bob Bakker", "date_of_birth": "1980-05-06", "role": "owner", "from": "2020-01-01"},
                    {"bsn": bsn, "name": "Soak Director", "date_of_birth": "1970-01-01", "role": "director", "from": "2020-01-01"}]});
                let ban = json!({"bsn": bsn, "basis": "administrative", "roles_covered": ["director"], "starts_on": "2026-01-01", "reason": "soak"});
                for (method, path, token, body, kind, key) in [
                    (
                        reqwest::Method::PUT,
                        format!("/api/v1/agencies/{}/officers", target.kvk),
                        &kvk_token,
                        officers,
                        "officers",
                        format!("soak-officers-{i}"),
                    ),
                    (
                        reqwest::Method::POST,
                        "/api/v1/bans".to_string(),
                        &inspectorate,
                        ban,
                        "ban",
                        format!("soak-ban-{i}"),
                    ),
                ] {
                    loop {
                        let answer = client
                            .http
                            .request(method.clone(), format!("{}{path}", client.at.bans))
                            .bearer_auth(token)
                            .header("idempotency-key", &key)
                            .json(&body)
                            .send()
                            .await;
                        if record.answer(kind, answer).await.is_some() {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            }
        })
    }
}

/// The faults, at each fifth of the run: Postgres restarted, the standby restarted, the
/// standby lagging, Redis killed with entries in flight. How long each took and how long
/// after it full service came back; how many entries were in flight.
async fn faults(
    private: &mut Private,
    services: &Services,
    record: &Record,
    started: Instant,
    total: Duration,
) -> anyhow::Result<(Vec<(&'static str, Duration, Duration)>, usize)> {
    let mut recoveries = Vec::new();
    let mut in_flight = 0;
    let faults = [(0.2, "postgres restart"), (0.4, "replica restart"), (0.6, "replica lagging"), (0.8, "redis down")];
    for (at_fraction, fault) in faults {
        tokio::time::sleep_until((started + total.mul_f64(at_fraction)).into()).await;
        if let Ok(mut w) = record.window.lock() {
            *w = fault.into();
        }
        let began = Instant::now();
        println!("{:>6.0} s: {fault}", started.elapsed().as_secs_f64());
        if fault == "postgres restart" {
            private.pg_ctl("restart")?;
        } else if fault == "replica restart" {
            private.standby_ctl("restart")?;
        } else if fault == "replica lagging" {
            // Scans are answered by the primary meanwhile (zegel_fenced_reads_total).
            private.delay_standby(LAG)?;
            tokio::time::sleep(Duration::from_secs(60)).await;
            private.delay_standby(Duration::ZERO)?;
        } else {
            // Entries in flight when Redis goes: the notifier is held still while the load
            // goes on, so the stream holds events its group has not acknowledged. The relay
            // must publish them again to the Redis that comes back empty.
            services.signal("notifier", "STOP")?;
            tokio::time::sleep(IN_FLIGHT).await;
            in_flight = unacknowledged(private.redis_port, "notifier").await;
            println!(
                "{:>6.0} s: {in_flight} entries in flight (not acknowledged by the notifier)",
                started.elapsed().as_secs_f64()
            );
            private.kill_redis();
            tokio::time::sleep(REDIS_DOWN).await;
            private.start_redis()?;
            services.signal("notifier", "CONT")?;
        }
        let ended = Instant::now();
        // Full service: a minute in which no kind of request failed, the first such
        // minute after the fault counted from its end.
        tokio::time::sleep(Duration::from_secs(60)).await;
        let last = record.last_failure.lock().map(|l| l.values().copied().filter(|t| *t >= began).max()).ok().flatten();
        let back = last.map_or(Duration::ZERO, |l| l.saturating_duration_since(ended));
        recoveries.push((fault, ended.duration_since(began), back));
        if let Ok(mut w) = record.window.lock() {
            *w = format!("after {fault}");
        }
    }
    Ok((recoveries, in_flight))
}

/// What never arrived after settling.
struct Settled {
    secs: f64,
    unrelayed: i64,
    unconsumed: i64,
    undelivered: usize,
    expected: usize,
}

/// Settle: every outbox row relayed, every ban consumed, every event delivered — or two
/// minutes passed.
async fn settle(private: &Private, pool: &Pool) -> Settled {
    let (agencies, subscribed_at, receiver) = (&pool.agencies, pool.subscribed_at, &pool.receiver);
    let settle = Instant::now();
    let (mut unrelayed, mut unconsumed, mut undelivered) = (i64::MAX, i64::MAX, usize::MAX);
    let mut expected_events = 0;
    while settle.elapsed() < Duration::from_secs(120) {
        // A connection of its own each round: the one from before the restart is gone.
        let Ok((admin, connection)) = tokio_postgres::connect(&private.database_url(), tokio_postgres::NoTls).await
        else {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        let connected = tokio::spawn(connection);
        unrelayed = 0;
        for schema in SERVICES {
            // Published is not enough: every consumer group must have acknowledged it.
            let sql = format!("select count(*) from {schema}.outbox where delivered_at is null");
            unrelayed += admin.query_one(&sql, &[]).await.map(|r| r.get::<_, i64>(0)).unwrap_or(i64::MAX / 8);
        }
        unconsumed = admin
            .query_one(
                "select count(*) from bans.outbox o
                  where o.event_type in ('ban.officer_banned', 'ban.banned_officer_appointed')
                    and not exists (select 1 from certificates.consumed_event c where c.event_id = o.event_id)",
                &[],
            )
            .await
            .map(|r| r.get(0))
            .unwrap_or(i64::MAX);
        // What a follower of an agency hears of: the notifier's own list.
        let public: Vec<&str> = zegel_notifier::routing::PUBLIC_CHANGES.iter().map(|kind| kind.as_str()).collect();
        let expected: Vec<uuid::Uuid> = admin
            .query(
                "select event_id from certificates.outbox where event_type = any($1) and subject = any($2) and occurred_at >= $3
                 union all
                 select event_id from bans.outbox where event_type = any($1) and subject = any($2) and occurred_at >= $3",
                &[&public, agencies, &subscribed_at],
            )
            .await
            .map(|rows| rows.iter().map(|r| r.get(0)).collect())
            .unwrap_or_default();
        let received: std::collections::HashSet<String> = receiver
            .received()
            .iter()
            .filter(|r| r.answered == 200)
            .filter_map(|r| r.headers.get("zegel-event-id").cloned())
            .collect();
        expected_events = expected.len();
        undelivered = expected.iter().filter(|id| !received.contains(&id.to_string())).count();
        connected.abort();
        if unrelayed == 0 && unconsumed == 0 && undelivered == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Settled { secs: settle.elapsed().as_secs_f64(), unrelayed, unconsumed, undelivered, expected: expected_events }
}
/// Entries of the soak's stream that `group` has not acknowledged (pending and not yet
/// delivered to it); 0 when Redis cannot tell.
async fn unacknowledged(port: u16, group: &str) -> usize {
    let Ok(client) = redis::Client::open(format!("redis://127.0.0.1:{port}")) else { return 0 };
    let Ok(mut conn) = client.get_multiplexed_async_connection().await else { return 0 };
    let groups: redis::RedisResult<redis::streams::StreamInfoGroupsReply> =
        redis::cmd("XINFO").arg("GROUPS").arg("soak:events").query_async(&mut conn).await;
    groups
        .map(|g| g.groups.iter().filter(|g| g.name == group).map(|g| g.pending + g.lag.unwrap_or(0)).sum())
        .unwrap_or(0)
}

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(soak())
}

/// What succeeded, whether any verdict was wrong, what was lost.
fn report_outcome(
    record: &Record,
    revoked: usize,
    in_flight: usize,
    settled: &Settled,
    ledger: Option<(usize, usize)>,
) {
    for (kind, n) in record.ok.lock().map(|o| o.clone()).unwrap_or_default() {
        println!("  {kind:<12} {n:>9}");
    }
    println!();
    println!(
        "wrong verdicts (valid after a revoke returned; {revoked} seals revoked): {} (must be 0)",
        record.wrong_verdicts.load(Ordering::Relaxed)
    );
    println!(
        "events lost after {:.0} s of settling ({in_flight} in flight when Redis was killed): {} outbox rows never delivered to every consumer group, {} ban events the certificates register never consumed, {} of {} events for the hirer's agencies never delivered to its webhook (each must be 0)",
        settled.secs, settled.unrelayed, settled.unconsumed, settled.undelivered, settled.expected
    );
    match ledger {
        Some((payouts, violations)) => {
            println!("ledger of the claims' deposit: {payouts} payouts, {violations} invariant violations (must be 0)")
        }
        None => println!("ledger of the claims' deposit: COULD NOT BE READ"),
    }
    println!();
}

/// Resident memory per service at the start of the load, once warm and at the end.
fn report_memory([start, warm, end]: &[BTreeMap<&'static str, u64>; 3]) {
    println!("resident memory per service (KiB): at the start of the load, once warm, at the end (growth since warm)");
    for (service, at_start) in start {
        let warm = warm.get(service).copied().unwrap_or(0);
        let end = end.get(service).copied().unwrap_or(0);
        let growth = (end as f64 / warm.max(1) as f64 - 1.0) * 100.0;
        println!("  {service:<13} {at_start:>8} {warm:>8} {end:>8}  ({growth:+.1}%)");
    }
    println!();
}

/// Every answer that was not a success, and how the services came back from each fault.
fn report_failures(record: &Record, recoveries: &[(&'static str, Duration, Duration)]) {
    println!("answers that were not a success, by fault window, kind, status and problem type:");
    let failures = record.failures.lock().map(|f| f.clone()).unwrap_or_default();
    if failures.is_empty() {
        println!("  none");
    }
    let mut internal = 0;
    for ((window, kind, status, what), n) in &failures {
        if *status >= 500 && *status != 503 {
            internal += n;
        }
        println!("  {window:<24} {kind:<12} {status:>4} {what:<44} {n:>7}");
    }
    println!("answers with a status of 500 or above other than 503: {internal} (must be 0)");
    for (fault, lasted, back) in recoveries {
        println!(
            "{fault}: took {:.1} s; full service {:.1} s after it ended (last failing answer of any kind)",
            lasted.as_secs_f64(),
            back.as_secs_f64()
        );
    }
}
