//! The container image runs the suite: started from the image built by `just image`, with
//! a read-only root filesystem as its non-root user, against this machine's Postgres and
//! Redis, every service answers `/readyz` on its public port and `/metrics` on its internal
//! one. `just test` builds the image and runs this; on its own: `just image`, then
//! `cargo test --workspace --test e2e -- --ignored image::`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use zegel_testkit::{TestDb, TestPrefix, redis_url};

/// The image `just image` builds.
const IMAGE: &str = "localhost/zegel:dev";

/// The services and the registers among them that sign seals (their keys are mounted).
const SERVICES: [&str; 8] =
    ["lookup", "certificates", "bans", "deposits", "gaccounts", "housing", "notifier", "workbench"];
const SIGNERS: [&str; 5] = ["certificates", "deposits", "gaccounts", "housing", "lookup"];

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// The container, removed when dropped (also when the test fails half-way).
struct Container(String);

impl Drop for Container {
    fn drop(&mut self) {
        let _ = Command::new("podman").args(["rm", "-f", "-t", "2", &self.0]).output();
    }
}

/// A copy of the development keys that the image's user may read (the originals are the
/// developer's, mode 0600); removed when dropped.
struct Keys(PathBuf);

impl Keys {
    fn copy(from: &Path) -> Self {
        let to = std::env::temp_dir().join(format!("zegel-image-keys-{}", uuid::Uuid::new_v4().simple()));
        let out = Command::new("cp").arg("-r").arg(from).arg(&to).output().expect("cp");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let out = Command::new("chmod").args(["-R", "a+rX"]).arg(&to).output().expect("chmod");
        assert!(out.status.success());
        Self(to)
    }
}

