//! The service shell: how every Zegel service is configured, migrated, built, bound,
//! run with its background tasks, and stopped — written once.
//!
//! A service describes itself by implementing [`Service`] (its name, its own settings,
//! its migrations, how its state is made, its routes and its tasks); the shell does the
//! rest. Its binary is `platform::shell::main::<TheService>()`, and its tests and the dev
//! runner start it in-process through [`App`] on port 0.

use std::future::Future;
use std::marker::PhantomData;
use std::process::ExitCode;
use std::time::Duration;

use futures::future::BoxFuture;
use serde::de::DeserializeOwned;
use tokio::task::JoinHandle;
use warp::filters::BoxedFilter;
use warp::reply::Response;

use crate::clock::Clock;
use crate::config::{CommonSettings, ConfigError};
use crate::core::{Core, State};
use crate::server::Shutdown;

/// How often every rate limiter forgets the client addresses that have been quiet.
const FORGET_QUIET_CLIENTS: Duration = Duration::from_secs(60);
/// How often keys past their retention are removed.
const IDEMPOTENCY_PURGE: Duration = Duration::from_secs(3600);

/// A service's own settings (`ZEGEL_<SERVICE>_*`).
pub trait OwnSettings: DeserializeOwned + Clone + std::fmt::Debug + Send + Sync + 'static {
    /// The service they belong to: `ZEGEL_<SERVICE>_*`.
    const SERVICE: &'static str;
    /// The HTTP port when `ZEGEL_<SERVICE>_PORT` is not set.
    const PORT: u16;
    /// Checks what the types alone do not; an error stops the start.
    fn validate(&self) -> Result<(), ConfigError> {
        Ok(())
    }
    /// What of its own must not be used in production (a development key, a shortcut),
    /// each naming its setting; with `ZEGEL_ENV=production` any of them stops the start.
    fn production_faults(&self) -> Vec<String> {
        Vec::new()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Serve,
    Migrate,
}

/// All settings of a service: the shared ones and its own.
#[derive(Debug, Clone)]
pub struct Settings<O> {
    /// Shared settings (`ZEGEL_*`).
    pub common: CommonSettings,
    /// HTTP port, `ZEGEL_<SERVICE>_PORT` (0 picks a free one).
    pub port: u16,
    /// The internal port (`/metrics` and the probes), `ZEGEL_<SERVICE>_INTERNAL_PORT`;
    /// by default the public port + 1000. Never exposed by a public ingress.
    pub internal_port: u16,
    pub own: O,
}

impl<O: OwnSettings> Settings<O> {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(std::env::vars())
    }

    /// From these variables (the testable core of [`Settings::from_env`]).
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Result<Self, ConfigError> {
        Self::load(vars, Purpose::Serve)
    }

    /// What `migrate` needs: the settings, checked, but not for the keys and secrets of
    /// serving (a migration uses the database only; its job carries no signing key).
    pub fn to_migrate(vars: impl IntoIterator<Item = (String, String)>) -> Result<Self, ConfigError> {
        Self::load(vars, Purpose::Migrate)
    }

    fn load(vars: impl IntoIterator<Item = (String, String)>, purpose: Purpose) -> Result<Self, ConfigError> {
        let loaded = crate::config::load_from::<O>(O::SERVICE, vars)?;
        loaded.own.validate()?;
        if purpose == Purpose::Serve && loaded.common.env == crate::config::Environment::Production {
            let mut faults = loaded.common.production_faults();
            faults.extend(loaded.own.production_faults());
            if !faults.is_empty() {
                return Err(ConfigError::Invalid(format!(
                    "ZEGEL_ENV=production does not start with development settings: {}",
                    faults.join("; ")
                )));
            }
        }
        let port = loaded.port.unwrap_or(O::PORT);
        let internal_port = loaded.internal_port.unwrap_or_else(|| default_internal_port(port));
        Ok(Self { common: loaded.common, port, internal_port, own: loaded.own })
    }

    /// The local defaults, as a developer machine gets them with nothing set.
    pub fn local() -> Self {
        crate::config::load_from::<O>(O::SERVICE, std::iter::empty())
            .map(|loaded| Self {
                common: loaded.common,
                port: O::PORT,
                internal_port: default_internal_port(O::PORT),
                own: loaded.own,
            })
            .unwrap_or_else(|e| unreachable!("defaults always parse: {e}"))
    }
}

/// The internal port when none is set: the public port + 1000 (9080 for 8080); a free one
/// when the public port is picked freely (0) or has no room above it.
fn default_internal_port(port: u16) -> u16 {
    if port == 0 { 0 } else { port.checked_add(1000).unwrap_or(0) }
}

/// How a service's state is made from the built core, the clock and the settings.
pub trait Start: State {
    type Own: OwnSettings;
    /// What each new database connection does first ([`crate::db::Warm`]).
    const WARM: Option<crate::db::Warm> = None;

