//! What every service is built from: its pool, bus, token verifier, outbox relay, rate
//! limiters and metrics, made from the shared settings in one place; and the [`State`]
//! contract through which the shared request helpers reach them.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use deadpool_postgres::Pool;

use crate::auth::{Authenticator, Principal};
use crate::bus::Bus;
use crate::config::CommonSettings;
use crate::limiter::PublicLimiter;
use crate::outbox::Relay;
use crate::problem::Problem;
use crate::request::Request;
use crate::telemetry::Metrics;

#[derive(Clone, Debug)]
pub struct Core {
    pub pool: Pool,
    pub bus: Bus,
    /// Verifies bearer tokens for the service's audience.
    pub auth: Arc<Authenticator>,
    pub relay: Relay,
    pub limiter: PublicLimiter,
    /// Every caller's budget of writes an hour (`ZEGEL_WRITES_PER_HOUR`), charged by the
    /// shared write path; stricter budgets of single writes sit in the services' states.
    pub writes: PublicLimiter,
    pub metrics: Metrics,
    pub fingerprints: crate::idempotency::Fingerprints,
    /// Every producer's event verifying key: consumers act only on events they verify.
    pub event_keys: Arc<crate::provenance::EventKeys>,
    /// Every limiter of the service, so that the shell can forget quiet addresses in all
    /// of them (a limiter that is never swept keeps every address it saw until restart).
    limiters: Arc<Mutex<Vec<PublicLimiter>>>,
    /// The named budgets of single writes ([`Core::budget`]).
    budgets: Arc<Mutex<std::collections::HashMap<&'static str, PublicLimiter>>>,
}

impl Core {
    /// Builds the parts of `service`, working in the schema of the same name.
    pub async fn build(
        common: &CommonSettings,
        service: &'static str,
        warm: Option<crate::db::Warm>,
    ) -> anyhow::Result<Self> {
        let pool = crate::db::warmed_pool(&common.database()?, service, common.db_pool_size, warm)?;
        if common.env == crate::config::Environment::Production {
            refuse_superuser(&pool).await?;
        }
        let bus = Bus::connect(common.redis(), &common.redis_prefix)?;
        let audience = crate::auth::audience(service);
        let auth = Arc::new(Authenticator::with_issuers(&audience, common.issuers()).await?);
        auth.spawn_refresh(Duration::from_secs(300));
        let keys_dir = &common.event_keys_dir;
        let signer = crate::provenance::EventSigner::load(keys_dir, service)
            .map_err(|e| anyhow::anyhow!("ZEGEL_EVENT_KEYS_DIR: the event signing key of {service}: {e}"))?;
        let event_keys = crate::provenance::EventKeys::load(keys_dir)
            .map_err(|e| anyhow::anyhow!("ZEGEL_EVENT_KEYS_DIR: the event verifying keys: {e}"))?;
        let relay = Relay::new(pool.clone(), bus.clone(), signer, Duration::from_millis(common.relay_interval_ms))
            .replicated_to(common.redis_min_replicas);
        let limiter =
            PublicLimiter::per_minute(common.public_rate_per_minute).behind(Arc::new(common.trusted_proxies.clone()));
        let writes = PublicLimiter::per_hour(common.writes_per_hour).behind_the_same_proxies_as(&limiter);
        Ok(Self {
            pool,
            bus,
            auth,
            relay,
            limiters: Arc::new(Mutex::new(vec![limiter.clone(), writes.clone()])),
            budgets: Arc::default(),
            limiter,
            writes,
            metrics: Metrics::new(),
            fingerprints: crate::idempotency::Fingerprints::new(&common.idempotency_secret),
            event_keys: Arc::new(event_keys),
        })
    }

    /// Registers another limiter (a stricter one for one endpoint), so that it is swept
    /// with the others.
    pub fn limiter_of(&self, limiter: PublicLimiter) -> PublicLimiter {
        let limiter = limiter.behind_the_same_proxies_as(&self.limiter);
        if let Ok(mut all) = self.limiters.lock() {
            all.push(limiter.clone());
        }
        limiter
    }

    /// The budget named `name` — at most `per_hour` of one write an hour per caller
    /// ([`PublicLimiter::charge_caller`]) — made on first use and kept (and swept) with the
    /// service's other limiters. For writes whose real use is far below the general
    /// budget (`writes`): a worker's claim, a hirer's accident report.
    pub fn budget(&self, name: &'static str, per_hour: u32) -> PublicLimiter {
        let mut budgets = self.budgets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        budgets.entry(name).or_insert_with(|| self.limiter_of(PublicLimiter::per_hour(per_hour))).clone()
    }

    /// Forgets the addresses that have been quiet, in every limiter of the service.
    pub fn forget_quiet_clients(&self) {
        let all = self.limiters.lock().map(|all| all.clone()).unwrap_or_default();
        for limiter in all {
            limiter.forget_quiet();
        }
    }

    /// How many client addresses all limiters of the service hold now.
    pub fn remembered_clients(&self) -> usize {
        self.limiters.lock().map(|all| all.iter().map(PublicLimiter::remembered).sum()).unwrap_or_default()
    }

    /// The caller's principal, or a bare 401 problem.
    pub fn authenticate(&self, req: &Request) -> Result<Principal, Problem> {
        self.auth.authenticate(req.authorization.as_deref())
    }
}

/// A service in production connects as its own role, never as a superuser (who could turn
/// off the append-only guards and read every register).
async fn refuse_superuser(pool: &Pool) -> anyhow::Result<()> {
    let client = pool.get().await.map_err(|e| anyhow::anyhow!("ZEGEL_DATABASE_URL: cannot connect: {e}"))?;
    let row = client.query_one("select rolsuper from pg_roles where rolname = session_user", &[]).await?;
    if row.get::<_, bool>(0) {
        anyhow::bail!("ZEGEL_DATABASE_URL: connects as a superuser; in production a service connects as its own role");
    }
    Ok(())
}

/// The error type of a service, as the shared request helpers need it: built from the
/// shared failures, and turned into a problem in one place.
pub trait ServiceError:
    From<Problem>
    + From<deadpool_postgres::PoolError>
    + From<tokio_postgres::Error>
    + From<crate::idempotency::BeginError>
    + Send
    + 'static
{
    /// The problem the client sees; infrastructure causes are logged here, once.
    fn to_problem(&self, request_id: &str) -> Problem;
}

impl ServiceError for crate::error::Error {
    fn to_problem(&self, request_id: &str) -> Problem {
        crate::error::Error::to_problem(self, request_id)
    }
}

/// What a service's handlers share: its [`Core`] and its error type.
pub trait State: Clone + Send + Sync + 'static {
    type Error: ServiceError;
    /// Pool, bus, auth, relay, limiters, metrics.
    fn core(&self) -> &Core;
}
