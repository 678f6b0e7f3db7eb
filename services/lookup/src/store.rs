//! All SQL of the lookup: reading a seal's live status from the register that issued it.
//!
//! Each register publishes a view `<schema>.seal_status (seal_id, subject, status, facts)`
//! as its read contract; the register's own row is the truth, read at the moment of the
//! scan, so a revocation that has returned is visible to the very next scan.

use std::sync::LazyLock;

use deadpool_postgres::Pool;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;
use zegel_attest::{Register, SealStatus};
use zegel_contracts::{CertificateStatus, DepositStanding, Facts, GAccountStatus, Housed, Housing, MarkStatus};

use crate::replica::Fresh;

/// What a scan asks: seal `seal_id` about `subject`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ask {
    pub seal_id: Uuid,
    /// What it is about (its `sub`).
    pub subject: String,
}

/// A register's answer to one ask: the seal's live status and, for a certificate seal, the
/// facts of the agency's standing read in the same statement.
pub type Answer = (Live, Option<Facts>);

#[derive(Debug, Clone, PartialEq)]
pub enum Live {
    Known { status: SealStatus, facts: Value },
    Unknown,
}

/// What the registers say about one agency, each its read contract's row, read in one
/// statement: `<register>.agency_status` views, `housing.agency_buildings` and `housing.agency_declaration`.
#[derive(Debug, Clone, Default)]
pub struct AgencyRows {
    pub certificate: Option<CertificateRow>,
    pub officers: Option<OfficersRow>,
    pub deposit: Option<DepositRow>,
    pub g_account: Option<GAccountRow>,
    /// housing.agency_buildings rows: the buildings it houses workers in today (those it
    /// provides and those it places workers in).
    pub buildings: Vec<BuildingRow>,
    /// housing.agency_declaration: it has declared that it houses no one.
    pub declared_no_one: bool,
    /// For a hirer's own check only (`certificates.open_safety_checks`): whether a safety
    /// check after an accident at that hirer is outstanding. `None`: not a hirer's check.
    pub safety_check_outstanding: Option<bool>,
}

