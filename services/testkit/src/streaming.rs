//! A private Postgres primary and its streaming standby, for the tests of reads from a
//! replica: the installed server's binaries (`/usr/lib/postgresql/<newest>/bin`), a
//! fresh cluster on a free port, and a standby made from it with `pg_basebackup` on
//! another. The shared test server is not used: a standby copies a whole cluster, and
//! replication must be allowed, which the shared server's access rules need not do.
//!
//! Both are stopped and their files removed when this is dropped.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

pub struct Streaming {
    dir: PathBuf,
    bin: PathBuf,
    pub primary_port: u16,
    pub standby_port: u16,
}

impl Streaming {
    /// A fresh primary with one standby streaming from it, both accepting connections.
    pub fn start() -> Self {
        let bin = server_binaries();
        let dir = std::env::temp_dir().join(format!("zegel-streaming-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("streaming dir");
        let [primary_port, standby_port] = [free_port(), free_port()];
        let this = Self { dir, bin, primary_port, standby_port };
        if running_as_root() {
            // The server refuses to run as root: its files belong to the postgres user.
            run(Command::new("chown").arg("postgres:postgres").arg(&this.dir));
        }
        let primary = this.dir.join("primary");
        run(this.as_server("initdb").args(["-U", "postgres", "--auth=trust", "-D"]).arg(&primary));
        this.start_server(&primary, primary_port, &[]);
        let standby = this.dir.join("standby");
        let port = primary_port.to_string();
        run(this
            .as_server("pg_basebackup")
            .args(["-h", "127.0.0.1", "-p", &port, "-U", "postgres"])
            .args(["-R", "-X", "stream", "-c", "fast", "-D"])
            .arg(&standby));
        this.start_server(&standby, standby_port, &["-c", "hot_standby=on"]);
        this
    }

    /// The primary's administrator URL (database `postgres`).
    pub fn primary_admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.primary_port)
    }

    /// The standby's administrator URL (database `postgres`; another database is reached
    /// by its name in place of that).
    pub fn standby_admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.standby_port)
    }

    /// The data directories of the primary and the standby (a benchmark finds each
    /// server's processes from its `postmaster.pid`).
    pub fn data_dirs(&self) -> (PathBuf, PathBuf) {
        (self.dir.join("primary"), self.dir.join("standby"))
    }

    /// Makes the standby apply each commit `delay` after the primary made it (0: at once),
    /// as a replica far behind does; a stopped standby from its next start.
    pub fn delay_replay(&self, delay: Duration) {
        let conf = self.dir.join("standby/postgresql.auto.conf");
        let mut text = std::fs::read_to_string(&conf).unwrap_or_default();
        // The last setting of a name wins.
        text.push_str(&format!("\nrecovery_min_apply_delay = '{}ms'\n", delay.as_millis()));
        std::fs::write(&conf, text).expect("standby settings");
        // A stopped standby reads it when started.
        if self.dir.join("standby/postmaster.pid").exists() {
            run(self.as_server("pg_ctl").arg("-D").arg(self.dir.join("standby")).arg("reload"));
        }
    }

    /// Stops the standby (it refuses connections until started again).
    pub fn stop_standby(&self) {
        run(self.as_server("pg_ctl").arg("-D").arg(self.dir.join("standby")).args(["-m", "fast", "stop"]));
    }

    /// Starts the stopped standby again; it catches up from the primary.
    pub fn start_standby(&self) {
        self.start_server(&self.dir.join("standby"), self.standby_port, &["-c", "hot_standby=on"]);
    }

    fn start_server(&self, data: &Path, port: u16, extra: &[&str]) {
        let options = [
            format!("-p {port} -c listen_addresses=127.0.0.1 -k {}", self.dir.display()),
            // A test's cluster: nothing here must survive a crash of the machine.
            "-c fsync=off -c full_page_writes=off -c shared_buffers=32MB".into(),
            extra.join(" "),
        ]
        .join(" ");
        let log = data.with_extension("log");
        run(self.as_server("pg_ctl").arg("-D").arg(data).arg("-l").arg(log).args(["-w", "-o", &options, "start"]));
    }

    /// `tool` of the server, as the postgres user when this runs as root.
    fn as_server(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if running_as_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path).current_dir("/");
            c
        } else {
            Command::new(path)
        }
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        for server in ["standby", "primary"] {
            let _ = self
                .as_server("pg_ctl")
                .arg("-D")
                .arg(self.dir.join(server))
                .args(["-m", "immediate", "stop"])
                .output();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The newest installed server's binaries.
fn server_binaries() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("a Postgres server installed under /usr/lib/postgresql (.ci/services.sh installs one)")
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).expect("a Postgres version under /usr/lib/postgresql")
}

fn running_as_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false)
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

fn run(command: &mut Command) {
    let out = command.output().unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
