//! All SQL of the deposits register.

use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::GenericClient;
use serde::Serialize;
use uuid::Uuid;

use crate::domain::{ClaimStatus, ClaimType, EntryKind, Owed};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    pub policy: String,
    pub effective_from: NaiveDate,
    pub required_cents: i64,
    /// What a starter pays first.
    pub starter_cents: i64,
    pub starter_months: i32,
    /// Weeks an agency has to top up a shortfall.
    pub top_up_weeks: i32,
    pub description: String,
    pub source: String,
}

/// The `policy` row in force on `day`.
pub async fn policy(c: &impl GenericClient, policy: &str, day: NaiveDate) -> Result<Option<Policy>> {
    let stmt = c
        .prepare_cached(
            "select policy, effective_from, required_cents, starter_cents, starter_months, description, top_up_weeks, source
             from deposit_policy where policy = $1 and effective_from <= $2 order by effective_from desc limit 1",
        )
        .await?;
    Ok(c.query_opt(&stmt, &[&policy, &day]).await?.map(|r| Policy {
        policy: r.get(0),
        effective_from: r.get(1),
        required_cents: r.get(2),
        starter_cents: r.get(3),
        starter_months: r.get(4),
        description: r.get(5),
        top_up_weeks: r.get(6),
        source: r.get(7),
    }))
}

/// Opens the agency's account if needed; returns its opening date.
pub async fn open_account(c: &impl GenericClient, kvk: &str, today: NaiveDate) -> Result<NaiveDate> {
    let stmt = c
        .prepare_cached(
            "insert into deposit_account (kvk_number, opened_on) values ($1, $2)
             on conflict (kvk_number) do update set kvk_number = excluded.kvk_number returning opened_on",
        )
        .await?;
    Ok(c.query_one(&stmt, &[&kvk, &today]).await?.get(0))
}

/// Locks the agency's account for this transaction: every movement of its money is
/// serialised here, so concurrent payouts can never overdraw it. `None`: no account.
pub async fn lock_account(c: &impl GenericClient, kvk: &str) -> Result<Option<NaiveDate>> {
    let stmt = c.prepare_cached("select opened_on from deposit_account where kvk_number = $1 for update").await?;
    Ok(c.query_opt(&stmt, &[&kvk]).await?.map(|r| r.get(0)))
}

/// The account's opening date, without a lock.
pub async fn account(c: &impl GenericClient, kvk: &str) -> Result<Option<NaiveDate>> {
    let stmt = c.prepare_cached("select opened_on from deposit_account where kvk_number = $1").await?;
    Ok(c.query_opt(&stmt, &[&kvk]).await?.map(|r| r.get(0)))
}

/// The balance: money in minus money out, from the ledger.
pub async fn balance(c: &impl GenericClient, kvk: &str) -> Result<i64> {
    let stmt = c
        .prepare_cached(
            "select coalesce(sum(case when kind = 'payout' then -amount_cents else amount_cents end), 0)::bigint
             from ledger_entry where kvk_number = $1",
        )
        .await?;
    Ok(c.query_one(&stmt, &[&kvk]).await?.get(0))
}

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub ledger_entry_id: i64,
    pub kind: EntryKind,
    /// Amount (positive; the kind gives the direction).
    pub amount_cents: i64,
    pub claim_id: Option<Uuid>,
    /// Reference (bank transfer, decision).
    pub reference: String,
    pub booked_by: String,
    pub booked_at: DateTime<Utc>,
}

pub async fn book(
    c: &impl GenericClient,
    kvk: &str,
    kind: EntryKind,
    amount: i64,
    claim_id: Option<Uuid>,
    reference: &str,
    by: &str,
) -> Result<Entry> {
    let stmt = c
        .prepare_cached(
            "insert into ledger_entry (kvk_number, kind, amount_cents, claim_id, reference, booked_by) values ($1, $2, $3, $4, $5, $6)
             returning ledger_entry_id, booked_at",
        )
        .await?;
    let row = c.query_one(&stmt, &[&kvk, &kind, &amount, &claim_id, &reference, &by]).await?;
    Ok(Entry {
        ledger_entry_id: row.get(0),
        kind,
        amount_cents: amount,
        claim_id,
        reference: reference.into(),
        booked_by: by.into(),
        booked_at: row.get(1),
    })
}

