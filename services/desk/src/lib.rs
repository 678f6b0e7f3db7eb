//! The seal desk: the one place a seal is issued, for any register.
//!
//! A register decides *whether* it may seal (its own rule: a valid certificate, an
//! adequate deposit, a certified building); the desk does everything after that, the same
//! way for all: the claims, an expiry bounded by the register's maximum, by what the seal
//! attests and by the signer certificate, the seal row, the audit entry, the URL the QR
//! code holds, and the QR code in SVG and PNG. It also serves the one QR route and names
//! the one "seal not issued" problem.
//!
//! Every register that issues seals keeps them in its own schema behind one shape, the
//! view `seal_row (seal_id, subject, attests, token, kid, issued_at, expires_at,
//! issued_by, status_index)` over its `seal` table (a simple view, so Postgres writes through it), so
//! one statement serves them all.

use platform::problem::Kind;
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Pool};
use platform::audit::{self, Actor};
use platform::core::Core;
use platform::error::{Error, Result};
use platform::http::{PublicLimiter, Request, parse_json, request, respond};
use serde_json::{Value, json};
use uuid::Uuid;
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::reply::Response;

use zegel_attest::qr::{self, Rendering};
use zegel_attest::seal::{Register, Signer};

#[derive(Clone, Debug)]
pub struct Desk {
    signer: Arc<Signer>,
    verify_url: Arc<str>,
    max_days: u32,
}

/// What a register asks the desk to seal, once its own rule allowed it.
#[derive(Debug)]
pub struct Order<'a> {
    /// What the seal is about: a KvK number or a BAG id.
    pub subject: &'a str,
    /// The record it attests (certificate, G-account, mark), if the register has one.
    pub attests: Option<Uuid>,
    /// When what it attests ends: the seal never outlives it.
    pub until: Option<DateTime<Utc>>,
    /// Short display facts (a building's capacity); never personal data or amounts.
    pub facts: BTreeMap<String, Value>,
    pub actor: Actor,
    /// The audit action, e.g. `deposit.seal.issue`.
    pub action: &'a str,
    /// The audit subject (the register's record the trail hangs on).
    pub audit_subject: &'a str,
    pub request_id: &'a str,
    pub now: DateTime<Utc>,
}

impl<'a> Order<'a> {
    /// An order to seal `subject`, asked by `actor` in `request_id` at `now`, recorded in
    /// the audit trail as `action` on the subject.
    pub fn new(subject: &'a str, actor: Actor, action: &'a str, request_id: &'a str, now: DateTime<Utc>) -> Self {
        Self {
            subject,
            attests: None,
            until: None,
            facts: BTreeMap::new(),
            actor,
            action,
            audit_subject: subject,
            request_id,
            now,
        }
    }

    /// The seal attests this record, and never outlives `until` where that is known.
    pub fn attests(mut self, record: Uuid, until: Option<DateTime<Utc>>) -> Self {
        self.attests = Some(record);
        self.until = until;
        self
    }

    pub fn fact(mut self, key: &str, value: Value) -> Self {
        self.facts.insert(key.to_string(), value);
        self
    }

    /// The audit trail entry hangs on this record instead of the subject.
    pub fn audited_on(mut self, record: &'a str) -> Self {
        self.audit_subject = record;
        self
    }
}

#[derive(Debug, Clone)]
pub struct Issued {
    pub seal_id: Uuid,
    pub token: String,
    /// The URL its QR code holds: the lookup's page for it.
    pub url: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl Issued {
    /// The answer to a seal request, the same for every register: the seal, its URL, its
    /// QR code as SVG and base64 PNG, and its times.
    pub fn view(&self) -> Result<Value> {
        qr::issued_json(self.seal_id, &self.token, &self.url, self.issued_at, self.expires_at).map_err(not_issued)
    }
}

/// A seal or its QR code could not be made.
pub fn not_issued(e: impl std::fmt::Display) -> Error {
    Error::Conflict { kind: Kind::SealNotIssued, detail: e.to_string() }
}

/// The URL a seal's QR code holds: the lookup's page for it.
pub fn link(verify_url: &str, token: &str) -> String {
    format!("{verify_url}/v/{token}")
}

/// A seal request says nothing: its body is empty or `{}` (400/415/422 otherwise).
pub fn nothing_said(req: &Request, body: &[u8]) -> Result<()> {
    if !body.is_empty() {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Nothing {}
        let _: Nothing = parse_json(req, body)?;
    }
    Ok(())
}

/// The settings of a register that seals: which register it is, and where its key is.
pub trait SealSettings: platform::shell::OwnSettings {
    const REGISTER: Register;
    /// Its signing key file and certificate file (PEM; empty: its development ones under
    /// `certs/dev/`) and the most days one of its seals lives.
    fn seal_files(&self) -> (&str, &str, u32);
}

impl Desk {
    /// The desk of a register, from its settings; the end of its signing certificate is
    /// exposed in `metrics` (`zegel_key_not_after_seconds{kind="seal_certificate"}`), so the
    /// alert fires weeks before its seals could no longer be issued.
    pub fn of<O: SealSettings>(
        settings: &platform::shell::Settings<O>,
        metrics: &platform::telemetry::Metrics,
    ) -> anyhow::Result<Self> {
        let (key, cert, days) = settings.own.seal_files();
        let desk = Self::from_files(O::REGISTER, key, cert, &settings.common.verify_url, days)?;
        metrics.key_not_after("seal_certificate", desk.signer.not_after());
        Ok(desk)
    }