/// certificates.agency_status. (Times stay as the register wrote them.)
#[derive(Debug, Clone, Deserialize)]
pub struct CertificateRow {
    pub name: Option<String>,
    pub status: CertificateStatus,
    pub changed_at: Option<String>,
    pub norm: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OfficersRow {
    /// No officer under a ban that covers their role.
    pub clear: bool,
    pub changed_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DepositRow {
    pub status: DepositStanding,
    pub changed_at: Option<String>,
    pub top_up_by: Option<String>,
    /// Claims filed and not settled.
    #[serde(default)]
    pub open_claims: i64,
    /// Fines filed and not paid.
    #[serde(default)]
    pub unpaid_fines: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GAccountRow {
    pub status: GAccountStatus,
    pub iban: Option<String>,
    pub changed_at: Option<String>,
}

/// housing.agency_buildings (which holds no address: the lookup needs none).
#[derive(Debug, Clone, Deserialize)]
pub struct BuildingRow {
    /// BAG id (to tell the buildings apart; never shown).
    pub bag_id: String,
    pub mark_status: MarkStatus,
    pub mark_since: Option<String>,
    /// Certified and within its year (SQL null — a certified mark without an end date —
    /// counts as not certified).
    #[serde(default, deserialize_with = "null_is_false")]
    pub certified: bool,
}

impl AgencyRows {
    /// Where the agency houses workers: the buildings it uses, else its declaration.
    pub fn housing(&self) -> zegel_contracts::Housing {
        let used = self.buildings.iter().map(|b| Housed {
            bag_id: b.bag_id.clone(),
            mark: b.mark_status,
            certified: b.certified,
        });
        zegel_contracts::Housing::of(used.collect(), self.declared_no_one)
    }
}

#[derive(Debug, Deserialize)]
struct InUse {
    bag_id: String,
    mark_status: MarkStatus,
    #[serde(default, deserialize_with = "null_is_false")]
    certified: bool,
}

fn null_is_false<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(d)?.unwrap_or(false))
}

fn row<T: for<'de> Deserialize<'de>>(v: Option<Value>) -> anyhow::Result<Option<T>> {
    Ok(v.map(serde_json::from_value).transpose()?)
}

/// Every register's answer about the agency `$K`, as select expressions: one round trip
/// for all of them.
const AGENCY: &str = "(select row_to_json(c) from certificates.agency_status c where c.kvk_number = $K),
    (select row_to_json(b) from bans.agency_status b where b.kvk_number = $K),
    (select row_to_json(d) from deposits.agency_status d where d.kvk_number = $K),
    (select row_to_json(g) from gaccounts.agency_status g where g.kvk_number = $K),
    (select coalesce(json_agg(h order by h.bag_id), '[]'::json) from housing.agency_buildings h where h.kvk_number = $K),
    (select houses_no_one from housing.agency_declaration h where h.kvk_number = $K)";

static AGENCY_ALONE: LazyLock<String> = LazyLock::new(|| format!("select {}", AGENCY.replace("$K", "$1")));

/// The scans of one batch, in the order asked: `$1` their seal ids, `$2` their subjects.
/// `offset 0` keeps each seal an indexed read of its own (the planner cannot know how long
/// the arrays are).
const ASKED: &str = "from unnest($1::uuid[], $2::text[]) with ordinality as q(seal_id, subject, i)
  left join lateral (select s.status, s.facts from {schema}.seal_status s
                      where s.seal_id = q.seal_id and s.subject = q.subject offset 0) s on true";

/// For a certificate seal, the facts of the standing of the agency it names, from every
/// register's read contract — only the columns the standing needs, so that the planner
/// leaves out what the hirer check shows besides (names, dates, counts).
const STANDING: &str = ",
    (select c.status from certificates.agency_status c where c.kvk_number = q.subject),
    (select b.clear from bans.agency_status b where b.kvk_number = q.subject),
    (select d.status from deposits.agency_status d where d.kvk_number = q.subject),
    (select g.status from gaccounts.agency_status g where g.kvk_number = q.subject),
    (select coalesce(json_agg(json_build_object('bag_id', h.bag_id, 'mark_status', h.mark_status, 'certified', h.certified)), '[]'::json)
       from housing.agency_buildings h where h.kvk_number = q.subject),
    (select houses_no_one from housing.agency_declaration h where h.kvk_number = q.subject)";

/// The statement reading a batch of `register`'s seals.
fn batch_statement(register: Register) -> String {
    // The schema name comes from a closed enum, never from input.
    let standing = if register == Register::Certificates { STANDING } else { "" };
    format!("select s.status, s.facts{standing} {} order by q.i", ASKED.replace("{schema}", register.service()))
}

static BATCH_STATEMENTS: LazyLock<Vec<(Register, String)>> =
    LazyLock::new(|| Register::ALL.into_iter().map(|r| (r, batch_statement(r))).collect());

/// Reads the live status of each asked seal in `register`, in one statement, answers in
/// the order asked. A certificate seal comes with the facts of its agency's standing as
/// every register has them at this moment (the same statement, so the same snapshot).
pub async fn seal_statuses(db: &Fresh, register: Register, asks: &[Ask]) -> anyhow::Result<Vec<Answer>> {
    let sql = BATCH_STATEMENTS.iter().find(|(r, _)| *r == register).map(|(_, s)| s.as_str()).unwrap_or_default();
    let ids: Vec<Uuid> = asks.iter().map(|a| a.seal_id).collect();
    let subjects: Vec<&str> = asks.iter().map(|a| a.subject.as_str()).collect();
    let (ids, subjects) = (&ids, &subjects);
    let rows = db
        .read(|client| {
            Box::pin(async move {
                let stmt = client.prepare_cached(sql).await?;
                Ok(client.query(&stmt, &[ids, subjects]).await?)
            })
        })
        .await?;
    anyhow::ensure!(rows.len() == asks.len(), "{} answers to {} asks", rows.len(), asks.len());
    rows.iter().map(|r| answer(register, r)).collect()
}

fn answer(register: Register, r: &tokio_postgres::Row) -> anyhow::Result<Answer> {
    let Some(status) = r.get::<_, Option<SealStatus>>(0) else {
        return Ok((Live::Unknown, None));
    };
    let live = Live::Known { status, facts: r.get(1) };
    if register != Register::Certificates {
        return Ok((live, None));
    }
    Ok((live, Some(standing_facts(r, 2)?)))
}

/// The facts of an agency's standing from the [`STANDING`] columns, the first at `first`.
fn standing_facts(r: &tokio_postgres::Row, first: usize) -> anyhow::Result<Facts> {
    let used: Vec<InUse> = serde_json::from_value(r.get(first + 4))?;
    let used = used.into_iter().map(|b| Housed { bag_id: b.bag_id, mark: b.mark_status, certified: b.certified });
    Ok(Facts {
        certificate: r.get(first),
        officers_clear: r.get(first + 1),
        deposit: r.get(first + 2),
        g_account: r.get(first + 3),
        housing: Housing::of(used.collect(), r.get::<_, Option<bool>>(first + 5).unwrap_or(false)),
        safety_check_outstanding: false,
    })
}

/// A read-only transaction whose statements all see one snapshot of every register.
async fn snapshot(
    client: &mut deadpool_postgres::Object,
) -> Result<deadpool_postgres::Transaction<'_>, tokio_postgres::Error> {
    client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
}

