//! Money and the rules of advice 2.1 C.

use platform::problem::FieldError;
use serde::Serialize;

pub use platform::ids::KvkNumber;

/// Full-time hours a week for the presumed wage claim.
pub const FULL_TIME_HOURS_PER_WEEK: i64 = 40;
/// A wage claim without usable administration is presumed to cover this many months.
pub const PRESUMED_MONTHS: i64 = 2;

/// An amount in euro cents: positive and at most EUR 10 million (no deposit holds more).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Cents(i64);

impl Cents {
    /// Largest amount accepted in one movement.
    pub const MAX: i64 = 1_000_000_000;

    /// Parses a JSON amount: an integer number of cents, positive and bounded.
    pub fn parse(value: &serde_json::Value, pointer: &str) -> Result<Self, FieldError> {
        let err = |m: &str| FieldError::new(pointer, m);
        let n = value.as_i64().ok_or_else(|| {
            if value.is_f64() || value.is_u64() {
                err("an amount is a whole number of euro cents")
            } else {
                err("an amount is a number of euro cents")
            }
        })?;
        if n <= 0 {
            return Err(err("an amount must be more than zero"));
        }
        if n > Self::MAX {
            return Err(err("an amount is at most EUR 10,000,000 (1000000000 cents)"));
        }
        Ok(Self(n))
    }

    /// The cents.
    pub fn get(self) -> i64 {
        self.0
    }
}

platform::text_enum! {
    /// What a claim is for.
    pub enum ClaimType {
        /// Wages a worker was not paid.
        UnpaidWages = "unpaid_wages",
        /// An inspectorate fine.
        Fine = "fine",
        /// Damages to a worker.
        Damages = "damages",
    }
}

platform::text_enum! {
    /// Where a claim is.
    pub enum ClaimStatus {
        /// Filed, not yet settled.
        Filed = "filed",
        /// Paid out of the deposit.
        Paid = "paid",
        /// Rejected.
        Rejected = "rejected",
    }
}

platform::text_enum! {
    /// A movement in the deposit's ledger.
    pub enum EntryKind {
        /// The agency paid the deposit in.
        Payment = "payment",
        /// The agency topped it up after a payout or a raised level.
        TopUp = "top_up",
        /// Money paid out of it on a claim.
        Payout = "payout",
    }
}

pub use zegel_standing::DepositStanding;

/// The presumed wage claim: `months` of full-time minimum wage at `hourly_cents`, with the
/// computation spelled out. Month = 52/12 weeks; rounded half up to the cent.
pub fn presumed_wages(months: i64, hourly_cents: i64) -> (i64, serde_json::Value) {
    // months × 40 h × 52 weeks × hourly / 12, in integers, rounded half up.
    let numerator = months * FULL_TIME_HOURS_PER_WEEK * 52 * hourly_cents;
    let cents = (numerator + 6) / 12;
    let computation = serde_json::json!({
        "rule": "no usable administration: presumed full-time statutory minimum wage (advice 2.1 C)",
        "months": months,
        "hours_per_week": FULL_TIME_HOURS_PER_WEEK,
        "weeks_per_month": "52/12",
        "hourly_minimum_wage_cents": hourly_cents,
        "formula": format!("{months} × {FULL_TIME_HOURS_PER_WEEK} × 52/12 × {hourly_cents} = {cents} cents"),
        "amount_cents": cents,
    });
    (cents, computation)
}

/// The amount required on `today` from an account opened on `opened_on`: a starter
/// (within `starter_months` of opening) owes the starter amount, everyone else the full one.
pub fn required_cents(
    required: i64,
    starter: i64,
    starter_months: u32,
    opened_on: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> i64 {
    let starter_until = opened_on.checked_add_months(chrono::Months::new(starter_months)).unwrap_or(opened_on);
    if today < starter_until { starter } else { required }
}

pub use platform::http::text;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amounts_are_positive_whole_cents() {
        assert_eq!(Cents::parse(&json!(100), "/a").unwrap().get(), 100);
        for (v, case) in [
            (json!(0), "zero"),
            (json!(-5), "negative"),
            (json!(1.5), "fractional"),
            (json!("100"), "a string"),
            (json!(2_000_000_000i64), "too large"),
        ] {
            assert!(Cents::parse(&v, "/a").is_err(), "{case}");
        }
    }

    #[test]
    fn a_starter_owes_half_for_six_months_under_the_wtta() {
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        assert_eq!(required_cents(10_000_000, 5_000_000, 6, d("2026-01-15"), d("2026-07-14")), 5_000_000);
        assert_eq!(required_cents(10_000_000, 5_000_000, 6, d("2026-01-15"), d("2026-07-15")), 10_000_000);
        assert_eq!(required_cents(7_500_000, 7_500_000, 0, d("2026-01-15"), d("2026-01-15")), 7_500_000);
    }

    #[test]
    fn two_months_of_minimum_wage_at_14_71_is_5099_47() {
        // 2 × 40 × 52/12 × 14.71 = 5099.4666… → EUR 5,099.47
        let (cents, computation) = presumed_wages(2, 1471);
        assert_eq!(cents, 509_947);
        assert_eq!(computation["formula"], "2 × 40 × 52/12 × 1471 = 509947 cents");
        assert_eq!(presumed_wages(3, 1471).0, 764_920);
    }
}
