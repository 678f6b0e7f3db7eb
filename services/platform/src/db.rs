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
//!
//! The schema and role of a pooled connection are set by statements right after it
//! connects rather than as startup options, which a connection pooler (PgBouncer) refuses.
//! TLS is on when the URL says `sslmode=verify-full` and names the CA in `sslrootcert`, as
//! libpq spells it; anything that would encrypt without verifying the server is refused.

use std::time::Duration;

use deadpool_postgres::{Hook, HookError, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use secrecy::{ExposeSecret, SecretString};
use tokio_postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;
use zegel_contracts::register::Service;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// Why the database could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL does not parse.
    #[error("invalid database URL: {0}")]
    Url(#[source] tokio_postgres::Error),
    /// The URL's TLS settings are refused or their CA cannot be read.
    #[error("database TLS: {0}")]
    Tls(String),
    /// The server cannot be reached or refused a statement.
    #[error("database: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] refinery::Error),
    /// The pool could not be built.
    #[error("pool: {0}")]
    Pool(String),
}

/// Where the database is and how to reach it: the URL's settings, the password when it
/// comes separately (a Kubernetes Secret), and the TLS connector the URL asks for.
#[derive(Clone)]
pub struct Target {
    config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("hosts", &self.config.get_hosts())
            .field("dbname", &self.config.get_dbname())
            .field("tls", &(self.config.get_ssl_mode() == SslMode::Require))
            .finish()
    }
}

impl Target {
    /// Reads `url` (a `postgres://` URL or libpq key-value string) and, where given,
    /// `password` in place of the URL's. `sslmode=verify-full` with `sslrootcert=<CA file>`
    /// turns TLS on; `disable` or no `sslmode` leaves it off; every other mode is refused.
    pub fn new(url: &SecretString, password: Option<&SecretString>) -> Result<Self, DbError> {
        let (rest, tls) = tls_settings(url.expose_secret())?;
        let mut config: tokio_postgres::Config = rest.parse().map_err(DbError::Url)?;
        if let Some(password) = password {
            config.password(password.expose_secret());
        }
        let tls = match tls {
            Some(ca) => {
                config.ssl_mode(SslMode::Require);
                MakeRustlsConnect::new(crate::tls::client_config(&ca).map_err(DbError::Tls)?)
            }
            None => {
                // Never attempted: the server's offer of TLS is declined.
                config.ssl_mode(SslMode::Disable);
                MakeRustlsConnect::new(crate::tls::trusting(rustls::RootCertStore::empty()).map_err(DbError::Tls)?)
            }
        };
        Ok(Self { config, tls })
    }

    /// Whether connections are encrypted (and the server verified).
    pub fn tls(&self) -> bool {
        self.config.get_ssl_mode() == SslMode::Require
    }

    async fn connect(&self, config: &tokio_postgres::Config) -> Result<tokio_postgres::Client, DbError> {
        let (client, conn) = config.connect(self.tls.clone()).await?;
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "database connection closed");
            }
        });
        Ok(client)
    }
}

/// Takes `sslmode` and `sslrootcert` out of `url` (tokio-postgres knows neither
/// `verify-full` nor `sslrootcert`): the rest, and the CA file when TLS is on.
fn tls_settings(url: &str) -> Result<(String, Option<String>), DbError> {
    let refuse = |mode: &str| {
        DbError::Tls(format!(
            "sslmode={mode} is not offered: use sslmode=verify-full with sslrootcert=<CA file>, or sslmode=disable"
        ))
    };
    let (mut mode, mut ca) = (None::<String>, None::<String>);
    let rest = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_encoding::percent_decode_str(value).decode_utf8_lossy().into_owned();
            match key {
                "sslmode" => mode = Some(value),
                "sslrootcert" => ca = Some(value),
                _ => kept.push(pair),
            }
        }
        if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) }
    } else {
        let mut kept = Vec::new();
        for word in url.split_whitespace() {
            match word.split_once('=') {
                Some(("sslmode", value)) => mode = Some(value.trim_matches('\'').to_string()),
                Some(("sslrootcert", value)) => ca = Some(value.trim_matches('\'').to_string()),
                _ => kept.push(word),
            }
        }
        kept.join(" ")
    };
    match mode.as_deref() {
        None | Some("disable") if ca.is_none() => Ok((rest, None)),
        None | Some("disable") => Err(DbError::Tls("sslrootcert is set but sslmode is not verify-full".into())),
        Some("verify-full") => match ca {
            Some(ca) if !ca.is_empty() => Ok((rest, Some(ca))),
            _ => Err(DbError::Tls("sslmode=verify-full needs sslrootcert=<CA file>".into())),
        },
        Some(other) => Err(refuse(other)),
    }
}

