//! Fines for hirers who used an agency that was not certified (advice 2.1 E): an amount
//! per temporary worker, raised for a repeat of the same or a similar offence within a
//! window of years, with the hirer's due diligence as a defence. Pure: the registers'
//! history comes in as days and receipts, the schedule as the row in force.

use chrono::{Months, NaiveDate};
use serde::Serialize;
use uuid::Uuid;

pub use zegel_contracts::certificate::{FineStatus, Offence};

/// The fine schedule in force from a date (table `fine_schedule`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Schedule {
    pub effective_from: NaiveDate,
    pub per_worker_cents: i64,
    /// Raise for a first repeat, in percent.
    pub first_repeat_percent: i32,
    pub second_repeat_percent: i32,
    pub later_repeat_percent: i32,
    /// An earlier fine counts when the offence falls within this many years after it
    /// became irrevocable.
    pub repeat_window_years: i32,
    /// A receipt that said may_hire covers the days up to this many days after the check.
    pub diligence_days: i32,
}

impl Schedule {
    /// The raise, in percent, for an offence after `earlier` counted offences.
    pub fn raise_percent(&self, earlier: usize) -> i32 {
        match earlier {
            0 => 0,
            1 => self.first_repeat_percent,
            2 => self.second_repeat_percent,
            _ => self.later_repeat_percent,
        }
    }

    /// Whether an earlier fine, irrevocable on `irrevocable_on`, counts for an offence on
    /// `offence_on`: the offence falls within the window after it (both days included).
    pub fn counts(&self, irrevocable_on: NaiveDate, offence_on: NaiveDate) -> bool {
        let months = u32::try_from(self.repeat_window_years.max(0)).unwrap_or(0) * 12;
        let window_end = irrevocable_on.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX);
        irrevocable_on <= offence_on && offence_on <= window_end
    }
}

/// A receipt of the hirer check the hirer showed, as the lookup verified it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    pub receipt_id: String,
    pub kvk_number: String,
    /// The day of the check (Dutch time); none when the receipt did not verify (its
    /// date cannot be trusted, so none is shown).
    pub checked_on: Option<NaiveDate>,
    pub may_hire: bool,
    /// Whether the lookup verified it (signature, not expired); one that does not verify
    /// is shown, and covers nothing.
    pub verified: bool,
}

/// An earlier fine of the same hirer for the same or a similar offence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Earlier {
    pub fine_id: Uuid,
    pub irrevocable_on: NaiveDate,
}

/// A fine computed from the registers' history: every step shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Computation {
    pub offence: Offence,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// Days of the period the agency held no certificate in force (provisional or certified).
    pub uncertified_days: usize,
    /// Of those, the days a receipt that said may_hire covers (due diligence).
    pub covered_days: usize,
    /// The first day neither certified nor covered: the offence's date; `None`: no offence.
    pub offence_on: Option<NaiveDate>,
    pub defence: Vec<Receipt>,
    /// Whether the hirer's due diligence covers every uncertified day.
    pub due_diligence: bool,
    /// The schedule used (in force on the offence's date).
    pub schedule: Option<Schedule>,
    /// Earlier fines that count as the same or a similar offence within the window.
    pub earlier: Vec<Earlier>,
    pub raise_percent: i32,
    pub workers: i32,
    /// workers × the amount per worker.
    pub base_cents: i64,
    /// The fine: the base raised; 0 when there is no offence.
    pub amount_cents: i64,
}

#[derive(Debug, Clone)]
pub struct Case<'a> {
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// For each day of the period: whether the agency held a certificate in force.
    pub days: &'a [(NaiveDate, bool)],
    pub receipts: &'a [Receipt],
    /// The hirer's earlier irrevocable fines for offences of the same group.
    pub earlier: &'a [Earlier],
    pub workers: i32,
}

