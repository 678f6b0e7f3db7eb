//! Rate limits: per client address for public endpoints, per caller as a budget for writes.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::problem::Problem;
use crate::request::{Request, client_key};

/// Whom a limit counts: a client address, or a token's caller.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Caller {
    /// An address (an IPv6 client per /64).
    Address(IpAddr),
    /// A token's subject, organisation and roles ([`crate::auth::Principal::scope`]).
    Token(String),
}

/// Per-address rate limit for public endpoints; as a budget for writes, per caller
/// ([`charge_caller`](Self::charge_caller)).
#[derive(Clone)]
pub struct PublicLimiter {
    limiter: Arc<DefaultKeyedRateLimiter<Caller>>,
    trusted: Arc<Vec<ipnet::IpNet>>,
}

impl std::fmt::Debug for PublicLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PublicLimiter")
    }
}

impl PublicLimiter {
    /// At most `per_minute` requests a minute per client address, in bursts of as many.
    pub fn per_minute(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        Self { limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(n))), trusted: Arc::default() }
    }

    /// At most `per_hour` requests an hour per client address, in bursts of as many.
    pub fn per_hour(per_hour: u32) -> Self {
        let n = NonZeroU32::new(per_hour).unwrap_or(NonZeroU32::MIN);
        Self { limiter: Arc::new(RateLimiter::keyed(Quota::per_hour(n))), trusted: Arc::default() }
    }

    /// The same limit, counting the clients that `trusted` proxies name.
    pub fn behind(self, trusted: Arc<Vec<ipnet::IpNet>>) -> Self {
        Self { trusted, ..self }
    }

    /// The same limit, believing the proxies `other` believes.
    pub fn behind_the_same_proxies_as(self, other: &PublicLimiter) -> Self {
        self.behind(other.trusted.clone())
    }

    /// 429 with `Retry-After` when the caller's address is over its limit.
    pub fn check(&self, req: &Request) -> Result<(), Problem> {
        self.charge(req, 1)
    }

    /// Like [`check`](Self::check), charging `n` requests at once (a bulk request costs
    /// what its items would cost one by one). More than the whole burst is refused.
    pub fn charge(&self, req: &Request, n: u32) -> Result<(), Problem> {
        let Some(client) = client_key(req.remote.map(|a| a.ip()), req.forwarded.as_deref(), &self.trusted) else {
            return Ok(());
        };
        self.take(&Caller::Address(client), n)
    }

    /// One write against the caller's budget: a token's subject with its organisation and
    /// roles (a person acting for two organisations has two budgets; two persons of one
    /// organisation have one each), or the address of a caller without a token (or with
    /// no role, as the anonymous worker's actor).
    pub fn charge_caller(&self, req: &Request, caller: Option<&crate::auth::Principal>) -> Result<(), Problem> {
        self.charge_caller_n(req, caller, 1)
    }

    /// Like [`charge_caller`](Self::charge_caller), `n` writes at once (a bulk request).
    pub fn charge_caller_n(
        &self,
        req: &Request,
        caller: Option<&crate::auth::Principal>,
        n: u32,
    ) -> Result<(), Problem> {
        match caller.filter(|p| !p.roles.is_empty()) {
            Some(p) => self.take(&Caller::Token(p.scope()), n),
            None => self.charge(req, n),
        }
    }

    /// One unit against the budget of `key` (a party the service names itself, such as a
    /// webhook subscriber), wherever the request comes from.
    pub fn charge_key(&self, key: &str) -> Result<(), Problem> {
        self.take(&Caller::Token(key.to_string()), 1)
    }

    fn take(&self, caller: &Caller, n: u32) -> Result<(), Problem> {
        let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        match self.limiter.check_key_n(caller, n) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Err(Problem::rate_limited(wait.as_secs() + 1))
            }
            // Never affordable in one go: wait for the whole quota to come back.
            Err(_) => Err(Problem::rate_limited(3600)),
        }
    }

    /// Forgets addresses that have been quiet; call now and then to bound memory.
    pub fn forget_quiet(&self) {
        self.limiter.retain_recent();
    }

    /// How many client addresses it holds now.
    pub fn remembered(&self) -> usize {
        self.limiter.len()
    }
}