/// Creates the database the target names if it does not exist yet (for `just up`).
pub async fn ensure_database(target: &Target) -> Result<(), DbError> {
    let name = target.config.get_dbname().unwrap_or("postgres").to_string();
    let mut admin = target.config.clone();
    admin.dbname("postgres");
    let client = target.connect(&admin).await?;
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
    Ok(())
}

/// How this module shapes a schema besides the migrations (roles, ownership, grants): the
/// test kit keys its template databases by it too, so that a change here is never hidden
/// behind a template built before it.
pub const SHAPE: &str = include_str!("db.rs");

pub fn runtime_role(schema: &str) -> String {
    format!("zegel_{schema}")
}

/// The role that owns a service's schema and runs its migrations.
pub fn owner_role(schema: &str) -> String {
    format!("zegel_{schema}_owner")
}

pub use zegel_contracts::register::{READ_CONTRACTS, READ_FUNCTIONS};

/// The services whose prepared statements are planned once per connection, never per
/// execution. The lookup's status statement reads each scan of a batch by its primary key
/// from arrays whose length the planner cannot know: a custom plan per batch is no better
/// than the generic one, and planning it (the views of six registers inlined) was the
/// largest share of Postgres' work under load (docs/PERFORMANCE.md).
const GENERIC_PLANS: [Service; 1] = [Service::Lookup];

fn named(target: &Target, app: &str) -> tokio_postgres::Config {
    let mut config = target.config.clone();
    config.application_name(app);
    config.connect_timeout(Duration::from_secs(5));
    config
}

/// What a service does on each new connection before the connection serves anything:
/// prepares (and, by executing them once, plans) the statements of its hot paths, so that
/// no request pays for that. Planning the lookup's standing statement the first time costs
/// a connection about 6 ms; sixteen fresh connections meeting a burst of hirer checks was
/// the check's tail (docs/PERFORMANCE.md).
pub type Warm = for<'a> fn(
    &'a deadpool_postgres::ClientWrapper,
) -> futures::future::BoxFuture<'a, Result<(), tokio_postgres::Error>>;

/// A connection pool whose connections work in `schema`, as the service's runtime role.
pub fn pool(target: &Target, schema: &str, size: usize) -> Result<Pool, DbError> {
    warmed_pool(target, schema, size, None)
}