/// The ledger, oldest first.
pub async fn ledger(c: &impl GenericClient, kvk: &str) -> Result<Vec<Entry>> {
    let stmt = c
        .prepare_cached(
            "select ledger_entry_id, kind, amount_cents, claim_id, reference, booked_by, booked_at from ledger_entry
             where kvk_number = $1 order by ledger_entry_id",
        )
        .await?;
    Ok(c.query(&stmt, &[&kvk])
        .await?
        .iter()
        .map(|r| Entry {
            ledger_entry_id: r.get(0),
            kind: r.get(1),
            amount_cents: r.get(2),
            claim_id: r.get(3),
            reference: r.get(4),
            booked_by: r.get(5),
            booked_at: r.get(6),
        })
        .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct Claim {
    /// Id (the worker's claim number).
    pub claim_id: Uuid,
    pub kvk_number: String,
    pub claim_type: ClaimType,
    /// The amount claimed (a worker may leave it to the assessment).
    pub amount_cents: Option<i64>,
    /// How the accepted amount was computed, when a presumption applied.
    pub computation: Option<serde_json::Value>,
    pub description: String,
    /// filed | accepted | partly_paid | paid | rejected.
    pub status: ClaimStatus,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    /// What the assessment accepted (an authority's claim: as filed).
    pub accepted_cents: Option<i64>,
    pub paid_cents: i64,
    /// The period the wages are for (a worker's claim).
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub paid_during_cents: Option<i64>,
    /// References to evidence (payslips, messages), as the worker gave them.
    pub evidence: Vec<String>,
    pub language: Option<String>,
    pub presumption: Option<crate::domain::Presumption>,
    /// Filed against an agency that holds no deposit: kept and routed, nothing to pay from.
    pub no_deposit: bool,
    pub assessed_at: Option<DateTime<Utc>>,
    /// Why it was rejected or accepted in part.
    pub rejection_reason: Option<String>,
}

impl Claim {
    /// A claim with what every claim has; the rest empty.
    pub fn new(kvk: &str, claim_type: ClaimType, description: String, status: ClaimStatus, now: DateTime<Utc>) -> Self {
        Self {
            claim_id: Uuid::now_v7(),
            kvk_number: kvk.into(),
            claim_type,
            amount_cents: None,
            computation: None,
            description,
            status,
            created_at: now,
            paid_at: None,
            accepted_cents: None,
            paid_cents: 0,
            period_from: None,
            period_to: None,
            paid_during_cents: None,
            evidence: Vec::new(),
            language: None,
            presumption: None,
            no_deposit: false,
            assessed_at: None,
            rejection_reason: None,
        }
    }

    /// What the agency may know of it: never the worker's story, period or evidence (those
    /// are for the admission authority and the inspectorate).
    pub fn for_agency(&self) -> serde_json::Value {
        serde_json::json!({
            "claim_id": self.claim_id,
            "claim_type": self.claim_type,
            "status": self.status,
            "accepted_cents": self.accepted_cents,
            "paid_cents": self.paid_cents,
            "created_at": self.created_at,
            "paid_at": self.paid_at,
        })
    }
}

const CLAIM_COLUMNS: &str = "claim_id, kvk_number, claim_type, amount_cents, computation, description, status, created_at, paid_at,
     accepted_cents, paid_cents, period_from, period_to, paid_during_cents, evidence, language, presumption, assessed_at,
     rejection_reason, no_deposit";

fn claim(r: &tokio_postgres::Row) -> Claim {
    Claim {
        claim_id: r.get(0),
        kvk_number: r.get(1),
        claim_type: r.get(2),
        amount_cents: r.get(3),
        computation: r.get(4),
        description: r.get(5),
        status: r.get(6),
        created_at: r.get(7),
        paid_at: r.get(8),
        accepted_cents: r.get(9),
        paid_cents: r.get(10),
        period_from: r.get(11),
        period_to: r.get(12),
        paid_during_cents: r.get(13),
        evidence: r.get(14),
        language: r.get(15),
        presumption: r.get(16),
        assessed_at: r.get(17),
        rejection_reason: r.get(18),
        no_deposit: r.get(19),
    }
}

/// Files a claim; `status_token_hash`: the hash of a worker's private status link.
pub async fn insert_claim(
    c: &impl GenericClient,
    cl: &Claim,
    filed_by: &str,
    filed_role: &str,
    status_token_hash: Option<&[u8]>,
) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into claim (claim_id, kvk_number, claim_type, amount_cents, computation, description, filed_by, filed_role,
                 status, accepted_cents, period_from, period_to, paid_during_cents, evidence, language, status_token_hash,
                 created_at, presumption, no_deposit)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
        )
        .await?;
    c.execute(
        &stmt,
        &[
            &cl.claim_id,
            &cl.kvk_number,
            &cl.claim_type,
            &cl.amount_cents,
            &cl.computation,
            &cl.description,
            &filed_by,
            &filed_role,
            &cl.status,
            &cl.accepted_cents,
            &cl.period_from,
            &cl.period_to,
            &cl.paid_during_cents,
            &cl.evidence,
            &cl.language,
            &status_token_hash,
            &cl.created_at,
            &cl.presumption,
            &cl.no_deposit,
        ],
    )
    .await?;
    Ok(())
}

