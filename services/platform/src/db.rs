//! Postgres: the pool, the per-service schema and the migrations.
//!
//! Every service works in a schema named after it, set as the connection's
//! `search_path`, and is the only writer of it. Migrations are embedded in the binary and
//! forward-only: first the platform's own tables, then the service's.
//!
//! Two roles per service: `zegel_<service>_owner` owns the schema and everything in it and
//! runs the migrations; `zegel_<service>` is what the running service acts as (the pool
//! sets it as the session's role). The runtime role may read and write its own tables only
//! — never UPDATE, DELETE or TRUNCATE where an append-only guard stands — and cannot alter
//! or disable anything. The lookup's role may read the registers' read contracts
//! ([`READ_CONTRACTS`]) and nothing else of theirs. Where the login may create roles (a
//! developer's machine, CI) the migration creates them; in production they are managed
//! outside (CloudNativePG) and the login of a service is its runtime role.

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

/// How this module shapes a schema besides the migrations (roles, ownership, grants): the
/// test kit keys its template databases by it too, so that a change here is never hidden
/// behind a template built before it.
pub const SHAPE: &str = include_str!("db.rs");

/// The role a running service acts as.
pub fn runtime_role(schema: &str) -> String {
    format!("zegel_{schema}")
}

/// The role that owns a service's schema and runs its migrations.
pub fn owner_role(schema: &str) -> String {
    format!("zegel_{schema}_owner")
}

/// The views of a register that the lookup reads (its read contracts with the lookup).
pub const READ_CONTRACTS: [&str; 4] = ["seal_status", "agency_status", "agency_buildings", "agency_declaration"];

fn with_schema(url: &SecretString, schema: &str, app: &str) -> Result<tokio_postgres::Config, DbError> {
    let mut config = parse(url)?;
    config.options(format!("-c search_path={schema}"));
    config.application_name(app);
    config.connect_timeout(Duration::from_secs(5));
    Ok(config)
}

/// A connection pool whose connections work in `schema`, as the service's runtime role.
pub fn pool(url: &SecretString, schema: &str, size: usize) -> Result<Pool, DbError> {
    let mut config = with_schema(url, schema, &format!("zegel-{schema}"))?;
    config.options(format!("-c search_path={schema} -c role={}", runtime_role(schema)));
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

/// Creates the service's roles (where the login may) and `schema`, runs the platform's and
/// then the service's migrations in it as the owner role, and grants the runtime role (and
/// the lookup's, on the read contracts) what it may do.
pub async fn migrate(url: &SecretString, schema: &str, mut service: refinery::Runner) -> Result<(), DbError> {
    let config = with_schema(url, schema, &format!("zegel-{schema}-migrate"))?;
    let (mut client, conn) = config.connect(NoTls).await?;
    let task = tokio::spawn(conn);
    let (owner, runtime) = (owner_role(schema), runtime_role(schema));
    // Names come from the closed list of services, never from input.
    client.batch_execute(&roles_and_schema(schema, &owner, &runtime)).await?;
    client.batch_execute(&format!("set role {owner}")).await?;
    embedded::migrations::runner().set_migration_table_name("zegel_platform_history").run_async(&mut client).await?;
    service.set_migration_table_name(format!("zegel_{schema}_history")).run_async(&mut client).await?;
    client.batch_execute(&grants(schema, &runtime)).await?;
    client.batch_execute("reset role").await?;
    drop(client);
    let _ = task.await;
    Ok(())
}

/// Creates the roles when the login may create roles (concurrent creators are fine), the
/// schema, and hands the schema and everything already in it to the owner role.
fn roles_and_schema(schema: &str, owner: &str, runtime: &str) -> String {
    let lookup = runtime_role("lookup");
    format!(
        "do $$
         declare r text;
         begin
           if (select rolsuper or rolcreaterole from pg_roles where rolname = session_user) then
             foreach r in array array['{owner}', '{runtime}', '{lookup}'] loop
               begin
                 execute format('create role %I nologin', r);
               exception when duplicate_object or unique_violation then null;
               end;
             end loop;
             -- A superuser may act as any role; a login with CREATEROLE needs membership.
             if not (select rolsuper from pg_roles where rolname = session_user) then
               execute format('grant %I, %I to %I', '{owner}', '{runtime}', session_user);
             end if;
           end if;
         end $$;
         create schema if not exists {schema} authorization {owner};
         alter schema {schema} owner to {owner};
         do $$
         declare o record;
         begin
           -- Tables (their serial sequences move with them) and views first, then any
           -- sequence still owned by someone else.
           for o in select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
                    where n.nspname = '{schema}' and c.relkind in ('r', 'v') and pg_get_userbyid(c.relowner) <> '{owner}' loop
             execute format('alter %s %I.%I owner to %I',
               case o.relkind when 'r' then 'table' else 'view' end, '{schema}', o.relname, '{owner}');
           end loop;
           for o in select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                    where n.nspname = '{schema}' and c.relkind = 'S' and pg_get_userbyid(c.relowner) <> '{owner}' loop
             execute format('alter sequence %I.%I owner to %I', '{schema}', o.relname, '{owner}');
           end loop;
           for o in select p.oid::regprocedure::text as f from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                    where n.nspname = '{schema}' and pg_get_userbyid(p.proowner) <> '{owner}' loop
             execute format('alter function %s owner to %I', o.f, '{owner}');
           end loop;
         end $$;"
    )
}

/// What the runtime role may do in its schema: read and write its tables, except UPDATE,
/// DELETE and TRUNCATE where an append-only guard stands (a trigger calling
/// `audit_log_append_only` on that event); and the lookup's role may read the read contracts.
fn grants(schema: &str, runtime: &str) -> String {
    let lookup = runtime_role("lookup");
    let contracts = READ_CONTRACTS.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ");
    format!(
        "grant usage on schema {schema} to {runtime};
         grant select, insert, update, delete on all tables in schema {schema} to {runtime};
         grant usage, select on all sequences in schema {schema} to {runtime};
         grant execute on all functions in schema {schema} to {runtime};
         do $$
         declare t record;
         begin
           for t in select c.relname, bool_or(tg.tgtype & 16 <> 0) as upd, bool_or(tg.tgtype & 8 <> 0) as del
                    from pg_trigger tg join pg_class c on c.oid = tg.tgrelid join pg_namespace n on n.oid = c.relnamespace
                    join pg_proc p on p.oid = tg.tgfoid
                    where n.nspname = '{schema}' and p.proname = 'audit_log_append_only' and not tg.tgisinternal
                    group by c.relname loop
             execute format('revoke truncate on %I.%I from %I', '{schema}', t.relname, '{runtime}');
             if t.upd then execute format('revoke update on %I.%I from %I', '{schema}', t.relname, '{runtime}'); end if;
             if t.del then execute format('revoke delete on %I.%I from %I', '{schema}', t.relname, '{runtime}'); end if;
           end loop;
           if '{schema}' <> 'lookup' then
             execute format('grant usage on schema %I to %I', '{schema}', '{lookup}');
             for t in select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                      where n.nspname = '{schema}' and c.relkind = 'v' and c.relname in ({contracts}) loop
               execute format('grant select on %I.%I to %I', '{schema}', t.relname, '{lookup}');
             end loop;
           end if;
         end $$;"
    )
}