/// A seal with a place in its register's status list, as the register says it is now.
#[derive(Debug, Clone, Copy)]
pub struct Listed<'a> {
    pub index: u64,
    /// Its status (none: the register has no status for it, which the live check calls revoked).
    pub status: Option<SealStatus>,
    pub subject: &'a str,
}

/// What `register`'s status list is made of, read in one snapshot (a read-only,
/// repeatable-read transaction): `start` gets the list's length (the highest index + 1)
/// and, for the certificates register, the facts of the standing of every agency named by
/// a seal the register does not call revoked — the same columns, from the same read
/// contracts, as a scan reads; then `each` gets every seal with its index and live status
/// as the rows arrive, so that a million of them never sit in memory at once.
pub async fn read_list<S>(
    db: &Fresh,
    register: Register,
    start: impl FnOnce(u64, Vec<(String, Facts)>) -> anyhow::Result<S>,
    mut each: impl FnMut(&mut S, Listed<'_>) -> anyhow::Result<()>,
) -> anyhow::Result<S> {
    use futures::TryStreamExt;
    // The same columns as STANDING, read set-wise: each read contract once, joined on the
    // KvK number, rather than six subqueries per agency (three quarters of the list's build
    // at 100,000 agencies, docs/PERFORMANCE.md). The state table holds the list to what
    // the scan's statement says in every state; a read contract with two rows for one
    // agency fails both (here: a subject twice).
    const STANDINGS: &str = "select q.subject, c.status, b.clear, d.status, g.status, coalesce(h.used, '[]'::json),
           n.houses_no_one
      from (select distinct s.subject from certificates.seal_status s where s.status <> 'revoked') q
      left join certificates.agency_status c on c.kvk_number = q.subject
      left join bans.agency_status b on b.kvk_number = q.subject
      left join deposits.agency_status d on d.kvk_number = q.subject
      left join gaccounts.agency_status g on g.kvk_number = q.subject
      left join (select h.kvk_number,
                        json_agg(json_build_object('bag_id', h.bag_id, 'mark_status', h.mark_status,
                                                   'certified', h.certified)) as used
                   from housing.agency_buildings h group by h.kvk_number) h on h.kvk_number = q.subject
      left join housing.agency_declaration n on n.kvk_number = q.subject";
    // The schema name comes from a closed enum, never from input.
    let schema = register.service();
    let mut client = db.get().await?;
    let tx = snapshot(&mut client).await?;
    let highest: Option<i64> =
        tx.query_one(&format!("select max(status_index) from {schema}.seal_index"), &[]).await?.get(0);
    let len = highest.map_or(Ok(0), |h| u64::try_from(h + 1))?;
    let standings = if register == Register::Certificates {
        let rows = tx.query(STANDINGS, &[]).await?;
        let standings =
            rows.iter().map(|r| Ok((r.get(0), standing_facts(r, 1)?))).collect::<anyhow::Result<Vec<_>>>()?;
        let subjects: std::collections::HashSet<&String> = standings.iter().map(|(kvk, _)| kvk).collect();
        anyhow::ensure!(subjects.len() == standings.len(), "a read contract holds two rows for one agency");
        standings
    } else {
        Vec::new()
    };
    let mut state = start(len, standings)?;
    let seals = tx
        .query_raw(
            &format!(
                "select i.status_index, s.status, i.subject from {schema}.seal_index i
                   left join {schema}.seal_status s on s.seal_id = i.seal_id and s.subject = i.subject"
            ),
            std::iter::empty::<i64>(),
        )
        .await?;
    futures::pin_mut!(seals);
    while let Some(r) = seals.try_next().await? {
        let index = u64::try_from(r.get::<_, i64>(0))?;
        each(&mut state, Listed { index, status: r.get(1), subject: r.get(2) })?;
    }
    tx.commit().await?;
    Ok(state)
}

fn agency_rows(r: &tokio_postgres::Row, first: usize) -> anyhow::Result<AgencyRows> {
    Ok(AgencyRows {
        certificate: row(r.get(first))?,
        officers: row(r.get(first + 1))?,
        deposit: row(r.get(first + 2))?,
        g_account: row(r.get(first + 3))?,
        buildings: serde_json::from_value(r.get(first + 4))?,
        declared_no_one: r.get::<_, Option<bool>>(first + 5).unwrap_or(false),
        safety_check_outstanding: None,
    })
}

/// Whether agency `kvk` owes hirer `hirer` a safety check after an accident there.
pub async fn safety_check_outstanding(db: &Fresh, kvk: &str, hirer: &str) -> anyhow::Result<bool> {
    db.read(|client| {
        Box::pin(async move {
            let stmt = client
                .prepare_cached(
                    "select exists (select 1 from certificates.open_safety_checks where agency_kvk = $1 and hirer_kvk = $2)",
                )
                .await?;
            Ok(client.query_one(&stmt, &[&kvk, &hirer]).await?.get(0))
        })
    })
    .await
}

const BUILDING_NOW: &str = "select status, facts from housing.building_status where subject = $1";

/// The status of building `bag_id` now, as the page at the door shows it
/// (`housing.building_status`): for a poster whose own seal expired or belongs to an
/// earlier mark.
pub async fn building_now(db: &Fresh, bag_id: &str) -> anyhow::Result<Option<(SealStatus, serde_json::Value)>> {
    db.read(|client| {
        Box::pin(async move {
            let stmt = client.prepare_cached(BUILDING_NOW).await?;
            Ok(client.query_opt(&stmt, &[&bag_id]).await?.map(|r| (r.get(0), r.get(1))))
        })
    })
    .await
}

/// Prepares and plans, on each new connection of the lookup's pools, the reads of a scan
/// and of a check (`platform::db::Warm`): every register's batch of seal statuses, the
/// agency's standing, a building's status. Executed once with asks that match nothing,
/// because a generic plan is made at the first execution, not at prepare.
pub fn warm(
    client: &deadpool_postgres::ClientWrapper,
) -> futures::future::BoxFuture<'_, Result<(), tokio_postgres::Error>> {
    Box::pin(async move {
        let (no_ids, no_subjects) = (Vec::<Uuid>::new(), Vec::<&str>::new());
        for (_, sql) in BATCH_STATEMENTS.iter() {
            let stmt = client.prepare_cached(sql).await?;
            client.query(&stmt, &[&no_ids, &no_subjects]).await?;
        }
        let stmt = client.prepare_cached(&AGENCY_ALONE).await?;
        client.query(&stmt, &[&""]).await?;
        let stmt = client.prepare_cached(BUILDING_NOW).await?;
        client.query(&stmt, &[&""]).await?;
        Ok(())
    })
}