    fn start(
        core: Core,
        clock: Clock,
        settings: &Settings<Self::Own>,
    ) -> impl Future<Output = anyhow::Result<Self>> + Send;
}

/// What a service tells the shell about itself; written by [`service!`](crate::service).
pub trait Service: 'static {
    /// Its name: token audience, metrics label, Postgres schema and settings prefix.
    const NAME: &'static str = <Self::Own as OwnSettings>::SERVICE;
    type Own: OwnSettings;
    type State: Start<Own = Self::Own>;

    /// Its OpenAPI document (YAML, from openapi/), served at `/api/v1/openapi.json`.
    const OPENAPI: &'static str;

    /// Its embedded migrations (the platform's run first).
    fn migrations() -> refinery::Runner;

    fn api(state: Self::State) -> BoxedFilter<(Response,)>;

    /// Its background work, started when the service runs and stopped with it.
    fn tasks(_state: &Self::State) -> Vec<Task> {
        Vec::new()
    }
}

/// Declares a service: `service!(/// doc Name: State, openapi: "name")` or with
/// `, tasks: path::to::tasks` after it. Its routes are `crate::routes::api`, its
/// migrations the crate's `migrations/` folder, its OpenAPI document `openapi/<name>.yaml`
/// at the repository's root, its state made by the state's [`Start`]; the macro also names
/// `Application`, the built and bound service.
#[macro_export]
#[expect(clippy::crate_in_macro_def, reason = "a service's routes live in its own crate, where the macro is called")]
macro_rules! service {
    ($(#[$doc:meta])* $name:ident: $state:ty, openapi: $openapi:literal $(, tasks: $tasks:path)? $(,)?) => {
        $(#[$doc])*
        pub struct $name;

        /// The service, built and bound, not yet running.
        pub type Application = $crate::shell::App<$name>;

        impl $crate::shell::Service for $name {
            type Own = <$state as $crate::shell::Start>::Own;
            type State = $state;

            const OPENAPI: &'static str =
                include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/", $openapi, ".yaml"));

            $crate::embedded_migrations!();

            fn api(state: $state) -> $crate::http::Routed {
                crate::routes::api(state)
            }

            $(
                fn tasks(state: &$state) -> ::std::vec::Vec<$crate::shell::Task> {
                    $tasks(state)
                }
            )?
        }
    };
}

/// Background work of a service; given the service's metrics when it starts.
pub struct Task(Box<dyn FnOnce(crate::telemetry::Metrics) -> BoxFuture<'static, ()> + Send>);

impl Task {
    /// Runs `round(state)` at once and then every `interval`; a failed round is logged
    /// and the next one tried. Every round is counted by outcome (`zegel_task_runs_total`).
    pub fn every<S, F, Fut, T, E>(interval: Duration, what: &'static str, state: S, round: F) -> Self
    where
        S: Clone + Send + Sync + 'static,
        F: Fn(S) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        E: std::fmt::Display,
    {
        Self(Box::new(move |metrics| {
            Box::pin(async move {
                let mut tick = tokio::time::interval(interval);
                loop {
                    tick.tick().await;
                    // Each round its own span (a trace of its own): what it logs names it.
                    let span = tracing::info_span!("task", otel.name = what, zegel.task = what);
                    let result = tracing::Instrument::instrument(round(state.clone()), span.clone()).await;
                    metrics.task_run(what, result.is_ok());
                    if let Err(e) = result {
                        span.in_scope(|| {
                            tracing::error!(
                                error = format!("{e:#}"),
                                task = what,
                                "periodic task failed; retrying next interval"
                            )
                        });
                    }
                }
            })
        }))
    }

    /// Runs `work` until the service stops (a stream consumer, a dispatcher).
    pub fn run(work: impl Future<Output = ()> + Send + 'static) -> Self {
        Self(Box::new(move |_| Box::pin(work)))
    }

    fn spawn(self, metrics: &crate::telemetry::Metrics) -> JoinHandle<()> {
        tokio::spawn((self.0)(metrics.clone()))
    }
}

/// The `migrations` of a [`Service`]: the files in the service crate's `migrations/`,
/// embedded in its binary (its `build.rs` reruns the build when one is added).
#[macro_export]
macro_rules! embedded_migrations {
    () => {
        fn migrations() -> refinery::Runner {
            mod embedded {
                refinery::embed_migrations!("migrations");
            }
            embedded::migrations::runner()
        }
    };
}

/// Runs the platform's and then the service's migrations in its schema.
pub async fn migrate<S: Service>(common: &CommonSettings) -> Result<(), crate::db::DbError> {
    crate::db::migrate(&common.database()?, S::NAME, S::migrations()).await
}

/// A built, bound, not yet running service.
pub struct App<S: Service> {
    port: u16,
    internal_port: u16,
    listeners: crate::server::Listeners,
    state: S::State,
    shutdown: Shutdown,
    _service: PhantomData<S>,
}

impl<S: Service> App<S> {
    pub async fn build(settings: Settings<S::Own>) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Clock::system()).await
    }

    /// Builds the service on `clock`, binding its configured ports (0 picks a free one).
    pub async fn build_with_clock(settings: Settings<S::Own>, clock: Clock) -> anyhow::Result<Self> {
        let (port, internal) = (settings.port, settings.internal_port);
        Self::build_on(settings, clock, port, internal).await
    }

    /// Builds the service on `clock`, binding `port` and `internal_port` whatever the
    /// settings say (the test kit starts every service on ports 0).
    pub async fn build_on(
        settings: Settings<S::Own>,
        clock: Clock,
        port: u16,
        internal_port: u16,
    ) -> anyhow::Result<Self> {
        let core = Core::build(&settings.common, S::NAME, <S::State as Start>::WARM).await?;
        let state = <S::State as Start>::start(core, clock, &settings).await?;
        let host = settings.common.host;
        let bind = async |port: u16| {
            crate::server::bind(std::net::SocketAddr::new(host, port))
                .await
                .map_err(|e| anyhow::anyhow!("cannot bind {host}:{port}: {e}"))
        };
        let (public, port) = bind(port).await?;
        let (internal, internal_port) = bind(internal_port).await?;
        Ok(Self {
            port,
            internal_port,
            listeners: crate::server::Listeners { public, internal },
            state,
            shutdown: Shutdown::default(),
            _service: PhantomData,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The bound internal port (`/metrics`).
    pub fn internal_port(&self) -> u16 {
        self.internal_port
    }

    /// The shared state (tests use its clock and pool).
    pub fn state(&self) -> &S::State {
        &self.state
    }

    pub fn shutdown_handle(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// Serves until SIGINT/SIGTERM or the shutdown handle, with the outbox relay, the
    /// sweep of quiet client addresses and the service's own tasks running; they stop
    /// when the server does.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let core = self.state.core().clone();
        let mut tasks: Vec<JoinHandle<()>> =
            S::tasks(&self.state).into_iter().map(|t| t.spawn(&core.metrics)).collect();
        tasks.push(tokio::spawn(core.relay.clone().run()));
        tasks.push(
            Task::every(IDEMPOTENCY_PURGE, "idempotency key purge", core.pool.clone(), async |pool| {
                crate::idempotency::purge(&pool).await
            })
            .spawn(&core.metrics),
        );
        tasks.push(
            // The first round comes after one interval: at start there is nothing to forget.
            Task::run({
                let core = core.clone();
                async move {
                    let start = tokio::time::Instant::now() + FORGET_QUIET_CLIENTS;
                    let mut tick = tokio::time::interval_at(start, FORGET_QUIET_CLIENTS);
                    loop {
                        tick.tick().await;
                        core.forget_quiet_clients();
                    }
                }
            })
            .spawn(&core.metrics),
        );
        crate::server::run(
            S::NAME,
            warp::Filter::boxed(warp::Filter::unify(warp::Filter::or(
                warp::Filter::unify(warp::Filter::or(S::api(self.state), crate::server::document(S::OPENAPI))),
                crate::server::preflight(S::OPENAPI),
            ))),
            core.pool.clone(),
            core.bus.clone(),
            core.metrics.clone(),
            self.listeners,
            self.shutdown,
        )
        .await;
        for task in tasks {
            task.abort();
        }
        Ok(())
    }
}

/// The whole `main` of a service binary: `<binary> serve | migrate`. Invalid settings stop
/// the start with exit code 2 and a message naming the variable.
pub async fn main<S: Service>() -> ExitCode {
    let binary = format!("zegel-{}", S::NAME);
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    let loaded = if command == "migrate" {
        Settings::<S::Own>::to_migrate(std::env::vars())
    } else {
        Settings::<S::Own>::from_env()
    };
    let settings = match loaded {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{binary}: {e}");
            return ExitCode::from(2);
        }
    };
    let traces =
        match crate::telemetry::install(settings.common.log_format, settings.common.trace_export(S::NAME).as_ref()) {
            Ok(exporter) => exporter,
            Err(e) => {
                eprintln!("{binary}: {e}");
                return ExitCode::from(2);
            }
        };
    let result = match command.as_str() {
        "migrate" => {
            async {
                crate::db::ensure_database(&settings.common.database()?).await?;
                migrate::<S>(&settings.common).await?;
                tracing::info!("migrations applied");
                Ok(())
            }
            .await
        }
        "serve" => async { App::<S>::build(settings).await?.run_until_stopped().await }.await,
        other => {
            eprintln!("usage: {binary} [serve|migrate] (got {other:?})");
            return ExitCode::from(2);
        }
    };
    // The last spans go out before the process ends (exporting blocks: not on a worker).
    let _ = tokio::task::spawn_blocking(move || traces.shutdown()).await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "stopped");
            eprintln!("{binary}: {e:#}");
            ExitCode::FAILURE
        }
    }
}