pub async fn claim_by_id(c: &impl GenericClient, id: Uuid) -> Result<Option<Claim>> {
    let sql = format!("select {CLAIM_COLUMNS} from claim where claim_id = $1");
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query_opt(&stmt, &[&id]).await?.as_ref().map(claim))
}

/// The claims that wait for an assessment, oldest first (at most `limit`).
pub async fn claims_filed(c: &impl GenericClient, limit: i64) -> Result<Vec<Claim>> {
    let sql =
        format!("select {CLAIM_COLUMNS} from claim where status = 'filed' order by created_at, claim_id limit $1");
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query(&stmt, &[&limit]).await?.iter().map(claim).collect())
}

/// The claims accepted and not yet paid in full, oldest first (at most `limit`).
pub async fn claims_to_pay(c: &impl GenericClient, limit: i64) -> Result<Vec<Claim>> {
    let sql = format!(
        "select {CLAIM_COLUMNS} from claim where status in ('accepted', 'partly_paid') order by created_at, claim_id limit $1"
    );
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query(&stmt, &[&limit]).await?.iter().map(claim).collect())
}

/// A worker's claim by id and the hash of the token of its status link.
pub async fn claim_by_token(c: &impl GenericClient, id: Uuid, token_hash: &[u8]) -> Result<Option<Claim>> {
    let sql = format!("select {CLAIM_COLUMNS} from claim where claim_id = $1 and status_token_hash = $2");
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query_opt(&stmt, &[&id, &token_hash]).await?.as_ref().map(claim))
}

/// Books `cents` paid on claim `id` (the caller holds the account lock); the claim's
/// status afterwards.
pub async fn pay_claim(c: &impl GenericClient, id: Uuid, cents: i64, at: DateTime<Utc>) -> Result<ClaimStatus> {
    let stmt = c
        .prepare_cached(
            "update claim set paid_cents = paid_cents + $2,
                 status = case when paid_cents + $2 >= accepted_cents then 'paid' else 'partly_paid' end,
                 paid_at = case when paid_cents + $2 >= accepted_cents then $3 else paid_at end
             where claim_id = $1 and status in ('accepted', 'partly_paid')
             returning status",
        )
        .await?;
    c.query_opt(&stmt, &[&id, &cents, &at]).await?.map(|r| r.get(0)).ok_or(Error::Corrupt("a claim paid twice"))
}

