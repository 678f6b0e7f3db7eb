//! The one wage presumption (advice 2.1 C, 6.2 A) for every path a wage claim takes — the
//! worker's own claim and a support organisation's, assessed by the admission authority,
//! and an authority's claim filed at once: the presumption's months of full-time statutory
//! minimum wage at the rate in force on the last day of the claim's period, less what is
//! shown to be paid in it. The same facts give the same amount on every path.

use chrono::NaiveDate;
use deadpool_postgres::GenericClient;

use crate::domain::{Presumption, presumed_claim};
use platform::problem::FieldError;

use crate::error::{Error, Result};
use crate::store;

/// What is presumed owed for a claim whose period ends on `period_to`, with `paid_during`
/// shown to be paid in it: the amount and its computation, spelled out. A period before
/// the first minimum wage on record cannot be presumed: 422 at `pointer` (the amount must
/// then be given).
pub async fn presume(
    c: &impl GenericClient,
    p: Presumption,
    period_to: NaiveDate,
    paid_during: i64,
    pointer: &str,
) -> Result<(i64, serde_json::Value)> {
    let (from, hourly) = store::minimum_wage_on(c, period_to).await?.ok_or_else(|| {
        Error::Invalid(vec![FieldError::new(
            pointer,
            format!("no statutory minimum wage is on record for {period_to}: give the amount instead"),
        )])
    })?;
    Ok(presumed_claim(p, from, hourly, paid_during))
}