    /// The desk of `register`, signing with the key and certificate in these files (an
    /// empty path: the register's development key under `certs/dev/`); its seals live
    /// `max_days` at most and point at the lookup at `verify_url`.
    pub fn from_files(
        register: Register,
        key_path: &str,
        cert_path: &str,
        verify_url: &str,
        max_days: u32,
    ) -> anyhow::Result<Self> {
        let dev = |file: String| format!("{}/../../certs/dev/{file}", env!("CARGO_MANIFEST_DIR"));
        let key_path =
            if key_path.is_empty() { dev(format!("{}-key.pem", register.service())) } else { key_path.into() };
        let cert_path =
            if cert_path.is_empty() { dev(format!("{}.pem", register.service())) } else { cert_path.into() };
        let signer = Signer::from_files(register, &key_path, &cert_path)?;
        Ok(Self { signer: Arc::new(signer), verify_url: verify_url.trim_end_matches('/').into(), max_days })
    }

    pub fn kid(&self) -> &str {
        self.signer.kid()
    }

    pub fn verify_url(&self) -> &str {
        &self.verify_url
    }

    /// The URL a seal's QR code holds.
    pub fn link(&self, token: &str) -> String {
        link(&self.verify_url, token)
    }

    /// Signs a seal about `subject` at `now` without storing it (the lookup's receipts,
    /// which it stores with the check they prove).
    pub fn sign(
        &self,
        subject: &str,
        now: DateTime<Utc>,
        until: Option<DateTime<Utc>>,
        facts: BTreeMap<String, Value>,
    ) -> Result<Issued> {
        self.sign_listed(subject, (now, until), facts, None)
    }

    fn sign_listed(
        &self,
        subject: &str,
        (now, until): (DateTime<Utc>, Option<DateTime<Utc>>),
        facts: BTreeMap<String, Value>,
        index: Option<u64>,
    ) -> Result<Issued> {
        let limit = until.map(|u| u.timestamp());
        let signed =
            self.signer.issue_for(subject, now.timestamp(), self.max_days, limit, facts, index).map_err(not_issued)?;
        // issue_for never returns an expiry outside chrono's range; `now` is a safe floor.
        let expires_at = DateTime::<Utc>::from_timestamp(signed.expires_at, 0).unwrap_or(now);
        Ok(Issued {
            seal_id: signed.seal_id,
            url: self.link(&signed.token),
            token: signed.token,
            issued_at: now,
            expires_at,
        })
    }

    /// Signs `list`, the statuses of `covers`' seals, as published at this lookup
    /// ([`zegel_attest::status::uri`] of the verify URL), made at `now`, fetched again after `ttl`
    /// seconds and used no longer than until `expires_at`.
    pub fn status_list(
        &self,
        covers: Register,
        list: &zegel_attest::status::StatusList,
        times: (i64, i64, i64),
    ) -> std::result::Result<String, zegel_attest::seal::SealError> {
        self.signer.status_list(covers, &zegel_attest::status::uri(&self.verify_url, covers), list, times)
    }