/// What the agency's accepted claims are still owed, as a payout ranks them.
pub async fn owed(c: &impl GenericClient, kvk: &str) -> Result<Vec<(Owed, ClaimType)>> {
    let stmt = c
        .prepare_cached(
            "select claim_id, claim_type, status, accepted_cents - paid_cents from claim
             where kvk_number = $1 and status in ('accepted', 'partly_paid')",
        )
        .await?;
    Ok(c.query(&stmt, &[&kvk])
        .await?
        .iter()
        .map(|r| {
            let kind: ClaimType = r.get(1);
            let status: ClaimStatus = r.get(2);
            let owed = Owed {
                claim_id: r.get(0),
                priority: crate::domain::priority(kind),
                carried_over: status == ClaimStatus::PartlyPaid,
                cents: r.get(3),
            };
            (owed, kind)
        })
        .collect())
}

#[allow(clippy::too_many_arguments)]
pub async fn assess(
    c: &impl GenericClient,
    id: Uuid,
    status: ClaimStatus,
    accepted_cents: Option<i64>,
    presumption: Option<&str>,
    computation: Option<&serde_json::Value>,
    reason: Option<&str>,
    by: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "update claim set status = $2, accepted_cents = $3, presumption = $4, computation = coalesce($5, computation),
                 rejection_reason = $6, assessed_by = $7, assessed_at = $8
             where claim_id = $1 and status = 'filed'",
        )
        .await?;
    let n = c.execute(&stmt, &[&id, &status, &accepted_cents, &presumption, &computation, &reason, &by, &at]).await?;
    if n != 1 {
        return Err(Error::Corrupt("a claim assessed twice"));
    }
    Ok(())
}

/// The worker behind a claim: personal data.
#[derive(Debug, Clone, Serialize)]
pub struct Claimant {
    pub name: String,
    pub contact: Option<String>,
    /// Whether a BSN was given (the register keeps only its keyed hash).
    pub bsn_given: bool,
    pub support_org: Option<String>,
}

/// Records who filed a worker's claim.
pub async fn insert_claimant(
    c: &impl GenericClient,
    id: Uuid,
    name: &str,
    contact: Option<&str>,
    bsn_hash: Option<&[u8]>,
    support_org: Option<&str>,
) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "insert into claimant (claim_id, name, contact, bsn_hash, support_org) values ($1, $2, $3, $4, $5)",
        )
        .await?;
    c.execute(&stmt, &[&id, &name, &contact, &bsn_hash, &support_org]).await?;
    Ok(())
}

/// Who filed claim `id`, if a worker did.
pub async fn claimant(c: &impl GenericClient, id: Uuid) -> Result<Option<Claimant>> {
    let stmt = c
        .prepare_cached("select name, contact, bsn_hash is not null, support_org from claimant where claim_id = $1")
        .await?;
    Ok(c.query_opt(&stmt, &[&id]).await?.map(|r| Claimant {
        name: r.get(0),
        contact: r.get(1),
        bsn_given: r.get(2),
        support_org: r.get(3),
    }))
}

/// The agency's claims, newest first.
pub async fn claims(c: &impl GenericClient, kvk: &str) -> Result<Vec<Claim>> {
    let sql = format!("select {CLAIM_COLUMNS} from claim where kvk_number = $1 order by created_at desc");
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.query(&stmt, &[&kvk]).await?.iter().map(claim).collect())
}

/// The minimum wage in force on `day`: (from, hourly cents).
pub async fn minimum_wage_on(c: &impl GenericClient, day: NaiveDate) -> Result<Option<(NaiveDate, i64)>> {
    let stmt = c
        .prepare_cached(
            "select effective_from, hourly_cents from minimum_wage where effective_from <= $1
             order by effective_from desc limit 1",
        )
        .await?;
    Ok(c.query_opt(&stmt, &[&day]).await?.map(|r| (r.get(0), r.get(1))))
}