impl Drop for Keys {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
#[ignore = "needs the image: `just image` (`just test` builds it and runs this)"]
async fn the_suite_starts_from_the_image_and_every_service_answers() {
    let listed = Command::new("podman").args(["image", "exists", IMAGE]).status().expect("podman installed");
    assert!(listed.success(), "{IMAGE} is not built: run `just image`");
    let keys = Keys::copy(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../certs/dev")));
    let db = TestDb::empty().await;
    let prefix = TestPrefix::new();
    let ports: Vec<(u16, u16)> = SERVICES.iter().map(|_| (free_port(), free_port())).collect();
    let port_of = |service: &str| ports[SERVICES.iter().position(|s| *s == service).expect("service")].0;
    let url_of = |service: &str| format!("http://127.0.0.1:{}", port_of(service));

    let mut env: Vec<(String, String)> = vec![
        // The host's loopback is the container's: it shares the host's network here.
        ("ZEGEL_HOST".into(), "127.0.0.1".into()),
        ("ZEGEL_DATABASE_URL".into(), db.url.clone()),
        ("ZEGEL_REDIS_URL".into(), redis_url()),
        ("ZEGEL_REDIS_PREFIX".into(), prefix.0.clone()),
        ("ZEGEL_JWKS".into(), "/etc/zegel/jwks.json".into()),
        ("ZEGEL_EVENT_KEYS_DIR".into(), "/etc/zegel/events".into()),
        ("ZEGEL_VERIFY_URL".into(), url_of("lookup")),
        ("ZEGEL_LOOKUP_TRUST_LIST".into(), "/etc/zegel/trust-list.jws".into()),
        ("ZEGEL_LOOKUP_TRUST_ANCHOR".into(), "/etc/zegel/ca.pem".into()),
        ("ZEGEL_LOOKUP_HOUSING_URL".into(), url_of("housing")),
        ("ZEGEL_LOOKUP_BANS_URL".into(), url_of("bans")),
        ("ZEGEL_NOTIFIER_LOOKUP_URL".into(), url_of("lookup")),
        ("ZEGEL_CERTIFICATES_BANS_URL".into(), url_of("bans")),
        ("ZEGEL_CERTIFICATES_GACCOUNTS_URL".into(), url_of("gaccounts")),
        ("ZEGEL_CERTIFICATES_DEPOSITS_URL".into(), url_of("deposits")),
        ("ZEGEL_CERTIFICATES_HOUSING_URL".into(), url_of("housing")),
    ];
    for (service, (port, internal)) in SERVICES.iter().zip(&ports) {
        let upper = service.to_uppercase();
        env.push((format!("ZEGEL_{upper}_PORT"), port.to_string()));
        env.push((format!("ZEGEL_{upper}_INTERNAL_PORT"), internal.to_string()));
    }
    for signer in SIGNERS {
        let upper = signer.to_uppercase();
        env.push((format!("ZEGEL_{upper}_SEAL_KEY"), format!("/etc/zegel/{signer}-key.pem")));
        env.push((format!("ZEGEL_{upper}_SEAL_CERT"), format!("/etc/zegel/{signer}.pem")));
    }

    let name = format!("zegel-image-test-{}", uuid::Uuid::new_v4().simple());
    let mut run = Command::new("podman");
    // runc: crun refuses a machine whose cgroups are half v1, half v2 (this one). Explicit,
    // modest limits: a sandbox may refuse to hand its own limits on unchanged.
    run.args(["run", "-d", "--name", &name, "--runtime", "runc", "--network", "host", "--read-only"])
        .args(["--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"])
        .arg("-v")
        .arg(format!("{}:/etc/zegel:ro", keys.0.display()));
    for (key, value) in &env {
        run.arg("-e").arg(format!("{key}={value}"));
    }
    // Removed however the test ends, also when `podman run` created it and then failed.
    let container = Container(name);
    let out = run.arg(IMAGE).output().expect("podman run");
    assert!(out.status.success(), "podman run: {}", String::from_utf8_lossy(&out.stderr));

    let http = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().expect("client");
    let deadline = Instant::now() + Duration::from_secs(60);
    for (service, (port, internal)) in SERVICES.iter().zip(&ports) {
        loop {
            let ready = http.get(format!("http://127.0.0.1:{port}/readyz")).send().await;
            if ready.as_ref().is_ok_and(|r| r.status() == 200) {
                break;
            }
            if Instant::now() > deadline {
                let logs = Command::new("podman").args(["logs", &container.0]).output().expect("logs");
                panic!(
                    "{service} never became ready on {port}: {ready:?}\n{}{}",
                    String::from_utf8_lossy(&logs.stdout),
                    String::from_utf8_lossy(&logs.stderr)
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let metrics = http.get(format!("http://127.0.0.1:{internal}/metrics")).send().await.expect("metrics");
        assert_eq!(metrics.status(), 200, "{service}");
        let text = metrics.text().await.expect("text");
        // Labelled by route, with the process's own series; Prometheus adds the service.
        assert!(text.contains(r#"route="/readyz""#), "{service}: {text}");
        assert!(text.contains("process_resident_memory_bytes"), "{service}: {text}");
        assert!(!text.contains("service=\""), "{service}: no constant label: {text}");
        if *service == "lookup" {
            assert!(text.contains("zegel_trust_list_not_after_seconds"), "{text}");
        }
    }

    // It runs as the image's user, not as root.
    let top = Command::new("podman").args(["top", &container.0, "user", "comm"]).output().expect("top");
    assert!(top.status.success(), "podman top: {}", String::from_utf8_lossy(&top.stderr));
    let top = String::from_utf8_lossy(&top.stdout);
    let processes: Vec<Vec<&str>> = top.lines().skip(1).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(processes.len(), 1, "one process, the suite: {top}");
    assert_eq!(processes[0], vec!["zegel", "zegel-suite"], "{top}");
    drop(container);
}

/// The text of `path` inside the image.
fn file_in_image(container: &Container, path: &str) -> Vec<u8> {
    let to = std::env::temp_dir().join(format!("zegel-image-file-{}", uuid::Uuid::new_v4().simple()));
    let out = Command::new("podman").arg("cp").arg(format!("{}:{path}", container.0)).arg(&to).output().expect("cp");
    assert!(out.status.success(), "{path}: {}", String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(&to).expect("copied");
    let _ = std::fs::remove_file(&to);
    bytes
}

/// The version `Cargo.lock` pins of `package` (its first entry).
fn locked_version(package: &str) -> String {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock")).expect("Cargo.lock");
    let entry = lock.split("[[package]]").find(|p| p.contains(&format!("\nname = \"{package}\"\n"))).expect(package);
    entry.lines().find_map(|l| l.strip_prefix("version = \"")).expect("version").trim_end_matches('"').to_string()
}

#[test]
#[ignore = "needs the image: `just image` (`just test` builds it and runs this)"]
fn the_image_says_what_it_is_made_of() {
    // Labelled with the release: the workspace's version, the licence, the commit.
    let labels = Command::new("podman").args(["image", "inspect", IMAGE, "--format", "{{json .Labels}}"]).output();
    let labels: serde_json::Value = serde_json::from_slice(&labels.expect("podman").stdout).expect("labels");
    assert_eq!(labels["org.opencontainers.image.version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(labels["org.opencontainers.image.licenses"], "EUPL-1.2");
    let revision = labels["org.opencontainers.image.revision"].as_str().unwrap_or_default();
    assert!(revision.len() == 40 && revision.chars().all(|c| c.is_ascii_hexdigit()), "{labels}");
    assert!(labels["org.opencontainers.image.created"].as_str().is_some_and(|c| c.contains('T')), "{labels}");

    let name = format!("zegel-image-contents-{}", uuid::Uuid::new_v4().simple());
    let created = Command::new("podman").args(["create", "--name", &name, IMAGE]).output().expect("create");
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let container = Container(name);

    // Every binary carries its dependency list (cargo auditable), which scanners read.
    for binary in ["zegel-lookup", "zegel-certificates", "zegel-suite"] {
        let bytes = file_in_image(&container, &format!("/usr/local/bin/{binary}"));
        assert!(bytes.windows(7).any(|w| w == b".dep-v0"), "{binary}: no .dep-v0 section (cargo auditable)");
    }
    // An SBOM per binary, naming the crates at the versions the lock file pins.
    let sbom: serde_json::Value =
        serde_json::from_slice(&file_in_image(&container, "/usr/share/doc/zegel/sbom/zegel-lookup.cdx.json"))
            .expect("json");
    assert_eq!(sbom["bomFormat"], "CycloneDX");
    assert_eq!(sbom["metadata"]["component"]["version"], env!("CARGO_PKG_VERSION"));
    let components = sbom["components"].as_array().expect("components");
    for package in ["warp", "tokio-postgres", "jsonwebtoken", "qrcode"] {
        let version = locked_version(package);
        assert!(
            components.iter().any(|c| c["name"] == package && c["version"] == version.as_str()),
            "the SBOM has no {package} {version}"
        );
    }
    // The Debian packages its libraries come from, as scanners read them, at the versions
    // of the system that built it.
    let os = String::from_utf8(file_in_image(&container, "/etc/os-release")).expect("text");
    assert!(os.contains("ID=debian"), "{os}");
    for package in ["libc6", "libgcc-s1", "ca-certificates"] {
        let record =
            String::from_utf8(file_in_image(&container, &format!("/var/lib/dpkg/status.d/{package}"))).expect("text");
        let here = Command::new("dpkg-query").args(["-W", "-f=${Version}", package]).output().expect("dpkg-query");
        let version = String::from_utf8_lossy(&here.stdout).to_string();
        assert!(
            record.contains(&format!("Package: {package}\n")) && record.contains(&format!("Version: {version}\n")),
            "{record}"
        );
    }
    drop(container);
}