/// Reads every register's answer about `kvk` at this moment.
pub async fn agency(db: &Fresh, kvk: &str) -> anyhow::Result<AgencyRows> {
    db.read(|client| {
        Box::pin(async move {
            let stmt = client.prepare_cached(&AGENCY_ALONE).await?;
            agency_rows(&client.query_one(&stmt, &[&kvk]).await?, 0)
        })
    })
    .await
}

/// A receipt to keep: the check as answered, and until when its seal verifies.
#[derive(Debug)]
pub struct NewReceipt<'a> {
    pub id: Uuid,
    pub kvk: &'a str,
    pub may_hire: bool,
    pub result: &'a Value,
    pub checked_at: chrono::DateTime<chrono::Utc>,
    /// The seal's expiry; the receipt is purged after it.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

pub async fn insert_receipt(pool: &Pool, r: NewReceipt<'_>) -> anyhow::Result<()> {
    let client = pool.get().await?;
    let stmt = client
        .prepare_cached(
            "insert into receipt (receipt_id, kvk_number, may_hire, result, checked_at, expires_at)
             values ($1, $2, $3, $4, $5, $6)",
        )
        .await?;
    client.execute(&stmt, &[&r.id, &r.kvk, &r.may_hire, r.result, &r.checked_at, &r.expires_at]).await?;
    Ok(())
}

