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

pub use zegel_contracts::deposit::{ClaimStatus, ClaimType, Presumption};

/// The order payouts follow when the deposit does not cover every claim: wages first,
/// then fines and damages (advice 2.1 C: the deposit is there for the workers first).
pub fn priority(kind: ClaimType) -> u8 {
    match kind {
        ClaimType::UnpaidWages => 0,
        ClaimType::Fine | ClaimType::Damages => 1,
    }
}

/// What a claim is still owed, as a payout ranks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owed {
    pub claim_id: uuid::Uuid,
    /// Its type's priority ([`priority`]).
    pub priority: u8,
    /// Paid in part before: what remains is paid before new claims of its priority.
    pub carried_over: bool,
    /// Cents still owed (more than zero).
    pub cents: i64,
}

/// How `balance` cents are paid out over the claims `owed`, in the order of the advice:
/// by priority (wages before fines and damages), within a priority what was left unpaid
/// by an earlier payout before new claims, and each group in full while the balance lasts.
/// The first group it does not cover shares what is left pro rata to what each is owed,
/// rounded down, the cents left over one each to the largest remainders (then the oldest
/// claim, by id); later groups get nothing. Never more than `balance` in all, never more
/// than a claim is owed.
pub fn distribute(balance: i64, owed: &[Owed]) -> Vec<(uuid::Uuid, i64)> {
    let mut ranked: Vec<&Owed> = owed.iter().filter(|o| o.cents > 0).collect();
    ranked.sort_by_key(|o| (o.priority, !o.carried_over, o.claim_id));
    let mut left = balance.max(0);
    let mut paid = Vec::new();
    let mut i = 0;
    while i < ranked.len() && left > 0 {
        let key = (ranked[i].priority, ranked[i].carried_over);
        let group: Vec<&Owed> =
            ranked[i..].iter().copied().take_while(|o| (o.priority, o.carried_over) == key).collect();
        i += group.len();
        let total: i64 = group.iter().map(|o| o.cents).sum();
        if total <= left {
            paid.extend(group.iter().map(|o| (o.claim_id, o.cents)));
            left -= total;
            continue;
        }
        // Pro rata: floor(left × owed / total), in 128 bits (no overflow), then the cents
        // the rounding left over.
        let mut shares: Vec<(uuid::Uuid, i64, i128)> = group
            .iter()
            .map(|o| {
                let exact = i128::from(left) * i128::from(o.cents);
                let share = exact / i128::from(total);
                (o.claim_id, i64::try_from(share).unwrap_or(0), exact % i128::from(total))
            })
            .collect();
        let mut rest = left - shares.iter().map(|s| s.1).sum::<i64>();
        let mut order: Vec<usize> = (0..shares.len()).collect();
        order.sort_by(|a, b| shares[*b].2.cmp(&shares[*a].2).then(shares[*a].0.cmp(&shares[*b].0)));
        for k in order {
            if rest == 0 {
                break;
            }
            shares[k].1 += 1;
            rest -= 1;
        }
        paid.extend(shares.into_iter().map(|(id, share, _)| (id, share)));
        left = 0;
    }
    paid.retain(|(_, cents)| *cents > 0);
    paid
}

platform::text_enum! {
    pub enum EntryKind {
        Payment = "payment",
        /// The agency topped it up after a payout or a raised level.
        TopUp = "top_up",
        Payout = "payout",
    }
}

pub use zegel_contracts::DepositStanding;

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

/// Months of full-time minimum wage presumed under `p`.
pub fn presumed_months(p: Presumption) -> i64 {
    match p {
        Presumption::AdministrationUnusable => PRESUMED_MONTHS,
        Presumption::SixMonthRelation => 6,
    }
}

/// The rule of `p`, in words.
pub fn rule(p: Presumption) -> &'static str {
    match p {
        Presumption::AdministrationUnusable => {
            "the administration is unusable: two months of full-time statutory minimum wage are presumed owed (advice 2.1 C)"
        }
        Presumption::SixMonthRelation => {
            "underpayment is suspected and the administration is unsound: an employment of six months is presumed (advice 6.2 A)"
        }
    }
}

