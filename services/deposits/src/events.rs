//! What the deposits register publishes: facts, never personal data.

use chrono::{DateTime, NaiveDate, Utc};
use platform::event::{Body, payload};
use platform::outbox::Event;
use uuid::Uuid;

pub fn payout(kvk: &str, claim_id: Uuid, amount_cents: i64, now: DateTime<Utc>) -> Event {
    let what = payload::Payout { kvk_number: kvk.into(), claim_id, amount_cents };
    Event::new(Body::DepositPayout(what), kvk, &[], now)
}

/// The deposit fell below the required level; it must be topped up by `deadline`.
pub fn shortfall(kvk: &str, deadline: NaiveDate, now: DateTime<Utc>) -> Event {
    let what = payload::Shortfall { kvk_number: kvk.into(), top_up_by: deadline };
    Event::new(Body::DepositShortfall(what), kvk, &["inspectorate"], now)
}

pub fn adequate(kvk: &str, now: DateTime<Utc>) -> Event {
    Event::new(Body::DepositAdequate(payload::Adequate { kvk_number: kvk.into() }), kvk, &[], now)
}

/// Not topped up in time: the certificate lapses (advice 2.1 C).
pub fn shortfall_overdue(kvk: &str, deadline: NaiveDate, now: DateTime<Utc>) -> Event {
    let what = payload::Shortfall { kvk_number: kvk.into(), top_up_by: deadline };
    Event::new(Body::DepositShortfallOverdue(what), kvk, &["certificates", "inspectorate"], now)
}

/// A worker (or a support organisation for them) filed a wage claim: the admission authority
/// assesses it, the inspectorate follows it — also when the agency holds no deposit
/// (`no_deposit`), where the Labour Authority acts. No name, no BSN, no story, and never the
/// worker's private status link (the authorities read the claim on their own routes).
pub fn worker_claim_filed(claim: &crate::store::Claim, now: DateTime<Utc>) -> Event {
    let what = payload::ClaimFiled {
        kvk_number: claim.kvk_number.clone(),
        claim_id: claim.claim_id,
        claim_type: claim.claim_type,
        no_deposit: claim.no_deposit,
    };
    Event::new(Body::DepositWorkerClaimFiled(what), &claim.kvk_number, &["admission_authority", "inspectorate"], now)
}

/// A claim was assessed: accepted for an amount, or rejected.
pub fn claim_assessed(claim: &crate::store::Claim, now: DateTime<Utc>) -> Event {
    let what = payload::ClaimAssessed {
        kvk_number: claim.kvk_number.clone(),
        claim_id: claim.claim_id,
        status: claim.status,
        accepted_cents: claim.accepted_cents,
        presumption: claim.presumption,
    };
    Event::new(Body::DepositClaimAssessed(what), &claim.kvk_number, &["inspectorate"], now)
}
