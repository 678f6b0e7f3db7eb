//! A fresh database per test, cloned from a migrated template (built once per set of
//! migrations, under an advisory lock), dropped when the test ends; leftovers of crashed
//! runs older than two hours are swept at start.

use std::path::PathBuf;

use platform::config::CommonSettings;
use secrecy::SecretString;

pub fn admin_url() -> String {
    std::env::var("ZEGEL_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn redis_url() -> String {
    std::env::var("ZEGEL_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// The URL of database `name` on the test server.
pub fn db_url(name: &str) -> String {
    db_url_at(&admin_url(), name)
}

/// The URL of database `name` on the server of administrator URL `admin`.
fn db_url_at(admin: &str, name: &str) -> String {
    let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
    format!("{base}/{name}")
}

async fn admin(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.expect("test Postgres reachable");
    tokio::spawn(conn);
    client
}

/// A database for one test; dropped (with its connections) when this is dropped.
pub struct TestDb {
    pub name: String,
    pub url: String,
    /// The administrator URL of its server.
    admin: String,
}

impl TestDb {
    /// The one value `sql` selects from this database (what a test checks behind the API:
    /// a count, a column of a read contract).
    pub async fn value<T: for<'a> tokio_postgres::types::FromSql<'a>>(&self, sql: &str) -> T {
        let (client, conn) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls).await.expect("test database");
        tokio::spawn(conn);
        client.query_one(sql, &[]).await.unwrap_or_else(|e| panic!("{sql}: {e}")).get(0)
    }

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
        Self::create_at(&admin_url(), label, migration_dirs, migrate).await
    }

    /// Like [`TestDb::create`], on the server whose administrator URL is `server` (a
    /// private one: the primary of [`crate::Streaming`]).
    pub async fn create_at<F, Fut>(server: &str, label: &str, migration_dirs: &[&str], migrate: F) -> Self
    where
        F: FnOnce(CommonSettings) -> Fut,
        Fut: Future<Output = ()>,
    {
        let admin = admin(server).await;
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
            common.database_url = SecretString::from(db_url_at(server, &building));
            migrate(common).await;
            admin
                .batch_execute(&format!("alter database {building} rename to {template}"))
                .await
                .expect("rename template");
        }
        admin.execute("select pg_advisory_unlock(hashtext($1))", &[&template]).await.expect("unlock");
        let name = format!("zegel_test_{}_{}", chrono::Utc::now().timestamp(), uuid::Uuid::new_v4().simple());
        admin.batch_execute(&format!("create database {name} template {template}")).await.expect("clone template");
        Self { url: db_url_at(server, &name), name, admin: server.to_string() }
    }

    /// A fresh, empty database (nothing migrated), dropped like the others.
    pub async fn empty() -> Self {
        let server = admin_url();
        let admin = admin(&server).await;
        let name = format!("zegel_test_{}_{}", chrono::Utc::now().timestamp(), uuid::Uuid::new_v4().simple());
        admin.batch_execute(&format!("create database {name}")).await.expect("create database");
        Self { url: db_url_at(&server, &name), name, admin: server }
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
        let (name, server) = (self.name.clone(), self.admin.clone());
        // Drop cannot await; clean up on a thread with its own runtime.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                // A private server may be gone already (its test stopped it): nothing to drop.
                let Ok((admin, conn)) = tokio_postgres::connect(&server, tokio_postgres::NoTls).await else {
                    return;
                };
                tokio::spawn(conn);
                let _ = admin.batch_execute(&format!("drop database if exists {name} with (force)")).await;
            });
        })
        .join();
    }
}

fn hash_dirs(dirs: &[&str]) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    platform::db::SHAPE.hash(&mut h);
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
