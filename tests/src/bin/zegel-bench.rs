//! `just bench`: measures, in one run on this machine, what the seals issue asks for and
//! prints each figure next to its baseline. Every number printed is measured here; none
//! is assumed. The load generator runs in this process and shares the machine's cores
//! with the services, exactly as it does when it measures the nginx baseline. Because that
//! generator may itself be the limit (it was: nginx served 2.6 times more under wrk), the
//! baseline and the hot paths are also driven by wrk, installed by `just bench`, and each
//! ratio is printed both ways.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;

use serde_json::json;
use zegel_attest::{Register, Signer};
use zegel_e2e::{Options, Suite, valid_bsn};

const CONNECTIONS: usize = 64;
const SECONDS: u64 = 5;

#[derive(Default)]
struct Stats {
    requests: usize,
    errors: usize,
    per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    p999_ms: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Sends GETs to `urls` (round robin) from `CONNECTIONS` workers for `SECONDS`.
async fn load(client: &reqwest::Client, urls: Arc<Vec<String>>, expect: Option<&'static str>) -> Stats {
    drive(client, urls, expect, false, SECONDS).await
}

/// Sends one GET to each of `urls` from `CONNECTIONS` workers: every seal scanned once,
/// so nothing about it can have been remembered.
async fn load_once(client: &reqwest::Client, urls: Arc<Vec<String>>, expect: Option<&'static str>) -> Stats {
    drive(client, urls, expect, true, SECONDS).await
}

async fn drive(
    client: &reqwest::Client,
    urls: Arc<Vec<String>>,
    expect: Option<&'static str>,
    once: bool,
    seconds: u64,
) -> Stats {
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let workers = (0..CONNECTIONS).map(|_| {
        let (client, urls, next) = (client.clone(), urls.clone(), next.clone());
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline || once {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if once && i >= urls.len() {
                    break;
                }
                let url = &urls[i % urls.len()];
                let t = Instant::now();
                match client.get(url).send().await {
                    Ok(r) if r.status().is_success() => {
                        let body = r.bytes().await.unwrap_or_default();
                        if let Some(needle) = expect
                            && !body.windows(needle.len()).any(|w| w == needle.as_bytes())
                        {
                            errors += 1;
                        }
                    }
                    _ => errors += 1,
                }
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            (latencies, errors)
        })
    });
    let mut all = Vec::new();
    let mut errors = 0;
    for w in futures::future::join_all(workers).await {
        let (l, e) = w.expect("worker");
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    Stats {
        requests: all.len(),
        errors,
        per_sec: all.len() as f64 / elapsed,
        p50_ms: percentile(&all, 0.5),
        p99_ms: percentile(&all, 0.99),
        p999_ms: percentile(&all, 0.999),
    }
}

/// Sends `rate` POST /api/v1/agencies/{kvk}/receipts per second for `seconds`, open loop, and
/// measures each answer.
async fn steady(client: &reqwest::Client, lookup: &str, kvks: &[String], rate: u64, seconds: u64) -> Stats {
    steady_on(client, lookup, kvks, (rate, seconds), true).await
}

/// [`steady`], or with `receipts` false the plain check (GET …/check): nothing signed,
/// nothing stored, to tell the receipt's share of the tail from the check's.
async fn steady_on(
    client: &reqwest::Client,
    lookup: &str,
    kvks: &[String],
    (rate, seconds): (u64, u64),
    receipts: bool,
) -> Stats {
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut tasks = Vec::new();
    for i in 0..(rate * seconds) as usize {
        tick.tick().await;
        let kvk = &kvks[i % kvks.len()];
        let request = if receipts {
            client.post(format!("{lookup}/api/v1/agencies/{kvk}/receipts"))
        } else {
            client.get(format!("{lookup}/api/v1/agencies/{kvk}/check"))
        };
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let ok = match request.send().await {
                Ok(r) if r.status().is_success() => {
                    r.bytes().await.is_ok_and(|b| b.windows(8).any(|w| w == b"may_hire"))
                }
                _ => false,
            };
            (t.elapsed().as_secs_f64() * 1000.0, ok)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in futures::future::join_all(tasks).await {
        let (ms, ok) = t.expect("request task");
        latencies.push(ms);
        if !ok {
            errors += 1;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    Stats {
        requests: latencies.len(),
        errors,
        per_sec: latencies.len() as f64 / elapsed,
        p50_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
        p999_ms: percentile(&latencies, 0.999),
    }
}

/// `url` driven by wrk (2 threads, `CONNECTIONS` connections, `SECONDS`) with `headers`;
/// `None` when wrk is missing or its report cannot be read. A non-2xx answer is an error;
/// wrk does not look at bodies.
async fn wrk(url: &str, headers: &[&str]) -> Option<Stats> {
    let mut command = Command::new("wrk");
    command.args(["-t2", &format!("-c{CONNECTIONS}"), &format!("-d{SECONDS}s"), "--latency"]);
    for h in headers {
        command.args(["-H", h]);
    }
    command.arg(url);
    let out = tokio::task::spawn_blocking(move || command.output()).await.ok()?.ok()?;
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut stats = read_wrk(&report);
    if stats.is_none() {
        eprintln!(
            "wrk's report not read:
{report}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    if let Some(s) = &mut stats {
        s.errors += report
            .lines()
            .filter_map(|l| l.trim().strip_prefix("Non-2xx or 3xx responses:"))
            .map(|n| n.trim().parse::<usize>().unwrap_or(0))
            .sum::<usize>();
    }
    stats
}

/// The rate, request count and latency percentiles of wrk's `--latency` report.
fn read_wrk(report: &str) -> Option<Stats> {
    let field = |prefix: &str| report.lines().find_map(|l| l.trim().strip_prefix(prefix).map(str::trim));
    let ms = |v: &str| -> Option<f64> {
        let (number, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic())?);
        let n: f64 = number.parse().ok()?;
        Some(match unit {
            "us" => n / 1000.0,
            "ms" => n,
            "s" => n * 1000.0,
            _ => return None,
        })
    };
    let requests =
        report.lines().find_map(|l| l.trim().split_once(" requests in ").and_then(|(n, _)| n.parse().ok()))?;
    Some(Stats {
        requests,
        errors: 0,
        per_sec: field("Requests/sec:")?.parse().ok()?,
        p50_ms: ms(field("50%")?)?,
        p99_ms: ms(field("99%")?)?,
        // wrk reports no 99.9th percentile.
        p999_ms: f64::NAN,
    })
}

/// Runs nginx on a free port serving `body` as a static JSON file; `None` when nginx is missing.
fn nginx(body: &[u8]) -> Option<(Child, String, std::path::PathBuf)> {
    let dir = std::env::temp_dir().join(format!("zegel-bench-nginx-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("www")).ok()?;
    std::fs::write(dir.join("www/verdict.json"), body).ok()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
    // As root, nginx would switch its workers to a user that may not exist here.
    let user = if is_root() { "user root root;" } else { "" };
    let conf = format!(
        "{user}\nworker_processes 2;\ndaemon off;\npid {dir}/nginx.pid;\nerror_log {dir}/error.log;\nevents {{ worker_connections 4096; }}\n\
         http {{ access_log off; client_body_temp_path {dir}; proxy_temp_path {dir}; fastcgi_temp_path {dir}; uwsgi_temp_path {dir}; scgi_temp_path {dir};\n\
         keepalive_requests 1000000; server {{ listen 127.0.0.1:{port}; location / {{ root {dir}/www; default_type application/json; }} }} }}\n",
        dir = dir.display()
    );
    std::fs::write(dir.join("nginx.conf"), conf).ok()?;
    let child = Command::new("nginx")
        .args(["-c", &dir.join("nginx.conf").to_string_lossy(), "-p", &dir.to_string_lossy()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    for _ in 0..50 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some((child, format!("http://127.0.0.1:{port}/verdict.json"), dir));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0")).unwrap_or(false)
}

/// Operations per second of `f` on this thread for about two seconds.
fn rate(mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(2) {
        for _ in 0..100 {
            f();
        }
        n += 100;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// `each` seals of every agency in `bodies` (KvK number, its body's token), issued over
/// HTTP with 16 in flight (QR SVG + PNG rendered for each).
async fn issue_seals(suite: &Suite, bodies: &[(String, String)], each: usize) -> Vec<String> {
    futures::stream::iter(bodies.iter().flat_map(|(kvk, body)| (0..each).map(move |_| (kvk.clone(), body.clone()))))
        .map(|(kvk, body)| async move { suite.seal(&kvk, &body).await["seal"].as_str().expect("seal").to_string() })
        .buffer_unordered(16)
        .collect()
        .await
}

/// Fills the registers to national scale in bulk, behind the services' backs: 99,900 more
/// agencies (100,000 in all), each with a certificate — in force, but one in twenty revoked
/// and one in a hundred suspended, at random — and ten seals (999,000 more rows; their
/// tokens are filler, never scanned), an owner in the bans register, an adequate deposit,
/// an active G-account and a declaration in the housing register, so that the standing a
/// certificate seal's scan reads finds a row in every register. Seal ids are random (v4),
/// the worst case for the primary key's locality. Returns the seconds it took.
async fn national_scale(suite: &Suite) -> f64 {
    let started = Instant::now();
    suite
        .db
        .sql(
            "insert into certificates.agency (kvk_number, name, seat_country, sbi_codes, established_on)
               select (70000000 + g)::text, 'Bulk Flex ' || g, 'NL', '{7820}', date '2020-01-01'
               from generate_series(1, 99900) g;
             insert into certificates.certificate (certificate_id, kvk_number, certification_body_id, norm, status,
                                                   status_since, issued_on, probation_ends_on, certified_on, next_audit_due)
               select gen_random_uuid(), (70000000 + g)::text, 'cb-e2e', 'NEN 4400-1',
                      case when r < 0.05 then 'revoked' when r < 0.06 then 'suspended' else 'certified' end,
                      now(), date '2025-01-01', date '2025-04-01', date '2025-04-01', date '2027-04-01'
               from (select g, random() as r from generate_series(1, 99900) g) g;
             insert into certificates.seal (seal_id, certificate_id, kvk_number, token, kid, issued_at, expires_at, issued_by)
               select gen_random_uuid(), c.certificate_id, c.kvk_number, repeat('x', 340), 'bulk', now(),
                      now() + interval '1 year', 'bench'
               from certificates.certificate c cross join generate_series(1, 10) g
               where c.kvk_number >= '70000000';
             with p as (insert into bans.person (person_id, bsn_hash, name, date_of_birth)
                          select gen_random_uuid(), sha256(('bulk-owner-' || g)::bytea), 'Bulk Owner ' || g, date '1970-01-01'
                          from generate_series(1, 99900) g
                        returning person_id, name)
             insert into bans.officer (officer_id, kvk_number, person_id, role, from_on)
               select gen_random_uuid(), (70000000 + substr(p.name, 12)::int)::text, p.person_id, 'owner', date '2020-01-01'
               from p;
             insert into deposits.deposit_account (kvk_number, opened_on, adequate)
               select (70000000 + g)::text, date '2020-01-01', true from generate_series(1, 99900) g;
             insert into gaccounts.g_account (g_account_id, kvk_number, iban, bank, status, status_since)
               select gen_random_uuid(), (70000000 + g)::text, 'NL00BULK' || lpad(g::text, 10, '0'), 'Bulk', 'active', now()
               from generate_series(1, 99900) g;
             insert into housing.housing_declaration (kvk_number, houses_no_one, declared_by, declared_at)
               select (70000000 + g)::text, true, 'bench', now() from generate_series(1, 99900) g;",
        )
        .await;
    // Statistics for the planner, as autovacuum would make them in time.
    suite.db.sql("analyze certificates.agency").await;
    suite.db.sql("analyze certificates.certificate").await;
    suite.db.sql("analyze certificates.seal").await;
    for table in [
        "bans.person",
        "bans.officer",
        "deposits.deposit_account",
        "gaccounts.g_account",
        "housing.housing_declaration",
    ] {
        suite.db.sql(&format!("analyze {table}")).await;
    }
    started.elapsed().as_secs_f64()
}

fn main() -> anyhow::Result<()> {
    // The load generator gets its own runtime; each service runs on a two-worker runtime of its own.
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    println!("Zegel benchmark — {} — {cores} cores\n", chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"));
    let base = baselines()?;
    let (suite, client) = start_suite().await?;
    if std::env::var_os("ZEGEL_BENCH_REPLICA_ONLY").is_some() {
        return replica_only(&client).await;
    }
    // Seals: 100 certified agencies, 100 seals each, issued over HTTP with 16 in flight (QR
    // SVG + PNG rendered for each).
    let bodies = certified_agencies(&suite, 20_000_000, 100).await;
    if let Some(runs) = std::env::var("ZEGEL_BENCH_HIRER_RUNS").ok().and_then(|v| v.parse::<u32>().ok()) {
        return hirer_tail(&suite, &client, &bodies, runs).await;
    }
    let (seals, issuing_secs) = timed(issue_seals(&suite, &bodies, 100)).await;
    let issued_per_sec = seals.len() as f64 / issuing_secs;
    let verify_url = |s: &str| format!("{}/api/v1/verify/{s}", suite.lookup.address);
    let sample_body = client.get(verify_url(&seals[0])).send().await?.bytes().await?;
    let distinct_urls: Arc<Vec<String>> = Arc::new(seals.iter().map(|s| verify_url(s)).collect());
    if let Some(secs) = std::env::var("ZEGEL_BENCH_PROFILE_SECS").ok().and_then(|v| v.parse::<u64>().ok()) {
        return profile_window(&client, distinct_urls, secs).await;
    }
    // First every seal once (the lookup has checked none of their signatures), then again
    // and again for SECONDS (it remembers the signatures it checked; the status is read
    // live at every scan either way).
    let first = load_once(&client, distinct_urls.clone(), VALID).await;
    let postmaster = postmaster_of(&suite).await;
    let (again, on_primary) = measured(load(&client, distinct_urls, VALID), &postmaster).await;
    let scans = Scans { first, again, one: load(&client, Arc::new(vec![verify_url(&seals[0])]), VALID).await };
    let wrk_one = wrk(&verify_url(&seals[0]), &[]).await;
    let (nginx, wrk_nginx) = nginx_baseline(&client, &sample_body).await.map_or((None, None), |(n, w)| (Some(n), w));
    let (building_page, wrk_building) = building_page(&suite).await?;
    // The hirer check at a steady 500 requests per second (open loop: a request is sent
    // every 2 ms whatever the answers do), each with a signed, stored receipt. The rest in
    // the order listed: each phase measured alone.
    let check_kvks: Vec<String> = bodies.iter().map(|(kvk, _)| kvk.clone()).collect();
    let figures = Figures {
        sample_bytes: sample_body.len(),
        seals: seals.len(),
        scans,
        nginx,
        building_page,
        wrk: Wrk { nginx: wrk_nginx, one: wrk_one, building: wrk_building },
        hirer_check: steady(&client, &suite.lookup.address, &check_kvks, 500, 10).await,
        issued_per_sec,
        scale: at_national_scale(&suite, &client, &bodies).await?,
        spread: spread_list(&base.signer, &suite.lookup.address, base.now)?,
        webhook_ms: webhook_latency(&suite, &client).await?,
        visible_ms: revocation_visibility(&suite).await,
        ban_ms: ban_to_suspended(&suite).await,
        claims: claims_race(&suite, &client).await,
        capacity: (on_primary, replica_capacity(&client).await?),
        base,
    };
    print_scans(&figures);
    print_scale(&figures);
    print_targets(&figures);
    print_capacity(&figures.scans.again, &figures.capacity);
    Ok(())
}

const VALID: Option<&str> = Some("\"verdict\":\"valid\"");

/// The one-core baselines, and the signer and time the rest uses.
struct Baselines {
    raw: f64,
    /// Whole offline seal checks per second.
    offline: f64,
    signer: Signer,
    now: i64,
}

struct Scans {
    first: Stats,
    again: Stats,
    one: Stats,
}

/// The same scans at national scale, and the status list built there.
struct Scale {
    seeded_secs: f64,
    seal_rows: i64,
    scans: Scans,
    list: zegel_lookup::published::Published,
}

/// The baseline and the hot paths as wrk drives them (`None`: wrk missing or unread).
struct Wrk {
    nginx: Option<Stats>,
    one: Option<Stats>,
    building: Option<Stats>,
}

struct Claims {
    per_sec: f64,
    paid: usize,
    violations: usize,
}

struct Figures {
    base: Baselines,
    sample_bytes: usize,
    seals: usize,
    scans: Scans,
    nginx: Option<Stats>,
    building_page: Stats,
    wrk: Wrk,
    hirer_check: Stats,
    issued_per_sec: f64,
    scale: Scale,
    /// The spread list: bytes signed, and milliseconds to compress and sign.
    spread: (usize, f64),
    webhook_ms: Vec<f64>,
    /// Revocation visible at the lookup (ms, sorted), and the most polls one needed.
    visible_ms: (Vec<f64>, usize),
    ban_ms: Vec<f64>,
    claims: Claims,
    /// Seals scanned again and again: on the primary alone (CPU of the lookup and the
    /// server), and on a suite whose lookup reads a streaming replica.
    capacity: (Cpu, Replicated),
}

/// CPU seconds a phase used: the lookup's threads, this whole process (the load generator
/// and every service), and each Postgres server measured (the primary, the replica).
#[derive(Default)]
struct Cpu {
    requests: usize,
    lookup: f64,
    process: f64,
    servers: Vec<f64>,
}

/// The replica's phase: its scans, their CPU (primary, then replica), where the reads went.
struct Replicated {
    scans: Stats,
    cpu: Cpu,
    /// Reads by where they went in the measured phase: replica, lagging, unreachable, not
    /// in recovery (the last three read the primary).
    tally: [u64; 4],
}

/// Baselines on one core: raw Ed25519 verify (ed25519-dalek through jsonwebtoken, the
/// library the seals use) and a whole offline seal check.
fn baselines() -> anyhow::Result<Baselines> {
    let pki = zegel_testkit::pki();
    let (key, cert) = pki.signer_paths(Register::Certificates);
    let signer =
        Signer::from_pem(Register::Certificates, &std::fs::read_to_string(&key)?, &std::fs::read_to_string(&cert)?)?;
    let now = chrono::Utc::now().timestamp();
    let sample = signer.issue("12345678", uuid::Uuid::now_v7(), now, now + 3600, BTreeMap::new())?;
    let (signing_input, signature) = sample.rsplit_once('.').expect("jws");
    let cert_pem = std::fs::read_to_string(&cert)?;
    let (store, _) = zegel_attest::TrustStore::from_certs(
        &pki.ca.cert_pem,
        &[zegel_attest::trust::entry(Register::Certificates, &cert_pem)?],
        now,
    )?;
    let kid = jsonwebtoken::decode_header(&sample)?.kid.expect("kid");
    let dkey = store.keys(&kid)[0].key.clone();
    let raw = rate(|| {
        let ok =
            jsonwebtoken::crypto::verify(signature, signing_input.as_bytes(), &dkey, jsonwebtoken::Algorithm::EdDSA)
                .unwrap_or(false);
        assert!(ok);
    });
    let offline = rate(|| {
        assert!(zegel_attest::seal::verify(&sample, &store, now).is_ok());
    });
    Ok(Baselines { raw, offline, signer, now })
}

/// The suite, every service on a two-worker runtime, and a client for it.
async fn start_suite() -> anyhow::Result<(Suite, reqwest::Client)> {
    let suite = Suite::start_with(Options {
        rate_per_minute: Some(u32::MAX / 2),
        pool_size: Some(16),
        threads: Some(2),
        // To compare: ZEGEL_BENCH_STATUS_BATCH=1 reads each scan's status alone.
        status_batch: std::env::var("ZEGEL_BENCH_STATUS_BATCH").ok().and_then(|v| v.parse().ok()),
        status_readers: std::env::var("ZEGEL_BENCH_STATUS_READERS").ok().and_then(|v| v.parse().ok()),
        // To compare: ZEGEL_BENCH_STATUS_LIST_SECS=86400 keeps the lists from being made
        // again while the load runs (the first is made at start).
        status_list_secs: std::env::var("ZEGEL_BENCH_STATUS_LIST_SECS").ok().and_then(|v| v.parse().ok()),
        ..Options::default()
    })
    .await;
    let client =
        reqwest::Client::builder().pool_max_idle_per_host(CONNECTIONS).timeout(Duration::from_secs(10)).build()?;
    Ok((suite, client))
}

/// `count` certified agencies numbered from `from`, with their bodies' tokens.
async fn certified_agencies(suite: &Suite, from: u32, count: u32) -> Vec<(String, String)> {
    let mut bodies = Vec::new();
    for i in 0..count {
        let kvk = format!("{:08}", from + i);
        let (body, _) = suite.certified(&kvk).await;
        bodies.push((kvk, body));
    }
    bodies
}

/// Only distinct-seal scans, long enough for a sampling profiler (`just profile`); `perf
/// record --control fifo:…` samples only this window (not the seals' issue).
async fn profile_window(client: &reqwest::Client, urls: Arc<Vec<String>>, secs: u64) -> anyhow::Result<()> {
    println!("profile window: {secs} s of distinct-seal scans");
    let control = std::env::var("ZEGEL_BENCH_PERF_CONTROL").ok();
    let tell = |word: &str| {
        if let Some(path) = &control {
            let _ = std::fs::write(path, format!("{word}\n"));
        }
    };
    tell("enable");
    let stats = drive(client, urls, VALID, false, secs).await;
    tell("disable");
    println!("{:.0} scans/s, p99 {:.2} ms, {} errors", stats.per_sec, stats.p99_ms, stats.errors);
    Ok(())
}

/// Only the hirer check at 500/s, `runs` times with and without receipts, each run with
/// what the server did meanwhile: the lookup's own latency histogram for the route (is the
/// tail the server's or the client's?) and Postgres' checkpoints and WAL writes.
async fn hirer_tail(
    suite: &Suite,
    client: &reqwest::Client,
    bodies: &[(String, String)],
    runs: u32,
) -> anyhow::Result<()> {
    let kvks: Vec<String> = bodies.iter().map(|(kvk, _)| kvk.clone()).collect();
    let server = || async {
        let checkpoints: i64 = suite.db.value("select checkpoints_timed + checkpoints_req from pg_stat_bgwriter").await;
        let syncs: i64 = suite.db.value("select wal_sync from pg_stat_wal").await;
        (checkpoints, syncs)
    };
    let postmaster = postmaster_of(suite).await;
    for run in 0..runs {
        for receipts in [false, true] {
            let (checkpoints, syncs) = server().await;
            let over = slow_answers(suite);
            let (s, cpu) =
                measured(steady_on(client, &suite.lookup.address, &kvks, (500, 10), receipts), &postmaster).await;
            let (checkpoints_after, syncs_after) = server().await;
            let over_after = slow_answers(suite);
            println!(
                "run {run} {:<8} p50 {:>6.2} ms p99 {:>7.2} ms p99.9 {:>7.2} ms | lookup answers over 10/25/50 ms: {:?} | checkpoints {} WAL syncs {} | errors {} | CPU per check: lookup {:.3} ms, Postgres {:.3} ms",
                if receipts { "receipt" } else { "check" },
                s.p50_ms,
                s.p99_ms,
                s.p999_ms,
                over_after.iter().zip(&over).map(|(a, b)| a - b).collect::<Vec<_>>(),
                checkpoints_after - checkpoints,
                syncs_after - syncs,
                s.errors,
                cpu.lookup * 1000.0 / s.requests as f64,
                cpu.servers.first().map_or(f64::NAN, |p| p * 1000.0 / s.requests as f64)
            );
        }
    }
    Ok(())
}

/// How many of the lookup's answers (all routes) took longer than 10, 25 and 50 ms, from
/// its own histogram.
fn slow_answers(suite: &Suite) -> Vec<f64> {
    let text = suite.lookup.state.core.metrics.render();
    let (mut total, mut under) = (0.0, [0.0; 3]);
    for line in text.lines().filter(|l| l.contains("http_request_duration_seconds_")) {
        let Some(value) = line.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()) else { continue };
        if line.contains("_count") {
            total += value;
        }
        for (i, le) in ["le=\"0.01\"", "le=\"0.025\"", "le=\"0.05\""].iter().enumerate() {
            if line.contains(le) {
                under[i] += value;
            }
        }
    }
    under.iter().map(|u| total - u).collect()
}

/// Only the replica's phase (`ZEGEL_BENCH_REPLICA_ONLY`).
async fn replica_only(client: &reqwest::Client) -> anyhow::Result<()> {
    print_capacity(&Stats::default(), &(Cpu::default(), replica_capacity(client).await?));
    Ok(())
}

/// What `work` gives, and the seconds it took.
async fn timed<T>(work: impl std::future::Future<Output = T>) -> (T, f64) {
    let started = Instant::now();
    let done = work.await;
    (done, started.elapsed().as_secs_f64())
}

/// The pids of the postmasters of the suite's server (found from its data directory:
/// the bench runs on the machine that runs it; none otherwise).
async fn postmaster_of(suite: &Suite) -> Vec<u32> {
    let data: String = suite.db.value("select setting from pg_settings where name = 'data_directory'").await;
    zegel_e2e::cpu::postmaster_of(std::path::Path::new(&data)).into_iter().collect()
}

/// Runs `phase` and measures the CPU it used: the lookup's threads, this process, and the
/// servers of `postmasters`.
async fn measured(phase: impl std::future::Future<Output = Stats>, postmasters: &[u32]) -> (Stats, Cpu) {
    let now = || {
        use zegel_e2e::cpu;
        (
            cpu::threads_named("lookup"),
            cpu::this_process(),
            postmasters.iter().map(|p| cpu::server(*p)).collect::<Vec<_>>(),
        )
    };
    let (lookup, process, servers) = now();
    let stats = phase.await;
    let (lookup_after, process_after, servers_after) = now();
    let cpu = Cpu {
        requests: stats.requests,
        lookup: lookup_after - lookup,
        process: process_after - process,
        servers: servers_after.iter().zip(&servers).map(|(a, b)| a - b).collect(),
    };
    (stats, cpu)
}

/// A second suite on a private primary with a streaming standby, its lookup reading the
/// standby (fenced, `lookup::replica`): 2,000 seals of 20 agencies scanned once, then
/// again and again while the CPU of the lookup, the primary and the standby is measured.
/// The private servers run with `fsync=off` (the test kit's); reads do not fsync.
async fn replica_capacity(client: &reqwest::Client) -> anyhow::Result<Replicated> {
    let pair = zegel_testkit::Streaming::start();
    let suite = Suite::start_with(Options {
        rate_per_minute: Some(u32::MAX / 2),
        pool_size: Some(16),
        threads: Some(2),
        database_server: Some(pair.primary_admin_url()),
        replica: Some((pair.standby_admin_url(), Duration::from_millis(100))),
        ..Options::default()
    })
    .await;
    let bodies = certified_agencies(&suite, 21_000_000, 20).await;
    let seals = issue_seals(&suite, &bodies, 100).await;
    let urls: Arc<Vec<String>> =
        Arc::new(seals.iter().map(|s| format!("{}/api/v1/verify/{s}", suite.lookup.address)).collect());
    let _ = load_once(client, urls.clone(), VALID).await;
    let (primary, standby) = pair.data_dirs();
    let postmasters: Vec<u32> = [primary, standby].iter().filter_map(|d| zegel_e2e::cpu::postmaster_of(d)).collect();
    let before = suite.lookup.state.fresh.tally();
    let (scans, cpu) = measured(load(client, urls, VALID), &postmasters).await;
    let after = suite.lookup.state.fresh.tally();
    let tally = [
        after.replica - before.replica,
        after.lagging - before.lagging,
        after.unreachable - before.unreachable,
        after.not_in_recovery - before.not_in_recovery,
    ];
    Ok(Replicated { scans, cpu, tally })
}

/// nginx serving the same answer bytes, when it is installed: driven by this bench's
/// client, and by wrk.
async fn nginx_baseline(client: &reqwest::Client, body: &[u8]) -> Option<(Stats, Option<Stats>)> {
    let (mut child, url, dir) = nginx(body)?;
    let s = (load(client, Arc::new(vec![url.clone()]), None).await, wrk(&url, &[]).await);
    // TERM, not KILL: a killed master leaves its workers running.
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(dir);
    Some(s)
}

/// The building page at the door: HTML for one hot building, the language negotiated from
/// the phone's Accept-Language (Polish), live status read per request.
async fn building_page(suite: &Suite) -> anyhow::Result<(Stats, Option<Stats>)> {
    let building_seal = suite.certified_building("77001122", "0983010000009999").await;
    let mut phone_headers = reqwest::header::HeaderMap::new();
    phone_headers
        .insert(reqwest::header::ACCEPT_LANGUAGE, reqwest::header::HeaderValue::from_static("pl-PL,pl;q=0.9,en;q=0.5"));
    let phone = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .timeout(Duration::from_secs(10))
        .default_headers(phone_headers)
        .build()?;
    let building_url = format!("{}/v/{building_seal}", suite.lookup.address);
    let ours = load(&phone, Arc::new(vec![building_url.clone()]), Some("Ważny")).await;
    Ok((ours, wrk(&building_url, &["Accept-Language: pl-PL,pl;q=0.9,en;q=0.5"]).await))
}

/// The same scans with the certificates register at national scale: 1,009,000 seals of
/// 100,000 agencies. Fresh seals for the first scans (the lookup remembers the signatures
/// of the first ten thousand). And the certificates register's status list there, as the
/// lookup's publication makes it: every seal read with its status, the standing of every
/// sealed agency judged, compressed and signed.
async fn at_national_scale(
    suite: &Suite,
    client: &reqwest::Client,
    bodies: &[(String, String)],
) -> anyhow::Result<Scale> {
    let seeded_secs = national_scale(suite).await;
    let seal_rows: i64 = suite.db.value("select count(*) from certificates.seal").await;
    let fresh = issue_seals(suite, bodies, 100).await;
    let verify_url = |s: &str| format!("{}/api/v1/verify/{s}", suite.lookup.address);
    let fresh_urls: Arc<Vec<String>> = Arc::new(fresh.iter().map(|s| verify_url(s)).collect());
    let scans = Scans {
        first: load_once(client, fresh_urls.clone(), VALID).await,
        again: load(client, fresh_urls, VALID).await,
        one: load(client, Arc::new(vec![verify_url(&fresh[0])]), VALID).await,
    };
    let list = zegel_lookup::status_lists::build(&suite.lookup.state, Register::Certificates).await?;
    Ok(Scale { seeded_secs, seal_rows, scans, list })
}

/// The spread the size target is about: 1,000,000 seals, 5 % revoked and 1 % suspended at
/// random (a pattern DEFLATE cannot fold away), compressed and signed: its bytes and the
/// milliseconds it took.
fn spread_list(signer: &Signer, lookup: &str, now: i64) -> anyhow::Result<(usize, f64)> {
    let spread_started = Instant::now();
    let mut spread = zegel_attest::status::StatusList::new(1_000_000);
    let mut x: u64 = 18;
    for i in 0..1_000_000 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        match (x >> 33) % 100 {
            0..=4 => spread.set(i, zegel_attest::status::Status::Invalid),
            5 => spread.set(i, zegel_attest::status::Status::Suspended),
            _ => {}
        }
    }
    let spread_token = signer.status_list(
        Register::Certificates,
        &zegel_attest::status::uri(lookup, Register::Certificates),
        &spread,
        (now, 60, now + 3600),
    )?;
    Ok((spread_token.len(), spread_started.elapsed().as_secs_f64() * 1000.0))
}

/// Revocation → the subscribed hirer's webhook received, for 50 agencies (ms, sorted).
async fn webhook_latency(suite: &Suite, client: &reqwest::Client) -> anyhow::Result<Vec<f64>> {
    let receiver = zegel_testkit::Receiver::start().await;
    let hooked: Vec<(String, String, String)> = {
        let mut v = Vec::new();
        for i in 0..50 {
            let kvk = format!("{:08}", 60_000_000 + i);
            let (body, id) = suite.certified(&kvk).await;
            v.push((kvk, body, id));
        }
        v
    };
    let hirer = suite.token(platform::auth::Role::Hirer, Some("12121212"));
    client
        .post(format!("{}/api/v1/subscriptions", suite.notifier.address))
        .bearer_auth(&hirer)
        .json(&json!({"url": receiver.url, "agencies": hooked.iter().map(|h| h.0.clone()).collect::<Vec<_>>()}))
        .send()
        .await?;
    let mut webhook_ms = Vec::new();
    for (kvk, body, id) in &hooked {
        let t = Instant::now();
        suite
            .certs_post(
                &format!("/api/v1/certificates/{id}/revocation"),
                body,
                json!({"reason": "bench", "grounds": "other"}),
            )
            .await;
        let needle = format!("\"agencies\":[\"{kvk}\"]");
        let got = receiver
            .wait_until(|r| {
                r.iter().any(|w| {
                    let b = String::from_utf8_lossy(&w.body);
                    b.contains("certificate.revoked") && b.contains(&needle)
                })
            })
            .await;
        let arrived = got
            .iter()
            .find(|w| {
                let b = String::from_utf8_lossy(&w.body);
                b.contains("certificate.revoked") && b.contains(&needle)
            })
            .map(|w| w.at)
            .unwrap_or_else(Instant::now);
        webhook_ms.push(arrived.saturating_duration_since(t).as_secs_f64() * 1000.0);
    }
    webhook_ms.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    Ok(webhook_ms)
}

/// Revocation visibility: revoke, then ask the lookup until it says revoked, for 200
/// agencies (ms, sorted; and the most polls one needed).
async fn revocation_visibility(suite: &Suite) -> (Vec<f64>, usize) {
    let mut visible_ms = Vec::new();
    let mut max_polls = 0;
    let revocations: Vec<(String, String, String)> = {
        let mut v = Vec::new();
        for i in 0..200 {
            let kvk = format!("{:08}", 30_000_000 + i);
            let (body, id) = suite.certified(&kvk).await;
            let seal = suite.seal(&kvk, &body).await["seal"].as_str().expect("seal").to_string();
            v.push((body, id, seal));
        }
        v
    };
    for (body, id, seal) in &revocations {
        let t = Instant::now();
        suite
            .certs_post(
                &format!("/api/v1/certificates/{id}/revocation"),
                body,
                json!({"reason": "bench", "grounds": "other"}),
            )
            .await;
        let mut polls = 0;
        loop {
            polls += 1;
            if suite.verify(seal).await["verdict"] == "revoked" {
                break;
            }
            assert!(polls < 10_000, "never revoked");
        }
        max_polls = max_polls.max(polls);
        visible_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    visible_ms.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    (visible_ms, max_polls)
}

/// Ban to suspended seal: record a ban on a director, then ask the lookup until the
/// agency's seal says suspended (bans → outbox → Redis → certificates → lookup), for 100
/// agencies (ms, sorted).
async fn ban_to_suspended(suite: &Suite) -> Vec<f64> {
    let kvk_token = suite.token(platform::auth::Role::Kvk, None);
    let inspectorate = suite.token(platform::auth::Role::Inspectorate, None);
    let mut ban_ms = Vec::new();
    for i in 0..100u32 {
        let kvk = format!("{:08}", 40_000_000 + i);
        let (body, _) = suite.certified(&kvk).await;
        let seal = suite.seal(&kvk, &body).await["seal"].as_str().expect("seal").to_string();
        let bsn = valid_bsn(100_000_000 + i * 10_000);
        let officers = json!({"officers": [{"bsn": bsn, "name": "Bench Director", "date_of_birth": "1970-01-01", "role": "director", "from": "2020-01-01"}]});
        suite.bans_call(reqwest::Method::PUT, &format!("/api/v1/agencies/{kvk}/officers"), &kvk_token, officers).await;
        let t = Instant::now();
        let ban = json!({"bsn": bsn, "basis": "administrative", "roles_covered": ["director"], "starts_on": "2026-01-01", "reason": "bench"});
        suite.bans_call(reqwest::Method::POST, "/api/v1/bans", &inspectorate, ban).await;
        loop {
            if suite.verify(&seal).await["verdict"] == "suspended" {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(30), "never suspended");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        ban_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ban_ms.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    ban_ms
}

/// Claims against one deposit: 32 clients each file a claim and pay it out, for SECONDS;
/// then the ledger invariant is checked.
async fn claims_race(suite: &Suite, client: &reqwest::Client) -> Claims {
    let deposit_kvk = "50000000";
    for _ in 0..5 {
        suite.deposit_pay(deposit_kvk, 1_000_000_000).await;
    }
    let inspectorate_token = suite.token(platform::auth::Role::Inspectorate, None);
    let nau = suite.token(platform::auth::Role::AdmissionAuthority, None);
    let claims_started = Instant::now();
    let claim_deadline = claims_started + Duration::from_secs(SECONDS);
    let workers = (0..32).map(|w| {
        let (client, deposits, inspectorate_token, nau) =
            (client.clone(), suite.deposits.address.clone(), inspectorate_token.clone(), nau.clone());
        tokio::spawn(async move {
            let mut done = 0usize;
            let mut n = 0usize;
            while Instant::now() < claim_deadline {
                n += 1;
                let filed: serde_json::Value = match client
                    .post(format!("{deposits}/api/v1/agencies/{deposit_kvk}/deposit/claims"))
                    .bearer_auth(&inspectorate_token)
                    .header("idempotency-key", format!("bench-claim-{w}-{n}"))
                    .json(&json!({"claim_type": "damages", "amount_cents": 100, "description": "bench"}))
                    .send()
                    .await
                {
                    Ok(r) => r.json().await.unwrap_or_default(),
                    Err(_) => continue,
                };
                let Some(id) = filed["claim_id"].as_str() else { continue };
                let paid = client
                    .post(format!("{deposits}/api/v1/claims/{id}/payout"))
                    .bearer_auth(&nau)
                    .header("idempotency-key", format!("bench-{w}-{n}"))
                    .send()
                    .await;
                if paid.is_ok_and(|r| r.status().is_success()) {
                    done += 1;
                }
            }
            done
        })
    });
    let paid_claims: usize = futures::future::join_all(workers).await.into_iter().map(|r| r.unwrap_or(0)).sum();
    let claims_per_sec = paid_claims as f64 / claims_started.elapsed().as_secs_f64();
    let (payouts, mut violations) = suite.ledger_violations(deposit_kvk).await.expect("the ledger reads");
    if payouts != paid_claims {
        violations += 1;
    }
    Claims { per_sec: claims_per_sec, paid: paid_claims, violations }
}

fn print_scans(f: &Figures) {
    let row = |name: &str, s: &Stats| {
        println!("{:<58} {:>12.0} {:>9.2} {:>9.2}", name, s.per_sec, s.p50_ms, s.p99_ms);
    };
    println!("{:<58} {:>12} {:>9} {:>9}", "measure", "per second", "p50 ms", "p99 ms");
    println!("{}", "-".repeat(92));
    println!("{:<58} {:>12.0}", "baseline: raw Ed25519 verify, 1 core (jsonwebtoken/dalek)", f.base.raw);
    println!("{:<58} {:>12.0}", "baseline: offline seal check (attest::verify), 1 core", f.base.offline);
    match &f.nginx {
        Some(s) => row(&format!("baseline: nginx static JSON ({} B), {CONNECTIONS} conns", f.sample_bytes), s),
        None => println!("{:<58} {:>12}", "baseline: nginx static JSON", "nginx missing"),
    }
    row(&format!("(a) verify over HTTP, {} distinct seals, each once", f.seals), &f.scans.first);
    row(&format!("(a) verify over HTTP, {} distinct seals, again and again", f.seals), &f.scans.again);
    row("(b) verify over HTTP, one seal scanned over and over", &f.scans.one);
    row("(c) building page HTML, hot building, Accept-Language: pl", &f.building_page);
    row("(d) hirer check at a steady 500/s, receipt signed + stored", &f.hirer_check);
    println!("driven by wrk (2 threads, {CONNECTIONS} connections, {SECONDS} s) instead of this bench's client:");
    for (name, s) in [
        ("baseline: nginx static JSON, under wrk", &f.wrk.nginx),
        ("(b) one seal over and over, under wrk", &f.wrk.one),
        ("(c) building page HTML, under wrk", &f.wrk.building),
    ] {
        match s {
            Some(s) => row(name, s),
            None => println!("{name:<58} {:>12}", "wrk missing"),
        }
    }
    println!("{:<58} {:>12.0}", "seals issued over HTTP incl. QR (SVG+PNG), 16 in flight", f.issued_per_sec);
    println!();
}

/// The same scans at national scale, against the figures at 10,000 seals; the lists.
fn print_scale(f: &Figures) {
    let (scale, raw) = (&f.scale, f.base.raw);
    println!(
        "at national scale: {} seals of 100,000 agencies in the certificates register, every agency in the other registers too (seeded in {:.0} s)",
        scale.seal_rows, scale.seeded_secs
    );
    let change = |at: &Stats, small: &Stats| (at.per_sec / small.per_sec - 1.0) * 100.0;
    for (name, at, small) in [
        ("(a) 10,000 fresh distinct seals, each once", &scale.scans.first, &f.scans.first),
        ("(a) the same seals, again and again", &scale.scans.again, &f.scans.again),
        ("(b) one seal over and over", &scale.scans.one, &f.scans.one),
    ] {
        println!(
            "{:<58} {:>12.0} {:>9.2} {:>9.2}   {:+.1}% vs 10,000 seals",
            name,
            at.per_sec,
            at.p50_ms,
            at.p99_ms,
            change(at, small)
        );
    }
    println!(
        "(a) / raw at scale: {:.1}% once, {:.1}% again; (b) / nginx at scale: {}",
        scale.scans.first.per_sec / raw * 100.0,
        scale.scans.again.per_sec / raw * 100.0,
        f.nginx.as_ref().map(|n| format!("{:.1}%", scale.scans.one.per_sec / n.per_sec * 100.0)).unwrap_or("-".into())
    );
    println!(
        "status list of the certificates register at scale: {} seals ({} not valid), {} bytes signed, built in {} ms, of which {} ms until the standing of every sealed agency was read and judged (then every seal read, judged, compressed, signed)",
        scale.list.seals,
        scale.list.not_valid,
        scale.list.token.len(),
        scale.list.build_ms,
        scale.list.standings_ms
    );
    println!(
        "status list of 1,000,000 seals, 6% not valid at random: {} bytes signed (target ≤ 150 KB = 153,600 bytes), compressed and signed in {:.0} ms",
        f.spread.0, f.spread.1
    );
    println!();
}

/// Each figure against its target, and the end-to-end latencies.
fn print_targets(f: &Figures) {
    let raw = f.base.raw;
    println!(
        "(a) / raw single-core verify rate: {:>6.1}% scanned once, {:>6.1}% scanned again  (target ≥ 70%)",
        f.scans.first.per_sec / raw * 100.0,
        f.scans.again.per_sec / raw * 100.0
    );
    // Each ratio both ways: both sides driven by this bench's client, and both by wrk.
    let ratio = |ours: &Stats, theirs: &Option<Stats>| {
        theirs.as_ref().map_or("-".to_string(), |t| format!("{:.1}%", ours.per_sec / t.per_sec * 100.0))
    };
    let by_wrk = |ours: &Option<Stats>| ours.as_ref().map_or("-".to_string(), |o| ratio(o, &f.wrk.nginx));
    println!(
        "(b) / nginx static JSON:           {:>6} by this bench's client, {:>6} by wrk  (target ≥ 50%)",
        ratio(&f.scans.one, &f.nginx),
        by_wrk(&f.wrk.one)
    );
    println!(
        "(c) / nginx static JSON:           {:>6} by this bench's client, {:>6} by wrk  (target ≥ 35%)",
        ratio(&f.building_page, &f.nginx),
        by_wrk(&f.wrk.building)
    );
    let p = |ms: &[f64], q: f64| percentile(ms, q);
    println!(
        "revocation visible at the lookup ({} revocations): p50 {:.2} ms, p99 {:.2} ms (target p99 < 50 ms); polls needed at most: {}",
        f.visible_ms.0.len(),
        p(&f.visible_ms.0, 0.5),
        p(&f.visible_ms.0, 0.99),
        f.visible_ms.1
    );
    println!(
        "(d) hirer check p99 {:.2} ms (target < 20 ms), p99.9 {:.2} ms, {} requests, {} errors",
        f.hirer_check.p99_ms, f.hirer_check.p999_ms, f.hirer_check.requests, f.hirer_check.errors
    );
    println!(
        "revocation → subscribed hirer's webhook received ({} revocations): p50 {:.2} ms, p99 {:.2} ms",
        f.webhook_ms.len(),
        p(&f.webhook_ms, 0.5),
        p(&f.webhook_ms, 0.99)
    );
    println!(
        "claims filed and paid out against one deposit, 32 clients: {:.0}/s ({} payouts); ledger invariant violations: {}",
        f.claims.per_sec, f.claims.paid, f.claims.violations
    );
    println!(
        "ban recorded → agency's seal suspended at the lookup ({} bans): p50 {:.2} ms, p99 {:.2} ms",
        f.ban_ms.len(),
        p(&f.ban_ms, 0.5),
        p(&f.ban_ms, 0.99)
    );
    println!(
        "requests: (a) {} with {} errors, (b) {} with {} errors, (c) {} with {} errors",
        f.scans.again.requests + f.scans.first.requests,
        f.scans.again.errors + f.scans.first.errors,
        f.scans.one.requests,
        f.scans.one.errors,
        f.building_page.requests,
        f.building_page.errors
    );
}

/// Scans per CPU-second of the lookup and of each server: the capacity model's inputs
/// (docs/PERFORMANCE.md).
fn print_capacity(again: &Stats, (primary_only, replicated): &(Cpu, Replicated)) {
    let per = |cpu: &Cpu, seconds: f64| if seconds > 0.0 { cpu.requests as f64 / seconds } else { f64::NAN };
    println!();
    println!(
        "capacity, seals scanned again and again ({SECONDS} s): on the primary alone {:.0}/s — {:.0} scans per CPU-second of the lookup, {:.0} of Postgres; this process (load generator and all services) used {:.2} CPU-s",
        again.per_sec,
        per(primary_only, primary_only.lookup),
        per(primary_only, primary_only.servers.first().copied().unwrap_or(f64::NAN)),
        primary_only.process
    );
    let cpu = &replicated.cpu;
    println!(
        "  reading a streaming replica: {:.0}/s ({} errors) — {:.0} scans per CPU-second of the lookup, {:.0} of the replica, {:.0} of the primary (the fences); statement reads by the replica {}, by the primary {} (lagging {}, unreachable {}, not in recovery {})",
        replicated.scans.per_sec,
        replicated.scans.errors,
        per(cpu, cpu.lookup),
        per(cpu, cpu.servers.get(1).copied().unwrap_or(f64::NAN)),
        per(cpu, cpu.servers.first().copied().unwrap_or(f64::NAN)),
        replicated.tally[0],
        replicated.tally[1..].iter().sum::<u64>(),
        replicated.tally[1],
        replicated.tally[2],
        replicated.tally[3]
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report as wrk 4.1 prints it with `--latency`.
    const REPORT: &str = "Running 2s test @ http://127.0.0.1:18777/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    20.77ms   10.21ms  56.51ms   68.78%
    Req/Sec   144.05     59.25   330.00     70.00%
  Latency Distribution
     50%  790.00us
     75%   26.46ms
     90%   35.32ms
     99%    1.02s
  582 requests in 2.03s, 2.18MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    286.91
Transfer/sec:      1.07MB
";

    #[test]
    fn wrk_s_report_is_read_in_milliseconds() {
        let s = read_wrk(REPORT).expect("read");
        assert_eq!((s.requests, s.per_sec), (582, 286.91));
        assert!((s.p50_ms - 0.79).abs() < 1e-9 && (s.p99_ms - 1020.0).abs() < 1e-9, "{} {}", s.p50_ms, s.p99_ms);
        assert!(read_wrk("connection refused").is_none());
    }
}