/// What a worker is owed under presumption `p`, at the minimum wage `hourly_cents` in force
/// from `wage_from` on the claim's period, less what the worker says was paid in the
/// period: the amount and its computation, spelled out.
pub fn presumed_claim(
    p: Presumption,
    wage_from: chrono::NaiveDate,
    hourly_cents: i64,
    paid_during: i64,
) -> (i64, serde_json::Value) {
    let (presumed, mut computation) = presumed_wages(presumed_months(p), hourly_cents);
    let owed = (presumed - paid_during.max(0)).max(0);
    computation["rule"] = serde_json::json!(rule(p));
    computation["presumption"] = serde_json::json!(p);
    computation["minimum_wage_in_force_from"] = serde_json::json!(wage_from);
    computation["presumed_cents"] = serde_json::json!(presumed);
    computation["paid_during_cents"] = serde_json::json!(paid_during.max(0));
    computation["amount_cents"] = serde_json::json!(owed);
    (owed, computation)
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

    fn owed(n: u128, priority: u8, carried_over: bool, cents: i64) -> Owed {
        Owed { claim_id: uuid::Uuid::from_u128(n), priority, carried_over, cents }
    }

    fn paid_to(paid: &[(uuid::Uuid, i64)], n: u128) -> i64 {
        paid.iter().filter(|(id, _)| *id == uuid::Uuid::from_u128(n)).map(|(_, c)| c).sum()
    }

    #[test]
    fn wages_are_paid_before_fines_and_damages_and_a_short_balance_is_shared_pro_rata() {
        let claims = [owed(1, 1, false, 50_000), owed(2, 0, false, 30_000), owed(3, 0, false, 10_000)];
        // Exactly enough for everything.
        let paid = distribute(90_000, &claims);
        assert_eq!((paid_to(&paid, 1), paid_to(&paid, 2), paid_to(&paid, 3)), (50_000, 30_000, 10_000));
        // One cent short: the wages in full, the fine one cent less.
        let paid = distribute(89_999, &claims);
        assert_eq!((paid_to(&paid, 1), paid_to(&paid, 2), paid_to(&paid, 3)), (49_999, 30_000, 10_000));
        // The wages alone are not covered: they share pro rata (3:1), the fine gets nothing.
        let paid = distribute(20_000, &claims);
        assert_eq!((paid_to(&paid, 1), paid_to(&paid, 2), paid_to(&paid, 3)), (0, 15_000, 5_000));
        // Exactly the wages: the fine nothing.
        let paid = distribute(40_000, &claims);
        assert_eq!((paid_to(&paid, 1), paid_to(&paid, 2), paid_to(&paid, 3)), (0, 30_000, 10_000));
        // One cent short of the wages: the cents that rounding leaves go to the largest remainder.
        let paid = distribute(39_999, &claims);
        assert_eq!(paid_to(&paid, 2) + paid_to(&paid, 3), 39_999);
        assert_eq!((paid_to(&paid, 2), paid_to(&paid, 3)), (29_999, 10_000));
        assert_eq!(distribute(0, &claims), []);
    }

    #[test]
    fn what_an_earlier_payout_left_unpaid_is_paid_first_and_nothing_is_ever_overdrawn() {
        let claims = [owed(1, 0, false, 10_000), owed(2, 0, true, 5_000)];
        let paid = distribute(6_000, &claims);
        assert_eq!((paid_to(&paid, 2), paid_to(&paid, 1)), (5_000, 1_000), "the carried-over remainder first");
        // Thirds: 100 cents over three equal claims of 1 cent short of a third each.
        let three = [owed(1, 0, false, 7), owed(2, 0, false, 7), owed(3, 0, false, 7)];
        let paid = distribute(10, &three);
        assert_eq!(paid.iter().map(|(_, c)| c).sum::<i64>(), 10, "every cent, never more");
        assert!(paid.iter().all(|(_, c)| *c <= 4 && *c >= 3), "{paid:?}");
        for balance in [1, 2, 99, 1_000_003, i64::MAX / 4] {
            let many: Vec<Owed> = (0..50).map(|n| owed(n, (n % 2) as u8, n % 5 == 0, 300_000 + n as i64)).collect();
            let paid = distribute(balance, &many);
            let total: i64 = paid.iter().map(|(_, c)| c).sum();
            let owed_total: i64 = many.iter().map(|o| o.cents).sum();
            assert_eq!(total, balance.min(owed_total), "balance {balance}");
            for o in &many {
                assert!(paid_to(&paid, o.claim_id.as_u128()) <= o.cents);
            }
        }
    }

    #[test]
    fn the_presumptions_give_two_or_six_months_less_what_was_paid() {
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        let (two, c) = presumed_claim(Presumption::AdministrationUnusable, d("2026-01-01"), 1471, 0);
        assert_eq!(two, 509_947);
        assert_eq!(c["presumption"], "administration_unusable");
        let (six, c) = presumed_claim(Presumption::SixMonthRelation, d("2025-07-01"), 1440, 100_000);
        // 6 × 40 × 52/12 × 1440 = 1,497,600 cents; less EUR 1,000 paid.
        assert_eq!((six, c["presumed_cents"].as_i64()), (1_397_600, Some(1_497_600)));
        assert_eq!(presumed_claim(Presumption::AdministrationUnusable, d("2026-01-01"), 1471, 600_000).0, 0);
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
