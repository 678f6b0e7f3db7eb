//! Payments into the deposit, claims on it, payouts, and the views of it.

use bytes::Bytes;
use chrono::NaiveDate;
use platform::audit::{self, Actor};
use platform::auth::{Principal, Role};
use platform::http::{Request, json, no_store, parse_json};
use platform::problem::FieldError;
use platform::problem::Kind;
use serde::Deserialize;
use serde_json::{Value, json};
use warp::http::StatusCode;
use warp::reply::Response;

use super::{authenticate, require_idempotency_key, write};
use crate::domain::{
    Cents, ClaimStatus, ClaimType, DepositStanding, EntryKind, KvkNumber, PRESUMED_MONTHS, Presumption, distribute,
    text,
};
use crate::error::{Error, Result};
use crate::events;
use crate::ledger;
use crate::state::AppState;
use crate::store::{self, Claim};

fn audit_entry(
    principal: &Principal,
    role: Role,
    action: &str,
    subject: &str,
    after: Value,
    req: &Request,
) -> audit::Entry {
    audit::Entry::new(Actor::of(principal, role), action, subject, &req.id).after(after)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum PaymentKind {
    Payment,
    TopUp,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentIn {
    amount_cents: Value,
    reference: String,
    #[serde(default)]
    kind: Option<PaymentKind>,
}

/// POST /api/v1/agencies/{kvk}/deposit/payments — the admission authority books money in.
pub(super) async fn pay_in(state: AppState, req: Request, kvk: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let kvk = KvkNumber::from_path(&kvk)?;
    if !principal.has(Role::AdmissionAuthority) {
        return Err(Error::Forbidden("Only the admission authority books payments into a deposit.".into()));
    }
    require_idempotency_key(&req)?;
    let input: PaymentIn = parse_json(&req, &raw)?;
    let amount = Cents::parse(&input.amount_cents, "/amount_cents")?;
    let reference = text(&input.reference, "/reference", 200)?;
    let kind = match input.kind {
        Some(PaymentKind::TopUp) => EntryKind::TopUp,
        _ => EntryKind::Payment,
    };
    write(&state, &req, &principal, &raw, async |tx| {
        let now = state.clock.now();
        store::open_account(tx, kvk.as_str(), platform::clock::dutch_date(now)).await?;
        let opened_on = store::lock_account(tx, kvk.as_str()).await?.ok_or(Error::Corrupt("account vanished"))?;
        let entry = store::book(tx, kvk.as_str(), kind, amount.get(), None, &reference, &principal.subject).await?;
        let standing = ledger::settle(tx, &state, kvk.as_str(), opened_on, ledger::Cause::Payment, now).await?;
        audit::record(
            tx,
            &audit_entry(
                &principal,
                Role::AdmissionAuthority,
                &format!("deposit.{kind}"),
                kvk.as_str(),
                json!(entry),
                &req,
            ),
        )
        .await?;
        Ok((StatusCode::CREATED, json!({ "entry": entry, "standing": standing })))
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimIn {
    claim_type: ClaimType,
    /// Omitted for a wage claim without usable administration: the presumed amount applies.
    #[serde(default)]
    amount_cents: Option<Value>,
    /// Which presumption decides an amount-less wage claim (by default
    /// `administration_unusable`, two months).
    #[serde(default)]
    presumption: Option<Presumption>,
    /// Kept for clients of 1.3: 2 or 6, the months of the two presumptions.
    #[serde(default)]
    months: Option<i64>,
    /// The claim's period; its last day picks the minimum wage in force (default: today).
    #[serde(default)]
    period_from: Option<NaiveDate>,
    #[serde(default)]
    period_to: Option<NaiveDate>,
    /// What is shown to have been paid in the period (a presumed claim subtracts it).
    #[serde(default)]
    paid_during_cents: Option<Value>,
    description: String,
}

/// The presumption an authority's claim asks for, checked: only for a wage claim without
/// an amount; `months` (kept for 1.3) names one of the two presumptions; the period lies
/// in the past and in order.
fn presumption_of(input: &ClaimIn, has_amount: bool, today: NaiveDate) -> Result<Option<Presumption>> {
    let mut checks = platform::problem::Checks::default();
    if let (Some(from), Some(to)) = (input.period_from, input.period_to)
        && to < from
    {
        checks.fail("/period_to", "not before period_from");
    }
    if input.period_to.is_some_and(|to| to > today) {
        checks.fail("/period_to", "not in the future: a claim is for wages that were due");
    }
    let asked = match (input.presumption, input.months) {
        (Some(_), Some(_)) => {
            checks.fail("/months", "either a presumption or its months, not both");
            None
        }
        (Some(p), None) => Some(p),
        (None, Some(m)) => match Presumption::ALL.iter().copied().find(|&p| crate::domain::presumed_months(p) == m) {
            Some(p) => Some(p),
            None => {
                checks.fail(
                    "/months",
                    format!(
                        "{PRESUMED_MONTHS} (the administration is unusable, advice 2.1 C) or 6 (a longer relation is \
                         shown, advice 6.2 A)"
                    ),
                );
                None
            }
        },
        (None, None) => None,
    };
    let presumed = match (has_amount, input.claim_type) {
        (true, _) => {
            if asked.is_some() || input.paid_during_cents.is_some() {
                checks.fail("/presumption", "a presumption decides a wage claim that has no amount");
            }
            None
        }
        (false, ClaimType::UnpaidWages) => Some(asked.unwrap_or(Presumption::AdministrationUnusable)),
        (false, _) => {
            checks.fail("/amount_cents", "only a wage claim may leave the amount to the presumption");
            None
        }
    };
    checks.finish().map_err(Error::Invalid)?;
    Ok(presumed)
}

/// POST /api/v1/agencies/{kvk}/deposit/claims — the inspectorate files any claim; the
/// admission authority files wage and damage claims on behalf of a worker. With an
/// `Idempotency-Key`, like every request that moves money.
pub(super) async fn file_claim(state: AppState, req: Request, kvk: String, raw: Bytes) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    principal.require_any(
        &[Role::Inspectorate, Role::AdmissionAuthority],
        "Claims are filed by the inspectorate, or by the admission authority on behalf of a worker.",
    )?;
    let kvk = KvkNumber::from_path(&kvk)?;
    let input: ClaimIn = parse_json(&req, &raw)?;
    let role = filing_role(&principal, input.claim_type)?;
    // A claim draws on the deposit: a retried request must never file it twice.
    require_idempotency_key(&req)?;
    let description = text(&input.description, "/description", 1000)?;
    let amount = input.amount_cents.as_ref().map(|v| Cents::parse(v, "/amount_cents")).transpose()?;
    let today = state.clock.today();
    let presumed = presumption_of(&input, amount.is_some(), today)?;
    let period_to = input.period_to.unwrap_or(today);
    let paid_during = match &input.paid_during_cents {
        None => 0,
        Some(Value::Number(n)) if n.as_i64() == Some(0) => 0,
        Some(v) => Cents::parse(v, "/paid_during_cents")?.get(),
    };
    write(&state, &req, &principal, &raw, async |tx| {
        store::account(tx, kvk.as_str())
            .await?
            .ok_or_else(|| Error::NotFound(format!("Agency {kvk} has no deposit.")))?;
        let (amount_cents, computation) = claimed(tx, amount, presumed, period_to, paid_during).await?;
        // An authority's claim is its own decision: accepted as filed.
        let mut claim =
            Claim::new(kvk.as_str(), input.claim_type, description.clone(), ClaimStatus::Accepted, state.clock.now());
        claim.amount_cents = Some(amount_cents);
        claim.accepted_cents = Some(amount_cents);
        claim.computation = computation;
        claim.period_from = input.period_from;
        claim.period_to = input.period_to;
        claim.paid_during_cents = presumed.map(|_| paid_during);
        claim.presumption = presumed;
        store::insert_claim(tx, &claim, &principal.subject, role.as_str(), None).await?;
        audit::record(tx, &audit_entry(&principal, role, "deposit.claim.file", kvk.as_str(), json!(claim), &req))
            .await?;
        Ok((StatusCode::CREATED, json!(claim)))
    })
    .await
}

/// The role an authority files `claim_type` in: the inspectorate any claim, the admission
/// authority a worker's (no fines).
fn filing_role(principal: &Principal, claim_type: ClaimType) -> Result<Role> {
    if principal.has(Role::Inspectorate) {
        return Ok(Role::Inspectorate);
    }
    if principal.has(Role::AdmissionAuthority) && claim_type != ClaimType::Fine {
        return Ok(Role::AdmissionAuthority);
    }
    Err(Error::Forbidden(
        "Claims are filed by the inspectorate, or by the admission authority on behalf of a worker (no fines).".into(),
    ))
}

/// What an authority's claim is for: the amount it names, or what the one presumption every
/// wage claim takes (`presumption::presume`) makes owed, with its computation.
async fn claimed(
    tx: &deadpool_postgres::Transaction<'_>,
    amount: Option<Cents>,
    presumed: Option<crate::domain::Presumption>,
    period_to: chrono::NaiveDate,
    paid_during: i64,
) -> Result<(i64, Option<Value>)> {
    match (amount, presumed) {
        (Some(a), _) => Ok((a.get(), None)),
        (None, Some(p)) => {
            let (cents, computation) = crate::presumption::presume(tx, p, period_to, paid_during, "/period_to").await?;
            if cents <= 0 {
                let why = "the presumption leaves nothing owed after what was paid";
                return Err(FieldError::new("/paid_during_cents", why).into());
            }
            Ok((cents, Some(computation)))
        }
        (None, None) => Err(Error::Corrupt("a claim without an amount or a presumption")),
    }
}

/// POST /api/v1/claims/{id}/payout — the admission authority pays a claim out, never
/// more than the deposit holds, never twice. No body: everything is in the path, so a
/// bare `curl -X POST` works.
pub(super) async fn pay_out(state: AppState, req: Request, id: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let id = platform::http::uuid_in_path(&id, "claim")?;
    if !principal.has(Role::AdmissionAuthority) {
        return Err(Error::Forbidden("Only the admission authority pays out of a deposit.".into()));
    }
    require_idempotency_key(&req)?;
    write(&state, &req, &principal, &[], async |tx| {
        let claim = store::claim_by_id(tx, id).await?.ok_or_else(|| Error::NotFound(format!("No claim {id}.")))?;
        // The account lock serialises every movement of this agency's money: two payouts
        // racing for the last euros are decided one after the other.
        let opened_on = store::lock_account(tx, &claim.kvk_number).await?.ok_or_else(|| Error::Conflict {
            kind: Kind::InsufficientDeposit,
            detail: format!(
                "Agency {} holds no deposit: claim {id} has nothing to be paid from here; the Labour Authority has it.",
                claim.kvk_number
            ),
        })?;
        let claim = store::claim_by_id(tx, id).await?.ok_or(Error::Corrupt("claim vanished"))?;
        let outstanding = payable_in_full(tx, &claim).await?;
        let now = state.clock.now();
        let entry = store::book(
            tx,
            &claim.kvk_number,
            EntryKind::Payout,
            outstanding,
            Some(id),
            &format!("claim {id}"),
            &principal.subject,
        )
        .await?;
        store::pay_claim(tx, id, outstanding, now).await?;
        platform::outbox::enqueue(tx, &events::payout(&claim.kvk_number, id, outstanding, now)).await?;
        let standing = ledger::settle(tx, &state, &claim.kvk_number, opened_on, ledger::Cause::Payout, now).await?;
        audit::record(
            tx,
            &audit_entry(
                &principal,
                Role::AdmissionAuthority,
                platform::event::EventType::DepositPayout.as_str(),
                &claim.kvk_number,
                json!(entry),
                &req,
            ),
        )
        .await?;
        Ok((StatusCode::OK, json!({ "entry": entry, "standing": standing })))
    })
    .await
}

/// What `claim` is still owed, when it may be paid in full now: it is accepted, and the order
/// of the advice would pay it in full (every claim that ranks before it covered too).
/// Otherwise the deposit is shared by POST /agencies/{kvk}/deposit/payouts.
async fn payable_in_full(tx: &deadpool_postgres::Transaction<'_>, claim: &Claim) -> Result<i64> {
    let id = claim.claim_id;
    if !matches!(claim.status, ClaimStatus::Accepted | ClaimStatus::PartlyPaid) {
        let detail = match claim.status {
            ClaimStatus::Filed => format!("Claim {id} has not been assessed yet."),
            other => format!("Claim {id} is {other}."),
        };
        return Err(Error::Conflict { kind: Kind::ClaimSettled, detail });
    }
    let outstanding = claim.accepted_cents.unwrap_or(0) - claim.paid_cents;
    let balance = store::balance(tx, &claim.kvk_number).await?;
    let owed: Vec<_> = store::owed(tx, &claim.kvk_number).await?.into_iter().map(|(o, _)| o).collect();
    let share: i64 = distribute(balance, &owed).iter().filter(|(c, _)| *c == id).map(|(_, cents)| cents).sum();
    if share < outstanding {
        return Err(Error::Conflict {
            kind: Kind::InsufficientDeposit,
            detail: format!(
                "The claim is owed {outstanding} cents; the deposit holds {balance} for it and every claim that ranks \
                 before it. A deposit is never overdrawn: share it with POST /api/v1/agencies/{}/deposit/payouts.",
                claim.kvk_number
            ),
        });
    }
    Ok(outstanding)
}

/// GET /api/v1/agencies/{kvk}/deposit — public: adequate, shortfall or none, and since when.
pub(super) async fn deposit_get(state: AppState, req: Request, kvk: String) -> Result<Response> {
    state.core.limiter.check(&req)?;
    let kvk = KvkNumber::from_path(&kvk)?;
    let client = state.core.pool.get().await?;
    // The read contract's answer, the same the lookup and the other registers read.
    let view = match store::public_status(&client, kvk.as_str()).await? {
        None => json!({ "kvk_number": kvk, "status": "none", "since": null, "top_up_by": null }),
        Some((status, since, top_up_by)) => {
            let status = DepositStanding::parse(&status).ok_or(Error::Corrupt("unknown deposit status"))?;
            json!({ "kvk_number": kvk, "status": status, "since": since, "top_up_by": top_up_by })
        }
    };
    Ok(no_store(json(StatusCode::OK, &view)))
}

/// GET /api/v1/agencies/{kvk}/deposit/ledger — the admission authority, the
/// inspectorate, the tax authority and the agency itself.
pub(super) async fn ledger_get(state: AppState, req: Request, kvk: String) -> Result<Response> {
    let principal = authenticate(&state, &req)?;
    let kvk = KvkNumber::from_path(&kvk)?;
    let allowed = [Role::AdmissionAuthority, Role::Inspectorate, Role::Tax].iter().any(|r| principal.has(*r))
        || principal.acts_for(Role::Agency, kvk.as_str());
    if !allowed {
        return Err(Error::Forbidden(
            "Only the admission authority, the inspectorate, the tax authority and the agency itself see the ledger."
                .into(),
        ));
    }
    let client = state.core.pool.get().await?;
    let opened_on = store::account(&client, kvk.as_str())
        .await?
        .ok_or_else(|| Error::NotFound(format!("Agency {kvk} has no deposit.")))?;
    let standing = ledger::standing(&client, &state, kvk.as_str(), opened_on, state.clock.today()).await?;
    let entries = store::ledger(&client, kvk.as_str()).await?;
    // The agency sees its claims' amounts and status, never a worker's story or evidence.
    let claims: Vec<Value> = store::claims(&client, kvk.as_str())
        .await?
        .iter()
        .map(|c| if principal.acts_for(Role::Agency, kvk.as_str()) { c.for_agency() } else { json!(c) })
        .collect();
    Ok(no_store(json(
        StatusCode::OK,
        &json!({ "kvk_number": kvk, "opened_on": opened_on, "standing": standing, "entries": entries, "claims": claims }),
    )))
}
