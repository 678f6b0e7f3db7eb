//! Sessions: a random id in a cookie (HttpOnly, Secure, SameSite=Lax: sent when the
//! provider sends the browser back, never by another site's form), and what it stands for
//! kept in Redis under the SHA-256 of that id, so that a copy of Redis holds no cookie
//! anyone could use. A session ends after [`Lifetimes::idle`] without a request and at
//! [`Lifetimes::absolute`] after the login whatever happens; logging out ends it at once.
//! Each session carries its own CSRF token, which every form of the workbench posts back.
//!
//! A login attempt (state, nonce, PKCE verifier) waits in Redis the same way, under a
//! cookie of its own that lives ten minutes: the browser that comes back with the code
//! must be the one that went, so nobody can log a victim in as themselves.

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine;
use platform::bus::Bus;
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::login::{Attempt, Person, RegisterToken};

/// The session cookie's name.
pub const COOKIE: &str = "zegel_session";
/// The login attempt's cookie.
pub const ATTEMPT_COOKIE: &str = "zegel_login";
/// How long a login attempt may take at the provider.
pub const ATTEMPT_LIFETIME: Duration = Duration::from_secs(600);

/// How long a session may last.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    pub idle: Duration,
    pub absolute: Duration,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Session {
    pub person: Person,
    /// Every form's hidden `csrf` field must carry it.
    pub csrf: String,
    /// Seconds since the epoch.
    pub started_at: u64,
    /// The person's tokens for the registers asked so far, by service.
    pub tokens: BTreeMap<String, RegisterToken>,
}

impl Session {
    /// Whether `posted` is this session's CSRF token (compared in constant time).
    pub fn csrf_matches(&self, posted: &str) -> bool {
        let (a, b) = (self.csrf.as_bytes(), posted.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the session store is unavailable: {0}")]
pub struct StoreError(#[from] redis::RedisError);

#[derive(Debug, Clone)]
pub struct Sessions {
    bus: Bus,
    lifetimes: Lifetimes,
    /// The service's clock: the absolute end is counted on it (movable in tests); the idle
    /// time is Redis's own expiry.
    clock: platform::clock::Clock,
}

fn random_id() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl Sessions {
    pub fn new(bus: Bus, lifetimes: Lifetimes, clock: platform::clock::Clock) -> Self {
        Self { bus, lifetimes, clock }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.clock.now().timestamp()).unwrap_or(0)
    }

    fn key(&self, kind: &str, id: &str) -> String {
        let digest = Sha256::digest(id.as_bytes());
        self.bus.key(&format!("workbench:{kind}:{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)))
    }

    /// Keeps a login attempt; the id for its cookie.
    pub async fn begin(&self, attempt: &Attempt) -> Result<String, StoreError> {
        let id = random_id();
        let value = serde_json::to_string(attempt).unwrap_or_default();
        let _: () = self.bus.conn().set_ex(self.key("attempt", &id), value, ATTEMPT_LIFETIME.as_secs()).await?;
        Ok(id)
    }

    /// The attempt of cookie `id`, once: a second callback with it finds nothing.
    pub async fn take_attempt(&self, id: &str) -> Result<Option<Attempt>, StoreError> {
        let value: Option<String> = self.bus.conn().get_del(self.key("attempt", id)).await?;
        Ok(value.and_then(|v| serde_json::from_str(&v).ok()))
    }

    /// A new session for `person`: its cookie id and the session.
    pub async fn open(&self, person: Person) -> Result<(String, Session), StoreError> {
        let session = Session { person, csrf: random_id(), started_at: self.now(), tokens: BTreeMap::new() };
        let id = random_id();
        self.save(&id, &session).await?;
        Ok((id, session))
    }

    /// The session of cookie `id`, if it has not ended; each find counts as activity, so
    /// the idle time starts again (never past the absolute end).
    pub async fn find(&self, id: &str) -> Result<Option<Session>, StoreError> {
        let key = self.key("session", id);
        let value: Option<String> = self.bus.conn().get(&key).await?;
        let Some(session) = value.and_then(|v| serde_json::from_str::<Session>(&v).ok()) else {
            return Ok(None);
        };
        let Some(left) = self.left(&session) else {
            self.close(id).await?;
            return Ok(None);
        };
        let _: () = self.bus.conn().expire(&key, left.as_secs() as i64).await?;
        Ok(Some(session))
    }

    /// Writes `session` (after a token was added) with the time it has left.
    pub async fn save(&self, id: &str, session: &Session) -> Result<(), StoreError> {
        let Some(left) = self.left(session) else { return self.close(id).await };
        let value = serde_json::to_string(session).unwrap_or_default();
        let _: () = self.bus.conn().set_ex(self.key("session", id), value, left.as_secs()).await?;
        Ok(())
    }

    /// Ends the session of cookie `id`.
    pub async fn close(&self, id: &str) -> Result<(), StoreError> {
        let _: () = self.bus.conn().del(self.key("session", id)).await?;
        Ok(())
    }

    /// What `session` may still last: the idle time, or less where the absolute end is
    /// nearer; `None` once that end has passed.
    fn left(&self, session: &Session) -> Option<Duration> {
        let end = session.started_at + self.lifetimes.absolute.as_secs();
        let now = self.now();
        (now < end).then(|| Duration::from_secs((end - now).min(self.lifetimes.idle.as_secs())))
    }

    /// The `Set-Cookie` value for session `id` (`Secure` unless the workbench is served
    /// over plain http on this machine).
    pub fn cookie(name: &str, id: &str, max_age: Duration, secure: bool) -> String {
        let secure = if secure { "; Secure" } else { "" };
        format!("{name}={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}", max_age.as_secs())
    }

    /// The `Set-Cookie` value that removes cookie `name`.
    pub fn removal(name: &str) -> String {
        format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
    }

    pub fn lifetimes(&self) -> Lifetimes {
        self.lifetimes
    }
}
