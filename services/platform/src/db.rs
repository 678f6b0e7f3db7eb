//! Postgres: the pool, the per-service schema and the migrations.
//!
//! Every service works in a schema named after it, set as the connection's
//! `search_path`, and is the only writer of it. Migrations are embedded in the binary and
//! forward-only: first the platform's own tables, then the service's.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use secrecy::{ExposeSecret, SecretString};
use tokio_postgres::NoTls;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// Why the database could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL does not parse.
    #[error("invalid database URL: {0}")]
    Url(#[source] tokio_postgres::Error),
    /// The server cannot be reached or refused a statement.
    #[error("database: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migration(#[from] refinery::Error),
    /// The pool could not be built.
    #[error("pool: {0}")]
    Pool(String),
}

fn parse(url: &SecretString) -> Result<tokio_postgres::Config, DbError> {
    url.expose_secret().parse().map_err(DbError::Url)
}

/// Creates the database named in `url` if it does not exist yet (for `just up`).
pub async fn ensure_database(url: &SecretString) -> Result<(), DbError> {
    let config = parse(url)?;
    let name = config.get_dbname().unwrap_or("postgres").to_string();
    let mut admin = config.clone();
    admin.dbname("postgres");
    let (client, conn) = admin.connect(NoTls).await?;
    let task = tokio::spawn(conn);
    let exists = client.query_opt("select 1 from pg_database where datname = $1", &[&name]).await?.is_some();
    if !exists {
        // Identifiers cannot be bound as parameters; quote it.
        let quoted = name.replace('"', "\"\"");
        if let Err(e) = client.batch_execute(&format!("create database \"{quoted}\"")).await {
            // Another service may have created it concurrently.
            if e.code() != Some(&tokio_postgres::error::SqlState::DUPLICATE_DATABASE) {
                return Err(e.into());
            }
        }
    }
    drop(client);
    let _ = task.await;
    Ok(())
}

fn with_schema(url: &SecretString, schema: &str, app: &str) -> Result<tokio_postgres::Config, DbError> {
    let mut config = parse(url)?;
    config.options(format!("-c search_path={schema}"));
    config.application_name(app);
    config.connect_timeout(Duration::from_secs(5));
    Ok(config)
}

/// A connection pool whose connections work in `schema`.
pub fn pool(url: &SecretString, schema: &str, size: usize) -> Result<Pool, DbError> {
    let config = with_schema(url, schema, &format!("zegel-{schema}"))?;
    let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    Pool::builder(manager)
        .max_size(size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(Duration::from_secs(5)))
        .create_timeout(Some(Duration::from_secs(5)))
        .recycle_timeout(Some(Duration::from_secs(5)))
        .build()
        .map_err(|e| DbError::Pool(e.to_string()))
}

/// Creates `schema` if needed and runs the platform's and then the service's migrations in it.
pub async fn migrate(url: &SecretString, schema: &str, mut service: refinery::Runner) -> Result<(), DbError> {
    let config = with_schema(url, schema, &format!("zegel-{schema}-migrate"))?;
    let (mut client, conn) = config.connect(NoTls).await?;
    let task = tokio::spawn(conn);
    client.batch_execute(&format!("create schema if not exists \"{}\"", schema.replace('"', "\"\""))).await?;
    embedded::migrations::runner().set_migration_table_name("zegel_platform_history").run_async(&mut client).await?;
    service.set_migration_table_name(format!("zegel_{schema}_history")).run_async(&mut client).await?;
    drop(client);
    let _ = task.await;
    Ok(())
}
