//! The suite reaches Postgres and Redis over TLS when their URLs ask for it, verifying the
//! servers against a configured CA: this test starts a private Postgres that accepts TLS
//! connections only and a Redis that speaks TLS only, both with certificates from a CA made
//! here, and runs the bans register against them.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use platform::auth::Role;
use platform::clock::Clock;
use platform::shell::{App, Settings};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, PKCS_ECDSA_P256_SHA256};
use serde_json::json;
use zegel_bans::Bans;
use zegel_testkit::{Client, TestPrefix};

type Own = <Bans as platform::shell::Service>::Own;

/// A directory removed when dropped (after the servers in it have stopped).
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const REDIS_PASSWORD: &str = "p@ss:w/rd";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false)
}

/// Postgres and initdb refuse to run as root: as root, run them as the postgres user.
fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

/// A CA and a server certificate for 127.0.0.1 and localhost, in `dir`.
struct Pki {
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
    other_ca: PathBuf,
}

fn pki(dir: &Path) -> Pki {
    let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("ca key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = params.self_signed(&ca_key).expect("ca");
    let issuer = Issuer::from_ca_cert_pem(&ca.pem(), ca_key).expect("issuer");
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("key");
    let cert = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .expect("params")
        .signed_by(&key, &issuer)
        .expect("server cert");
    let other_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("other key");
    let other = params.self_signed(&other_key).expect("other ca");
    let write = |name: &str, pem: String| {
        let path = dir.join(name);
        std::fs::write(&path, pem).expect("write pem");
        path
    };
    Pki {
        ca: write("ca.crt", ca.pem()),
        cert: write("server.crt", cert.pem()),
        key: write("server.key", key.serialize_pem()),
        other_ca: write("other-ca.crt", other.pem()),
    }
}

/// A private Postgres in `dir` that accepts TCP connections over TLS only; stopped and
/// removed when dropped.
struct TlsPostgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
}

impl TlsPostgres {
    fn start(dir: &Path, pki: &Pki) -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("Postgres installed under /usr/lib/postgresql")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|p| p.join("initdb").exists())
            .max()
            .expect("a Postgres version with initdb");
        let data = dir.join("pgdata");
        std::fs::create_dir_all(&data).expect("data dir");
        if is_root() {
            run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir));
        }
        run(as_postgres(&bin.join("initdb")).arg("-D").arg(&data).args(["-U", "postgres", "--auth=trust"]));
        // The server reads its key as its own user, and only from a file no one else may read.
        for file in [&pki.cert, &pki.key] {
            std::fs::copy(file, data.join(file.file_name().expect("name"))).expect("copy");
        }
        if is_root() {
            run(Command::new("chown")
                .args(["postgres:postgres"])
                .arg(data.join("server.crt"))
                .arg(data.join("server.key")));
        }
        run(Command::new("chmod").arg("600").arg(data.join("server.key")));
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 0.0.0.0/0 reject\n",
        )
        .expect("hba");
        let port = free_port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key",
            data.display()
        );
        run(as_postgres(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(data.join("server.log"))
            .args(["-o", &options, "-w", "start"]));
        Self { bin, data, port }
    }

    fn url(&self, ca: &Path) -> String {
        format!("postgres://postgres@127.0.0.1:{}/zegel?sslmode=verify-full&sslrootcert={}", self.port, ca.display())
    }
}