#[derive(Debug, Clone, Serialize)]
pub struct Shortfall {
    pub since: DateTime<Utc>,
    pub deadline: NaiveDate,
    pub overdue_reported_at: Option<DateTime<Utc>>,
}

pub async fn shortfall(c: &impl GenericClient, kvk: &str) -> Result<Option<Shortfall>> {
    let stmt =
        c.prepare_cached("select since, deadline, overdue_reported_at from shortfall where kvk_number = $1").await?;
    Ok(c.query_opt(&stmt, &[&kvk]).await?.map(|r| Shortfall {
        since: r.get(0),
        deadline: r.get(1),
        overdue_reported_at: r.get(2),
    }))
}

/// Opens a shortfall unless one is open.
/// `after_adequate`: the deposit was adequate before (a payout drew it), so the agency
/// works on during the term.
pub async fn open_shortfall(
    c: &impl GenericClient,
    kvk: &str,
    since: DateTime<Utc>,
    deadline: NaiveDate,
    after_adequate: bool,
) -> Result<bool> {
    let stmt = c
        .prepare_cached(
            "insert into shortfall (kvk_number, since, deadline, after_adequate) values ($1, $2, $3, $4)
             on conflict (kvk_number) do nothing",
        )
        .await?;
    Ok(c.execute(&stmt, &[&kvk, &since, &deadline, &after_adequate]).await? == 1)
}

/// The agency's deposit as the read contract (`agency_status`) says it — the one answer the
/// lookup, the other registers and this register's public answer give: status, since
/// when, and the top-up deadline of an open shortfall.
pub async fn public_status(
    c: &impl GenericClient,
    kvk: &str,
) -> Result<Option<(String, Option<DateTime<Utc>>, Option<NaiveDate>)>> {
    let stmt =
        c.prepare_cached("select status, changed_at, top_up_by from agency_status where kvk_number = $1").await?;
    Ok(c.query_opt(&stmt, &[&kvk]).await?.map(|r| (r.get(0), r.get(1), r.get(2))))
}

/// Whether the agency's deposit was adequate when last settled.
pub async fn was_adequate(c: &impl GenericClient, kvk: &str) -> Result<bool> {
    let stmt = c.prepare_cached("select adequate from deposit_account where kvk_number = $1").await?;
    Ok(c.query_opt(&stmt, &[&kvk]).await?.is_some_and(|r| r.get(0)))
}

/// Closes the agency's shortfall (topped up).
pub async fn close_shortfall(c: &impl GenericClient, kvk: &str) -> Result<bool> {
    let stmt = c.prepare_cached("delete from shortfall where kvk_number = $1").await?;
    Ok(c.execute(&stmt, &[&kvk]).await? == 1)
}

/// Shortfalls past their deadline, not yet reported; locked and marked.
pub async fn take_overdue(c: &impl GenericClient, today: NaiveDate) -> Result<Vec<(String, NaiveDate)>> {
    let stmt = c
        .prepare_cached(
            "update shortfall set overdue_reported_at = now()
             where kvk_number in (select kvk_number from shortfall where deadline < $1 and overdue_reported_at is null for update skip locked)
             returning kvk_number, deadline",
        )
        .await?;
    Ok(c.query(&stmt, &[&today]).await?.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Every account, for the sweep's starter-period check.
pub async fn accounts(c: &impl GenericClient) -> Result<Vec<(String, NaiveDate)>> {
    let stmt = c.prepare_cached("select kvk_number, opened_on from deposit_account order by kvk_number").await?;
    Ok(c.query(&stmt, &[]).await?.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Records whether the deposit is adequate (read by the seal view).
pub async fn set_adequate(c: &impl GenericClient, kvk: &str, adequate: bool) -> Result<()> {
    let stmt = c.prepare_cached("update deposit_account set adequate = $2 where kvk_number = $1").await?;
    c.execute(&stmt, &[&kvk, &adequate]).await?;
    Ok(())
}