/// Computes the fine. `schedule_on` gives the schedule in force on a day.
pub fn compute(case: &Case<'_>, schedule_on: impl Fn(NaiveDate) -> Option<Schedule>) -> Computation {
    let uncertified: Vec<NaiveDate> = case.days.iter().filter(|(_, ok)| !ok).map(|(d, _)| *d).collect();
    let covers = |day: NaiveDate, s: &Schedule| {
        case.receipts.iter().any(|r| {
            r.verified
                && r.may_hire
                && r.checked_on
                    .is_some_and(|on| on <= day && (day - on).num_days() <= i64::from(s.diligence_days.max(0)))
        })
    };
    // Due diligence is judged with the schedule in force on each day.
    let uncovered: Vec<NaiveDate> =
        uncertified.iter().copied().filter(|d| schedule_on(*d).is_some_and(|s| !covers(*d, &s))).collect();
    // No fine without a schedule in force on the day (found by the fuzzer: a period before
    // the first schedule made an offence of 0 euros): such a day is neither an offence nor
    // covered.
    let unpunishable = uncertified.iter().filter(|d| schedule_on(**d).is_none()).count();
    let offence_on = uncovered.first().copied();
    let schedule = offence_on.and_then(&schedule_on);
    let earlier: Vec<Earlier> = match (&schedule, offence_on) {
        (Some(s), Some(on)) => case.earlier.iter().filter(|e| s.counts(e.irrevocable_on, on)).cloned().collect(),
        _ => Vec::new(),
    };
    let raise_percent = schedule.as_ref().map_or(0, |s| s.raise_percent(earlier.len()));
    let base_cents = schedule.as_ref().map_or(0, |s| i64::from(case.workers) * s.per_worker_cents);
    let amount_cents = if offence_on.is_some() { base_cents * (100 + i64::from(raise_percent)) / 100 } else { 0 };
    Computation {
        offence: Offence::UncertifiedAgency,
        period_from: case.period_from,
        period_to: case.period_to,
        uncertified_days: uncertified.len(),
        covered_days: uncertified.len() - uncovered.len() - unpunishable,
        offence_on,
        defence: case.receipts.to_vec(),
        due_diligence: uncertified.len() > unpunishable && uncovered.is_empty(),
        schedule,
        earlier,
        raise_percent,
        workers: case.workers,
        base_cents,
        amount_cents,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn advice() -> Schedule {
        Schedule {
            effective_from: d("2021-01-01"),
            per_worker_cents: 800_000,
            first_repeat_percent: 50,
            second_repeat_percent: 100,
            later_repeat_percent: 200,
            repeat_window_years: 5,
            diligence_days: 30,
        }
    }

    fn days(from: &str, n: i64, certified: impl Fn(i64) -> bool) -> Vec<(NaiveDate, bool)> {
        (0..n).map(|i| (d(from) + chrono::Days::new(i as u64), certified(i))).collect()
    }

    fn earlier(on: &str) -> Earlier {
        Earlier { fine_id: Uuid::now_v7(), irrevocable_on: d(on) }
    }

    fn case<'a>(
        days: &'a [(NaiveDate, bool)],
        receipts: &'a [Receipt],
        earlier: &'a [Earlier],
        workers: i32,
    ) -> Case<'a> {
        Case { period_from: days[0].0, period_to: days[days.len() - 1].0, days, receipts, earlier, workers }
    }

    #[test]
    fn eight_thousand_per_worker_raised_by_half_double_and_triple_for_repeats() {
        let days = days("2026-03-01", 10, |_| false);
        let priors = [earlier("2022-01-10"), earlier("2023-05-01"), earlier("2024-07-01"), earlier("2025-02-01")];
        for (n, amount) in [(0, 2_400_000), (1, 3_600_000), (2, 4_800_000), (3, 7_200_000), (4, 7_200_000)] {
            let c = compute(&case(&days, &[], &priors[..n], 3), |_| Some(advice()));
            assert_eq!((c.earlier.len(), c.amount_cents), (n, amount), "{n} earlier");
            assert_eq!(c.offence_on, Some(d("2026-03-01")));
            assert_eq!(c.base_cents, 2_400_000);
        }
    }

    #[test]
    fn a_repeat_counts_within_five_years_of_the_earlier_fine_becoming_irrevocable() {
        let s = advice();
        let irrevocable = d("2021-06-15");
        // 4 years and 364 days later, and exactly 5 years: a repeat; 5 years and a day: not.
        assert!(s.counts(irrevocable, d("2026-06-14")));
        assert!(s.counts(irrevocable, d("2026-06-15")));
        assert!(!s.counts(irrevocable, d("2026-06-16")));
        assert!(!s.counts(irrevocable, d("2021-06-14")), "an offence before it became final is no repeat");
        let days = days("2026-06-14", 1, |_| false);
        let prior = [Earlier { fine_id: Uuid::now_v7(), irrevocable_on: irrevocable }];
        assert_eq!(compute(&case(&days, &[], &prior, 1), |_| Some(s.clone())).raise_percent, 50);
        let later: Vec<_> = days.iter().map(|(day, ok)| (*day + chrono::Days::new(2), *ok)).collect();
        assert_eq!(compute(&case(&later, &[], &prior, 1), |_| Some(s.clone())).raise_percent, 0);
    }

    /// Found by the fuzzer: a period before the first schedule was an offence of 0 euros,
    /// which the database refused (a 500). No schedule in force, no fine for that day.
    #[test]
    fn a_day_without_a_schedule_in_force_is_no_offence() {
        let from_2021 = |day: NaiveDate| (day >= d("2021-01-01")).then(advice);
        let before = days("2000-01-05", 1, |_| false);
        let c = compute(&case(&before, &[], &[], 1), from_2021);
        assert_eq!((c.offence_on, c.amount_cents, c.uncertified_days, c.covered_days), (None, 0, 1, 0));
        assert!(!c.due_diligence, "nothing was covered: there was nothing to cover");
        let straddling = days("2020-12-30", 4, |_| false);
        let c = compute(&case(&straddling, &[], &[], 1), from_2021);
        assert_eq!((c.offence_on, c.amount_cents, c.covered_days), (Some(d("2021-01-01")), 800_000, 0));
    }

    #[test]
    fn no_fine_when_the_agency_was_certified_every_day() {
        let days = days("2026-03-01", 30, |_| true);
        let c = compute(&case(&days, &[], &[], 5), |_| Some(advice()));
        assert_eq!((c.offence_on, c.amount_cents, c.uncertified_days, c.due_diligence), (None, 0, 0, false));
    }

    #[test]
    fn a_receipt_that_said_may_hire_covers_thirty_days_and_only_a_verified_one() {
        // Certified for ten days, then not: the receipt of day 1 covers up to day 31.
        let days = days("2026-03-01", 40, |i| i < 10);
        let receipt = |verified: bool, may_hire: bool| Receipt {
            receipt_id: "r".into(),
            kvk_number: "12345678".into(),
            checked_on: Some(d("2026-03-01")),
            may_hire,
            verified,
        };
        let good = [receipt(true, true)];
        let c = compute(&case(&days, &good, &[], 2), |_| Some(advice()));
        assert_eq!((c.uncertified_days, c.covered_days), (30, 21), "days 10..=30 covered");
        assert_eq!(c.offence_on, Some(d("2026-04-01")), "day 31 is the first not covered");
        assert!(!c.due_diligence && c.amount_cents == 1_600_000);

        let short = days[..31].to_vec();
        let c = compute(&case(&short, &good, &[], 2), |_| Some(advice()));
        assert!(c.due_diligence, "every uncertified day covered");
        assert_eq!((c.offence_on, c.amount_cents), (None, 0));
        for shown in [receipt(false, true), receipt(true, false)] {
            let shown = [shown];
            let c = compute(&case(&short, &shown, &[], 2), |_| Some(advice()));
            assert_eq!(c.offence_on, Some(d("2026-03-11")), "{shown:?} covers nothing");
            assert_eq!(c.defence.len(), 1, "but it is shown");
        }
    }

    #[test]
    fn the_schedule_in_force_on_the_offence_day_decides() {
        let days = days("2026-03-01", 1, |_| false);
        let raised = Schedule { effective_from: d("2026-01-01"), per_worker_cents: 1_000_000, ..advice() };
        let pick = |on: NaiveDate| Some(if on >= raised.effective_from { raised.clone() } else { advice() });
        assert_eq!(compute(&case(&days, &[], &[], 1), pick).amount_cents, 1_000_000);
        let old = [(d("2025-12-31"), false)];
        assert_eq!(compute(&case(&old, &[], &[], 1), pick).amount_cents, 800_000);
    }
}