    /// Signs and records a seal in the caller's transaction: the seal row and the audit
    /// entry commit with whatever else the request changes, or not at all.
    ///
    /// The seal carries its index in the register's status list: the next value of the
    /// register's `status_index_seq` sequence, never used twice (a rolled-back seal leaves a gap,
    /// which the list holds as an unused entry).
    pub async fn issue(&self, tx: &impl GenericClient, order: Order<'_>) -> Result<Issued> {
        let next = tx.prepare_cached("select nextval('status_index_seq')").await?;
        let index: i64 = tx.query_one(&next, &[]).await?.get(0);
        // The sequence starts at 0 and only grows.
        let listed = u64::try_from(index).map_err(not_issued)?;
        let issued = self.sign_listed(order.subject, (order.now, order.until), order.facts, Some(listed))?;
        let stmt = tx
            .prepare_cached(
                "insert into seal_row (seal_id, subject, attests, token, kid, issued_at, expires_at, issued_by, status_index) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .await?;
        tx.execute(
            &stmt,
            &[
                &issued.seal_id,
                &order.subject,
                &order.attests,
                &issued.token,
                &self.kid(),
                &issued.issued_at,
                &issued.expires_at,
                &order.actor.subject,
                &index,
            ],
        )
        .await?;
        audit::Entry::new(order.actor, order.action, order.audit_subject, order.request_id)
            .after(json!({ "seal_id": issued.seal_id, "kid": self.kid(), "expires_at": issued.expires_at }))
            .record(tx)
            .await?;
        Ok(issued)
    }

    /// GET /api/v1/seals/{id}/qr.svg and /api/v1/seals/{id}/qr.png — public, rate limited;
    /// the image never changes for its URL.
    pub fn qr_route(&self, core: &Core) -> BoxedFilter<(Response,)> {
        let (pool, limiter, desk) = (core.pool.clone(), core.limiter.clone(), self.clone());
        warp::path!("api" / "v1" / "seals" / String / Rendering)
            .and(warp::get())
            .and(request())
            .then(move |id: String, rendering: Rendering, req: Request| {
                let (pool, limiter, desk) = (pool.clone(), limiter.clone(), desk.clone());
                async move {
                    let result = desk.render(&pool, &limiter, &req, &id, rendering).await;
                    respond(&req, result.map_err(|e| e.to_problem(&req.id)))
                }
            })
            .boxed()
    }

    async fn render(
        &self,
        pool: &Pool,
        limiter: &PublicLimiter,
        req: &Request,
        id: &str,
        rendering: Rendering,
    ) -> Result<Response> {
        limiter.check(req)?;
        let id = platform::http::uuid_in_path(id, "seal")?;
        let client = pool.get().await?;
        let stmt = client.prepare_cached("select token from seal_row where seal_id = $1").await?;
        let token: String = client
            .query_opt(&stmt, &[&id])
            .await?
            .map(|r| r.get(0))
            .ok_or_else(|| Error::NotFound(format!("No seal {id}.")))?;
        let code = qr::render(&self.link(&token)).map_err(not_issued)?;
        let (bytes, media_type) = code.into_image(rendering);
        Ok(platform::http::immutable_image(bytes, media_type))
    }
}

/// What every handler of a register shares when all it needs besides the platform's parts
/// is its settings and its seal desk (deposits, G-accounts): one state type for such
/// registers, `Own` their settings and `E` their error.
pub struct Sealing<Own, E> {
    /// Pool, bus, auth, relay, limiters, metrics.
    pub core: Core,
    pub clock: platform::clock::Clock,
    pub settings: Arc<Own>,
    /// Issues this register's seals (signer, lookup URL, QR codes).
    pub desk: Desk,
    // The error type belongs to the service; the state holds none.
    error: std::marker::PhantomData<fn() -> E>,
}

impl<Own, E> Sealing<Own, E> {
    pub fn new(core: Core, clock: platform::clock::Clock, settings: Own, desk: Desk) -> Self {
        Self { core, clock, settings: Arc::new(settings), desk, error: std::marker::PhantomData }
    }
}

impl<Own, E> platform::shell::Start for Sealing<Own, E>
where
    Own: SealSettings,
    E: platform::core::ServiceError + 'static,
{
    type Own = Own;

    async fn start(
        core: Core,
        clock: platform::clock::Clock,
        settings: &platform::shell::Settings<Own>,
    ) -> anyhow::Result<Self> {
        let desk = Desk::of(settings, &core.metrics)?;
        Ok(Self::new(core, clock, settings.own.clone(), desk))
    }
}

// By hand: a derive would ask `Own` and `E` to be `Clone`, which an `Arc` does not need.
impl<Own, E> Clone for Sealing<Own, E> {
    fn clone(&self) -> Self {
        Self {
            core: self.core.clone(),
            clock: self.clock.clone(),
            settings: self.settings.clone(),
            desk: self.desk.clone(),
            error: std::marker::PhantomData,
        }
    }
}

impl<Own, E> std::fmt::Debug for Sealing<Own, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealing").field("desk", &self.desk).finish_non_exhaustive()
    }
}

impl<Own, E> platform::core::State for Sealing<Own, E>
where
    Own: Send + Sync + 'static,
    E: platform::core::ServiceError + 'static,
{
    type Error = E;

    fn core(&self) -> &Core {
        &self.core
    }
}