/// Removes the receipts past their expiry and the KvK checks past their retention
/// (migration V4 names it); returns how many of each.
pub async fn purge_expired(pool: &Pool) -> anyhow::Result<(i64, i64)> {
    let client = pool.get().await?;
    let row = client.query_one("select receipts, kvk_checks from purge_expired()", &[]).await?;
    Ok((row.get(0), row.get(1)))
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct KvkCheck {
    pub kvk_check_id: Uuid,
    pub kind: zegel_contracts::kvk::CheckKind,
    pub kvk_number: String,
    /// What was asked (BSNs as keyed hashes only).
    pub inputs: Value,
    pub result: zegel_contracts::kvk::CheckResult,
    pub reasons: Value,
    /// Registration: an officer registered for the agency is under a ban in force, so its
    /// staffing activity is to be deregistered (advice 2.1 F).
    pub mark_for_deregistration: bool,
    /// Who asked (token subject).
    pub requested_by: String,
    pub checked_at: chrono::DateTime<chrono::Utc>,
}

/// How many months old a VOG may be on `day` (`vog_policy`, the row in force).
pub async fn vog_max_months(pool: &Pool, day: chrono::NaiveDate) -> anyhow::Result<Option<u32>> {
    let client = pool.get().await?;
    let stmt = client
        .prepare_cached(
            "select max_age_months from vog_policy where effective_from <= $1 order by effective_from desc limit 1",
        )
        .await?;
    Ok(client.query_opt(&stmt, &[&day]).await?.map(|r| u32::try_from(r.get::<_, i32>(0)).unwrap_or(0)))
}

/// Stores a KvK check, and the events it raises, in one transaction.
pub async fn insert_kvk_check(pool: &Pool, c: &KvkCheck, events: &[platform::outbox::Event]) -> anyhow::Result<()> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let stmt = tx
        .prepare_cached(
            "insert into kvk_check (kvk_check_id, kind, kvk_number, inputs, result, reasons, requested_by, checked_at,
                 mark_for_deregistration)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .await?;
    tx.execute(
        &stmt,
        &[
            &c.kvk_check_id,
            &c.kind,
            &c.kvk_number,
            &c.inputs,
            &c.result,
            &c.reasons,
            &c.requested_by,
            &c.checked_at,
            &c.mark_for_deregistration,
        ],
    )
    .await?;
    for event in events {
        platform::outbox::enqueue(&tx, event).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Stored KvK checks, newest first, of one agency or (with `None`) of all.
pub async fn kvk_checks(pool: &Pool, kvk: Option<&str>, limit: i64) -> anyhow::Result<Vec<KvkCheck>> {
    let client = pool.get().await?;
    let stmt = client
        .prepare_cached(
            "select kvk_check_id, kind, kvk_number, inputs, result, reasons, requested_by, checked_at,
                    mark_for_deregistration
             from kvk_check where ($1::text is null or kvk_number = $1) order by checked_at desc, kvk_check_id desc limit $2",
        )
        .await?;
    Ok(client
        .query(&stmt, &[&kvk, &limit])
        .await?
        .iter()
        .map(|r| KvkCheck {
            kvk_check_id: r.get(0),
            kind: r.get(1),
            kvk_number: r.get(2),
            inputs: r.get(3),
            result: r.get(4),
            reasons: r.get(5),
            requested_by: r.get(6),
            checked_at: r.get(7),
            mark_for_deregistration: r.get(8),
        })
        .collect())
}

/// Every register's figures for the days from `from` to `as_of` (their `statistics`
/// functions), read in one snapshot: (register, measure, dimension, value).
pub async fn register_figures(
    pool: &Pool,
    from: chrono::NaiveDate,
    as_of: chrono::NaiveDate,
) -> anyhow::Result<Vec<(String, String, String, i64)>> {
    let mut client = pool.get().await?;
    let tx = snapshot(&mut client).await?;
    let mut out = Vec::new();
    for register in crate::statistics::REGISTERS {
        // The schema name comes from a closed list, never from input.
        let sql = format!("select measure, dimension, value from {register}.statistics($1, $2)");
        let stmt = tx.prepare_cached(&sql).await?;
        for row in tx.query(&stmt, &[&from, &as_of]).await? {
            out.push((register.to_string(), row.get(0), row.get(1), row.get(2)));
        }
    }
    tx.commit().await?;
    Ok(out)
}

/// A status list as a lookup published it for all (`published_list`).
#[derive(Debug, Clone)]
pub struct SharedList {
    pub token: String,
    pub issued_at: i64,
    pub ttl: i64,
    pub seals: i64,
    pub not_valid: i64,
    pub build_ms: i64,
}

/// The list of `register` another lookup (or this one) published last, if any.
pub async fn shared_list(pool: &Pool, register: Register) -> anyhow::Result<Option<SharedList>> {
    let client = pool.get().await?;
    let stmt = client
        .prepare_cached(
            "select token, issued_at, ttl, seals, not_valid, build_ms from published_list
              where register = $1 and token is not null",
        )
        .await?;
    Ok(client.query_opt(&stmt, &[&register.code()]).await?.map(|r| SharedList {
        token: r.get(0),
        issued_at: r.get(1),
        ttl: r.get(2),
        seals: r.get(3),
        not_valid: r.get(4),
        build_ms: r.get(5),
    }))
}

/// Takes the turn to make `register`'s list until `until` (seconds since the epoch) when no
/// other lookup holds it at `now`: whether this one got it.
pub async fn claim_list(pool: &Pool, register: Register, now: i64, until: i64) -> anyhow::Result<bool> {
    let client = pool.get().await?;
    let stmt = client
        .prepare_cached(
            "insert into published_list (register, claimed_until) values ($1, $3)
             on conflict (register) do update set claimed_until = excluded.claimed_until
              where published_list.claimed_until <= $2
             returning 1",
        )
        .await?;
    Ok(client.query_opt(&stmt, &[&register.code(), &now, &until]).await?.is_some())
}

/// Publishes `list` for every lookup; the turn is held until `until`, so that no other
/// lookup makes the next one sooner.
pub async fn share_list(pool: &Pool, register: Register, list: &SharedList, until: i64) -> anyhow::Result<()> {
    let client = pool.get().await?;
    let stmt = client
        .prepare_cached(
            "insert into published_list (register, token, issued_at, ttl, seals, not_valid, build_ms, claimed_until)
             values ($1, $2, $3, $4, $5, $6, $7, $8)
             on conflict (register) do update set token = excluded.token, issued_at = excluded.issued_at,
                    ttl = excluded.ttl, seals = excluded.seals, not_valid = excluded.not_valid,
                    build_ms = excluded.build_ms, claimed_until = excluded.claimed_until",
        )
        .await?;
    let l = list;
    client
        .execute(
            &stmt,
            &[&register.code(), &l.token, &l.issued_at, &l.ttl, &l.seals, &l.not_valid, &l.build_ms, &until],
        )
        .await?;
    Ok(())
}

/// The seal of the report published for `year` up to `as_of` whose CSV has this hash.
pub async fn published_report(
    pool: &Pool,
    year: i32,
    as_of: chrono::NaiveDate,
    sha256: &str,
) -> anyhow::Result<Option<String>> {
    let client = pool.get().await?;
    let stmt = client
        .prepare_cached("select seal from statistics_report where year = $1 and as_of = $2 and sha256 = $3")
        .await?;
    Ok(client.query_opt(&stmt, &[&year, &as_of, &sha256]).await?.map(|r| r.get(0)))
}

/// Keeps a published report's hash and seal; when another request published the same
/// report first, its seal.
pub async fn insert_report(
    pool: &Pool,
    id: Uuid,
    year: i32,
    as_of: chrono::NaiveDate,
    sha256: &str,
    seal: &str,
    published_at: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<String> {
    let client = pool.get().await?;
    let stmt = client
        .prepare_cached(
            "insert into statistics_report (report_id, year, as_of, sha256, seal, published_at)
             values ($1, $2, $3, $4, $5, $6)
             on conflict (year, as_of, sha256) do nothing
             returning seal",
        )
        .await?;
    if let Some(row) = client.query_opt(&stmt, &[&id, &year, &as_of, &sha256, &seal, &published_at]).await? {
        return Ok(row.get(0));
    }
    published_report(pool, year, as_of, sha256).await?.ok_or_else(|| anyhow::anyhow!("the report vanished"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_building_whose_certified_flag_is_null_is_not_certified() {
        let b: BuildingRow = serde_json::from_value(serde_json::json!({
            "bag_id": "0363010000123456", "mark_status": "certified", "mark_since": null, "certified": null
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(!b.certified);
    }
}

/// A worker's claim as its private status page shows it (`deposits.worker_claim_status`).
#[derive(Debug, Clone)]
pub struct WorkerClaim {
    pub claim_id: Uuid,
    pub status: zegel_contracts::deposit::ClaimStatus,
    pub language: Option<String>,
    pub accepted_cents: Option<i64>,
    pub paid_cents: i64,
    /// Why rejected or accepted in part.
    pub reason: Option<String>,
}

/// The claim `id` whose status link carries the token hashing to `token_hash`.
pub async fn worker_claim(pool: &Pool, id: Uuid, token_hash: &[u8]) -> anyhow::Result<Option<WorkerClaim>> {
    let client = pool.get().await?;
    let stmt = client
        .prepare_cached(
            "select claim_id, status, language, accepted_cents, paid_cents, rejection_reason
             from deposits.worker_claim_status where claim_id = $1 and status_token_hash = $2",
        )
        .await?;
    Ok(client.query_opt(&stmt, &[&id, &token_hash]).await?.map(|r| WorkerClaim {
        claim_id: r.get(0),
        status: r.get(1),
        language: r.get(2),
        accepted_cents: r.get(3),
        paid_cents: r.get(4),
        reason: r.get(5),
    }))
}

/// The status of a complaint about work whose link carries the token hashing to
/// `token_hash` (`certificates.work_complaint_status`): (status, language).
pub async fn work_complaint(pool: &Pool, id: Uuid, token_hash: &[u8]) -> anyhow::Result<Option<(String, String)>> {
    let client = pool.get().await?;
    let stmt = client
        .prepare_cached(
            "select status, language from certificates.work_complaint_status where complaint_id = $1 and status_token_hash = $2",
        )
        .await?;
    Ok(client.query_opt(&stmt, &[&id, &token_hash]).await?.map(|r| (r.get(0), r.get(1))))
}
