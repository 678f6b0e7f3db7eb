//! Rehousing (advice 4.3 E): when a building's mark is revoked or expires while people
//! live there, the provider owes them other housing. A case opens for the municipality,
//! naming how many people, the deadline and the provider; housing inspectors see it too.
//! It closes when the provider reports the building empty or the building is certified
//! again; a case still open past its deadline is signalled by the sweep. The same when
//! people live where nobody may (issue 31): a required permit refused, absent or expired,
//! or a mobile unit outside its season — opened and closed by [`check`].
//!
//! The deadline is one calendar month after the mark ended: no resident has to leave in
//! less than the landlord's shortest notice period (4.4 A).

use chrono::{DateTime, Months, Utc};
use deadpool_postgres::GenericClient;
use uuid::Uuid;

use crate::domain::{MarkStatus, RehousingReason};
use crate::store::{self, Marked};
use crate::{Result, events};

pub const MONTHS: u32 = 1;

pub use zegel_contracts::housing::RehousingClosed as Closed;

/// Opens a case when the mark of `b` ended (`to`) with people living there; nothing
/// when the building is empty or a case is open already.
pub async fn open(tx: &impl GenericClient, b: &Marked, to: MarkStatus, now: DateTime<Utc>) -> Result<Option<Uuid>> {
    let reason = match to {
        MarkStatus::Revoked => RehousingReason::MarkRevoked,
        MarkStatus::Expired => RehousingReason::MarkExpired,
        _ => return Ok(None),
    };
    open_case(tx, b, reason, now).await
}

/// Where nobody may live now and people do (`unlawfully_occupied`: the permit the
/// municipality requires is not in force, or a mobile unit is outside its season): a case
/// opens, which tells the municipality and the housing inspectors at once; where a case
/// for that opened and the building may be lived in again, it closes. `bag_id`'s row is
/// locked by the caller or by this.
pub async fn check(tx: &impl GenericClient, bag_id: &str, now: DateTime<Utc>) -> Result<()> {
    match store::unlawful_reason(tx, bag_id).await? {
        Some(reason) => {
            if let Some(b) = store::building(tx, bag_id, true).await? {
                open_case(tx, &b, reason, now).await?;
            }
        }
        None => {
            if store::open_unlawful_case(tx, bag_id).await?
                && let Some(b) = store::building(tx, bag_id, true).await?
            {
                close(tx, &b, Closed::LawfulAgain, now).await?;
            }
        }
    }
    Ok(())
}

async fn open_case(
    tx: &impl GenericClient,
    b: &Marked,
    reason: RehousingReason,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>> {
    let people = b.occupancy.unwrap_or(0);
    if people <= 0 {
        return Ok(None);
    }
    let deadline =
        platform::clock::dutch_date(now).checked_add_months(Months::new(MONTHS)).unwrap_or(chrono::NaiveDate::MAX);
    let case = store::RehousingCase {
        case_id: Uuid::now_v7(),
        bag_id: b.building.bag_id.clone(),
        mark_id: b.mark_id,
        municipality: b.building.municipality.clone(),
        provider_kvk: b.building.provider_kvk.clone(),
        people,
        reason,
        opened_at: now,
        deadline,
        closed_at: None,
        closed_because: None,
        overdue_at: None,
    };
    if !store::open_rehousing(tx, &case).await? {
        return Ok(None);
    }
    platform::outbox::enqueue(tx, &events::rehousing_opened(&case, now)).await?;
    Ok(Some(case.case_id))
}

/// Closes the open case of `b`, if any, because of `why`.
pub async fn close(tx: &impl GenericClient, b: &Marked, why: Closed, now: DateTime<Utc>) -> Result<bool> {
    let Some(case) = store::close_rehousing(tx, &b.building.bag_id, why, now).await? else { return Ok(false) };
    platform::outbox::enqueue(tx, &events::rehousing_closed(&case, why, now)).await?;
    Ok(true)
}
