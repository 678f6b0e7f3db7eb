//! The one place the state of a deposit is settled after money moved (or time passed):
//! balance against the amount the policy in force requires, an open shortfall with its
//! top-up deadline, and the events that say so. The caller holds the account lock.

use chrono::{DateTime, Days, NaiveDate, Utc};
use deadpool_postgres::GenericClient;
use serde::Serialize;

use crate::domain::required_cents;
use crate::error::{Error, Result};
use crate::events;
use crate::state::AppState;
use crate::store;

#[derive(Debug, Clone, Serialize)]
pub struct Standing {
    pub balance_cents: i64,
    pub required_cents: i64,
    pub adequate: bool,
    pub shortfall: Option<store::Shortfall>,
    /// Weeks a shortfall opened now has to be topped up (the policy in force).
    #[serde(skip)]
    pub top_up_weeks: i32,
}

/// Computes the standing of `kvk`'s deposit on `today`.
pub async fn standing(
    c: &impl GenericClient,
    state: &AppState,
    kvk: &str,
    opened_on: NaiveDate,
    today: NaiveDate,
) -> Result<Standing> {
    let policy =
        store::policy(c, &state.settings.policy, today).await?.ok_or(Error::Corrupt("no deposit policy in force"))?;
    let required = required_cents(
        policy.required_cents,
        policy.starter_cents,
        u32::try_from(policy.starter_months).unwrap_or(0),
        opened_on,
        today,
    );
    let balance = store::balance(c, kvk).await?;
    Ok(Standing {
        balance_cents: balance,
        required_cents: required,
        adequate: balance >= required,
        shortfall: store::shortfall(c, kvk).await?,
        top_up_weeks: policy.top_up_weeks,
    })
}

/// What moved an agency's deposit (or that time passed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    Payment,
    Payout,
    /// The sweep: the required amount changes with time (the starter period).
    Time,
}

/// Settles `kvk`'s deposit after a movement: opens a shortfall (deadline: the top-up term)
/// or closes it, keeps the adequacy flag, and publishes what changed.
pub async fn settle(
    c: &impl GenericClient,
    state: &AppState,
    kvk: &str,
    opened_on: NaiveDate,
    cause: Cause,
    now: DateTime<Utc>,
) -> Result<Standing> {
    let today = platform::clock::dutch_date(now);
    let now_standing = standing(c, state, kvk, opened_on, today).await?;
    let was_adequate = store::was_adequate(c, kvk).await?;
    store::set_adequate(c, kvk, now_standing.adequate).await?;
    if now_standing.adequate {
        if store::close_shortfall(c, kvk).await? {
            platform::outbox::enqueue(c, &events::adequate(kvk, now)).await?;
        }
    } else {
        // The top-up term of the policy in force today (a dated setting, with its source).
        let weeks = u64::try_from(now_standing.top_up_weeks).unwrap_or(4);
        let deadline = today + Days::new(7 * weeks);
        // A payout drew an adequate deposit below the amount: the top-up term is the
        // agency's to use (advice 2.1 C). A starter period that ends is no surprise, and a
        // deposit never paid in full has no term to use: the deadline still runs for both.
        let drawn = was_adequate && cause == Cause::Payout;
        if store::open_shortfall(c, kvk, now, deadline, drawn).await? {
            platform::outbox::enqueue(c, &events::shortfall(kvk, deadline, now)).await?;
        }
    }
    // Read again: the shortfall may have opened or closed just now.
    standing(c, state, kvk, opened_on, today).await
}