/// [`pool`], each new connection warmed by `warm`.
pub fn warmed_pool(target: &Target, schema: &str, size: usize, warm: Option<Warm>) -> Result<Pool, DbError> {
    let config = named(target, &format!("zegel-{schema}"));
    let manager =
        Manager::from_config(config, target.tls.clone(), ManagerConfig { recycling_method: RecyclingMethod::Fast });
    // Names come from the closed list of services, never from input. Times that SQL writes
    // as text (JSON built in views, seal facts) are in UTC whatever zone the server is set
    // to; days are Dutch by `dutch_today()`, never the session's `current_date`.
    let mut session = format!("set search_path to {schema}; set role {}; set timezone to 'UTC'", runtime_role(schema));
    if GENERIC_PLANS.iter().any(|s| s.as_str() == schema) {
        session.push_str("; set plan_cache_mode to force_generic_plan");
    }
    Pool::builder(manager)
        .max_size(size)
        .post_create(Hook::async_fn(move |client, _| {
            let session = session.clone();
            Box::pin(async move {
                client.batch_execute(&session).await.map_err(HookError::Backend)?;
                // A statement that cannot be warmed (a read contract not there yet) is
                // prepared when first used, as without warming: the connection serves.
                if let Some(warm) = warm
                    && let Err(e) = warm(client).await
                {
                    tracing::warn!(error = %e, "a new connection's statements not warmed");
                }
                Ok(())
            })
        }))
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
///
/// Every replica of a release may call this at start: a session advisory lock per schema
/// lets one migrate while the others wait, then find nothing left to do. (Through a
/// pooler in transaction mode a session lock means nothing: migrations connect to the
/// database directly.)
pub async fn migrate(target: &Target, schema: &str, mut service: refinery::Runner) -> Result<(), DbError> {
    let mut client = target.connect(&named(target, &format!("zegel-{schema}-migrate"))).await?;
    client.query_one("select pg_advisory_lock(hashtext($1))", &[&format!("zegel-migrate:{schema}")]).await?;
    let (owner, runtime) = (owner_role(schema), runtime_role(schema));
    // Names come from the closed list of services, never from input.
    client.batch_execute(&roles_and_schema(schema, &owner, &runtime)).await?;
    client.batch_execute(&format!("set search_path to {schema}")).await?;
    client.batch_execute(&format!("set role {owner}")).await?;
    embedded::migrations::runner().set_migration_table_name("zegel_platform_history").run_async(&mut client).await?;
    service.set_migration_table_name(format!("zegel_{schema}_history")).run_async(&mut client).await?;
    client.batch_execute(&grants(schema, &runtime)).await?;
    client.batch_execute("reset role").await?;
    // Closing the session releases the lock too; releasing it first lets the next in.
    client.query_one("select pg_advisory_unlock(hashtext($1))", &[&format!("zegel-migrate:{schema}")]).await?;
    Ok(())
}

/// Creates the roles when the login may create roles (concurrent creators are fine), the
/// schema, and hands the schema and everything already in it to the owner role.
fn roles_and_schema(schema: &str, owner: &str, runtime: &str) -> String {
    let lookup = runtime_role(Service::Lookup.as_str());
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
    let lookup = runtime_role(Service::Lookup.as_str());
    let contracts = READ_CONTRACTS.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ");
    let functions = READ_FUNCTIONS.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ");
    format!(
        "grant usage on schema {schema} to {runtime};
         grant select, insert, update, delete on all tables in schema {schema} to {runtime};
         grant usage, select on all sequences in schema {schema} to {runtime};
         grant execute on all functions in schema {schema} to {runtime};
         do $$
         declare t record; f record;
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
             for f in select p.oid::regprocedure::text as sig from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                      where n.nspname = '{schema}' and p.proname in ({functions}) loop
               execute format('grant execute on function %s to %I', f.sig, '{lookup}');
             end loop;
           end if;
         end $$;"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> String {
        match tls_settings(url) {
            Err(e) => e.to_string(),
            Ok(parts) => panic!("{url} accepted as {parts:?}"),
        }
    }

    #[test]
    fn tls_is_verify_full_with_a_ca_or_nothing() {
        let plain = tls_settings("postgres://u@db:5432/zegel?application_name=x").expect("plain");
        assert_eq!(plain, ("postgres://u@db:5432/zegel?application_name=x".to_string(), None));
        let tls =
            tls_settings("postgres://u@db/zegel?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.crt&connect_timeout=3")
                .expect("tls");
        assert_eq!(tls, ("postgres://u@db/zegel?connect_timeout=3".to_string(), Some("/etc/ca.crt".to_string())));
        let kv = tls_settings("host=db user=u sslmode=verify-full sslrootcert=/etc/ca.crt").expect("key-value");
        assert_eq!(kv, ("host=db user=u".to_string(), Some("/etc/ca.crt".to_string())));
        for mode in ["require", "prefer", "allow", "verify-ca"] {
            let err = refused(&format!("postgres://u@db/zegel?sslmode={mode}&sslrootcert=/ca"));
            assert!(err.contains("verify-full"), "{mode}: {err}");
        }
        assert!(refused("postgres://u@db/zegel?sslmode=verify-full").contains("needs sslrootcert"));
        assert!(refused("postgres://u@db/zegel?sslrootcert=/ca").contains("not verify-full"));
    }

    #[test]
    fn a_missing_or_empty_ca_file_stops_the_start() {
        let url = |ca: &str| SecretString::from(format!("postgres://u@db/zegel?sslmode=verify-full&sslrootcert={ca}"));
        let err = Target::new(&url("/nonexistent/ca.crt"), None).expect_err("missing CA");
        assert!(err.to_string().contains("cannot read /nonexistent/ca.crt"), "{err}");
        let empty = std::env::temp_dir().join(format!("zegel-empty-ca-{}", uuid::Uuid::new_v4().simple()));
        std::fs::write(&empty, "").expect("write");
        let err = Target::new(&url(&empty.display().to_string()), None).expect_err("empty CA");
        let _ = std::fs::remove_file(&empty);
        assert!(err.to_string().contains("holds no certificate"), "{err}");
    }

    #[test]
    fn a_separate_password_replaces_the_urls() {
        let target = Target::new(
            &SecretString::from("postgres://zegel_bans:old@db/zegel"),
            Some(&SecretString::from("n3w:p@ss/word")),
        )
        .expect("target");
        assert_eq!(target.config.get_password(), Some(&b"n3w:p@ss/word"[..]));
        assert!(!target.tls());
        assert!(!format!("{target:?}").contains("n3w"), "no password in a debug print");
    }
}