impl Drop for TlsPostgres {
    fn drop(&mut self) {
        let _ = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A private Redis speaking TLS only; killed when dropped.
struct TlsRedis {
    child: Child,
    port: u16,
}

impl TlsRedis {
    fn start(dir: &Path, pki: &Pki) -> Self {
        let port = free_port();
        let child = Command::new("redis-server")
            .args(["--port", "0", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .arg("--tls-port")
            .arg(port.to_string())
            .arg("--tls-cert-file")
            .arg(&pki.cert)
            .arg("--tls-key-file")
            .arg(&pki.key)
            .arg("--tls-ca-cert-file")
            .arg(&pki.ca)
            .args(["--tls-auth-clients", "no"])
            // A password with the characters a URL would have to escape: it comes apart.
            .args(["--requirepass", REDIS_PASSWORD])
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server installed");
        Self { child, port }
    }
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn wait_for_port(port: u16) {
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing answers on port {port}");
}

fn settings(postgres: &TlsPostgres, redis: &TlsRedis, ca: &Path, prefix: &TestPrefix) -> Settings<Own> {
    let mut settings = Settings::<Own>::local();
    let mut common = zegel_testkit::common_settings_for(&postgres.url(ca), prefix);
    common.redis_url = format!("rediss://127.0.0.1:{}", redis.port);
    common.redis_ca_file = Some(ca.display().to_string());
    common.redis_password = Some(secrecy::SecretString::from(REDIS_PASSWORD));
    settings.common = common;
    settings.own.sweep_interval_secs = 3600;
    settings
}

#[tokio::test]
async fn the_suite_works_against_postgres_and_redis_that_speak_tls_only() {
    let temp = TempDir(std::env::temp_dir().join(format!("zegel-tls-{}", uuid::Uuid::new_v4().simple())));
    let dir = temp.0.clone();
    std::fs::create_dir_all(&dir).expect("temp dir");
    let pki = pki(&dir);
    let postgres = TlsPostgres::start(&dir, &pki);
    let redis = TlsRedis::start(&dir, &pki);
    wait_for_port(redis.port).await;
    let prefix = TestPrefix::new();
    let settings = settings(&postgres, &redis, &pki.ca, &prefix);

    // Plain connections are refused by both servers: whatever works below went over TLS.
    let plain = format!("postgres://postgres@127.0.0.1:{}/postgres", postgres.port);
    let refused = tokio_postgres::connect(&plain, tokio_postgres::NoTls).await.err().expect("plain refused");
    assert!(format!("{refused:?}").contains("no encryption"), "{refused:?}");
    let plain_redis = redis::Client::open(format!("redis://127.0.0.1:{}", redis.port)).expect("client");
    assert!(plain_redis.get_multiplexed_async_connection().await.is_err(), "plain Redis refused");

    let target = settings.common.database().expect("target");
    assert!(target.tls());
    platform::db::ensure_database(&target).await.expect("database created over TLS");
    platform::shell::migrate::<Bans>(&settings.common).await.expect("migrations over TLS");

    let (port, shutdown) = zegel_testkit::spawn(move || async move {
        let app = App::<Bans>::build_on(settings, Clock::system(), 0, 0).await.expect("service builds");
        let handle = (app.port(), app.shutdown_handle());
        (handle, async move {
            let _ = app.run_until_stopped().await;
        })
    })
    .await;
    let client = Client::new(format!("http://127.0.0.1:{port}"));
    let ready = client.get("/readyz", None).await;
    assert_eq!(ready.status, 200, "{:?}", ready.body);
    assert_eq!(ready.body, json!({"postgres": "ok", "redis": "ok"}));

    // A write lands in Postgres and its event reaches the TLS Redis through the outbox.
    let officers = json!({"officers": [{"bsn": "111222333", "name": "Alice Achterberg", "date_of_birth": "1970-03-04",
                                         "role": "director", "from": "2020-01-01"}]});
    let registered =
        client.put("/api/v1/agencies/12345678/officers", &client.token(&[Role::Kvk], None), officers).await;
    assert_eq!(registered.status, 200, "{:?}", registered.body);
    let inspectorate = client.token(&[Role::Inspectorate], None);
    let ban = client
        .post(
            "/api/v1/bans",
            &inspectorate,
            json!({"bsn": "111222333", "name": "Alice Achterberg", "date_of_birth": "1970-03-04", "basis": "administrative", "roles_covered": ["director"],
                   "starts_on": platform::clock::dutch_date(chrono::Utc::now()), "reason": "repeated underpayment"}),
        )
        .await;
    assert_eq!(ban.status, 201, "{:?}", ban.body);
    let url = format!("rediss://127.0.0.1:{}", redis.port);
    let ca = pki.ca.display().to_string();
    let password = secrecy::SecretString::from(REDIS_PASSWORD);
    let without_password =
        platform::bus::client(platform::bus::Target { url: &url, ca_file: Some(&ca), password: None }).expect("client");
    let mut conn = without_password.get_multiplexed_async_connection().await.expect("TLS connection");
    let refused = redis::cmd("PING").query_async::<String>(&mut conn).await.expect_err("no password, no answer");
    assert!(refused.to_string().contains("NOAUTH"), "{refused}");
    let tls_client =
        platform::bus::client(platform::bus::Target { url: &url, ca_file: Some(&ca), password: Some(&password) })
            .expect("TLS client");
    let mut conn = tls_client.get_multiplexed_async_connection().await.expect("TLS connection");
    let mut published = 0;
    for _ in 0..100 {
        published = redis::cmd("XLEN").arg(format!("{}:events", prefix.0)).query_async(&mut conn).await.expect("xlen");
        if published >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(published, 2, "the ban's events (in force; an officer banned) were published over TLS");
    shutdown.trigger();
    drop(prefix);

    // A server whose certificate does not chain to the configured CA is refused, for both.
    let mut wrong = Settings::<Own>::local();
    wrong.common = zegel_testkit::common_settings_for(&postgres.url(&pki.other_ca), &TestPrefix::new());
    let err = platform::shell::migrate::<Bans>(&wrong.common).await.expect_err("unknown CA refused");
    assert!(format!("{err:?}").to_lowercase().contains("certificate"), "{err:?}");
    let untrusted = platform::bus::client(platform::bus::Target {
        url: &format!("rediss://127.0.0.1:{}", redis.port),
        ca_file: Some(&pki.other_ca.display().to_string()),
        password: None,
    })
    .expect("client");
    assert!(untrusted.get_multiplexed_async_connection().await.is_err(), "unknown CA refused by the Redis client");
    drop((postgres, redis, temp));
}
