//! The yearly report on labour migration and the suite's measures (advice 7.2 A).
//!
//! Each register computes its own figures from its dated histories (its `statistics(from,
//! as_of)` function, a read contract), so that the figures for a past date are the same
//! whenever they are computed again. Here they are put together in one order, cells that
//! could single out a person are suppressed, and the report is written as CSV — the bytes
//! whose SHA-256 the lookup seals, so that anyone can check a copy with `sha256sum`.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The registers that publish figures, in the report's order (schemas).
pub const REGISTERS: [&str; 5] = ["certificates", "bans", "deposits", "gaccounts", "housing"];

/// Counts under this many, about persons, are suppressed.
pub const SMALLEST_SHOWN: i64 = 5;

/// Shown counts about persons are rounded to a multiple of this, the same way in every
/// release: two releases differenced give a quarter's count to within this, never exactly.
pub const ROUND_COUNTS_TO: i64 = 5;

/// Shown amounts over counts about persons are rounded to a multiple of this (EUR 1,000).
pub const ROUND_CENTS_TO: i64 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A count of things no person can be found by (agencies, buildings, inspections).
    Count,
    /// A count of persons or of what persons did (bans, workers' claims and complaints,
    /// accidents): cells of 1 to 4 are suppressed.
    Persons,
    /// An amount over the cells of a `Persons` measure: suppressed with its count.
    AmountOf(&'static str),
}

/// Every measure a register may publish, with its kind. A measure not listed here is not
/// published (a register cannot add a figure the report has not decided to show).
pub const MEASURES: &[(&str, &str, Kind)] = &[
    ("certificates", "agencies_by_certificate", Kind::Count),
    ("certificates", "provisional_issued", Kind::Count),
    ("certificates", "provisional_outcomes", Kind::Count),
    ("certificates", "suspensions_by_ground", Kind::Count),
    ("certificates", "revocations_by_ground", Kind::Count),
    ("certificates", "lapses_by_ground", Kind::Count),
    ("certificates", "accidents_reported", Kind::Persons),
    ("certificates", "accidents_reported_late", Kind::Persons),
    ("certificates", "work_complaints_by_category", Kind::Persons),
    ("certificates", "hirer_fines_decided", Kind::Count),
    ("certificates", "hirer_fines_irrevocable", Kind::Count),
    ("bans", "bans_imposed", Kind::Persons),
    ("bans", "bans_lifted", Kind::Persons),
    ("bans", "bans_in_force", Kind::Persons),
    ("deposits", "deposit_accounts", Kind::Count),
    ("deposits", "claims_filed", Kind::Persons),
    ("deposits", "claims_filed_cents", Kind::AmountOf("claims_filed")),
    ("deposits", "claims_accepted", Kind::Persons),
    ("deposits", "claims_accepted_cents", Kind::AmountOf("claims_accepted")),
    ("deposits", "claims_rejected", Kind::Persons),
    ("deposits", "claims_paid_in_full", Kind::Persons),
    ("deposits", "payouts", Kind::Persons),
    ("deposits", "payouts_cents", Kind::AmountOf("payouts")),
    ("gaccounts", "g_accounts_by_status", Kind::Count),
    ("gaccounts", "g_accounts_requested", Kind::Count),
    ("housing", "buildings_certified", Kind::Count),
    ("housing", "beds_certified", Kind::Count),
    ("housing", "inspections", Kind::Count),
    ("housing", "marks_changed", Kind::Count),
    ("housing", "housing_complaints_by_category", Kind::Persons),
    ("housing", "tenancy_contract_forms", Kind::Count),
    ("housing", "rehousing_cases_opened", Kind::Count),
    ("housing", "rehousing_cases_closed", Kind::Count),
];

fn kind_of(register: &str, measure: &str) -> Option<Kind> {
    MEASURES.iter().find(|(r, m, _)| *r == register && *m == measure).map(|(_, _, k)| *k)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figure {
    pub register: String,
    pub measure: String,
    /// Which cell (codes joined by `|`).
    pub dimension: String,
    /// The value; `None` when suppressed.
    pub value: Option<i64>,
}

/// The period a report covers: from 1 January of `year` to `as_of` (Dutch dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub year: i32,
    pub from: NaiveDate,
    pub as_of: NaiveDate,
}

/// Whether `day` is a release date: the last day of a quarter. The report is released
/// on these days only — a report for any day would let two consecutive days be
/// differenced into what happened on one, to one person.
pub fn is_release_date(day: NaiveDate) -> bool {
    matches!(day.month(), 3 | 6 | 9 | 12) && day.succ_opt().is_some_and(|next| next.day() == 1)
}

/// The last release date on or before `day` (one is never more than 92 days back).
pub fn last_release(day: NaiveDate) -> NaiveDate {
    (0..=92)
        .filter_map(|back| day.checked_sub_days(chrono::Days::new(back)))
        .find(|d| is_release_date(*d))
        .unwrap_or(day)
}

impl Period {
    /// The period for `year` up to `as_of`, a release date (default: the year's last
    /// release date that has passed), given `today`. A report covers complete days only.
    pub fn of(year: i32, as_of: Option<NaiveDate>, today: NaiveDate) -> Result<Self, &'static str> {
        let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or("no such year")?;
        let last = NaiveDate::from_ymd_opt(year, 12, 31).ok_or("no such year")?;
        let yesterday = today.pred_opt().ok_or("no such day")?;
        if !(2000..=today.year()).contains(&year) {
            return Err("a year from 2000 to this year");
        }
        let as_of = as_of.unwrap_or(last_release(last.min(yesterday)));
        if as_of.year() != year {
            return Err("as_of must fall in the year (the year's first release is on 31 March)");
        }
        if as_of > yesterday {
            return Err("as_of must be a day that has ended (yesterday or before)");
        }
        if !is_release_date(as_of) {
            return Err(
                "as_of must be a release date: the last day of a quarter (31 March, 30 June, 30 September, 31 December)",
            );
        }
        Ok(Self { year, from, as_of })
    }

    /// The year whose report is shown when none is asked for: that of the last release.
    pub fn default_year(today: NaiveDate) -> i32 {
        last_release(today.pred_opt().unwrap_or(today)).year()
    }
}

/// The published figures: each register's rows, known measures only, in one order, with
/// small cells about persons suppressed.
pub fn assemble(rows: Vec<(String, String, String, i64)>) -> Vec<Figure> {
    let mut figures: Vec<Figure> = rows
        .into_iter()
        .filter(|(register, measure, _, _)| kind_of(register, measure).is_some())
        .map(|(register, measure, dimension, value)| Figure { register, measure, dimension, value: Some(value) })
        .collect();
    figures.sort_by(|a, b| {
        let order = |f: &Figure| REGISTERS.iter().position(|r| *r == f.register).unwrap_or(usize::MAX);
        (order(a), &a.measure, &a.dimension).cmp(&(order(b), &b.measure, &b.dimension))
    });
    suppress(&mut figures);
    round(&mut figures);
    figures
}

/// Rounds every shown count about persons to [`ROUND_COUNTS_TO`] and every shown amount
/// over such counts to [`ROUND_CENTS_TO`], half up (a count of 5 to 7 shows 5, 8 to 12
/// shows 10).
fn round(figures: &mut [Figure]) {
    let to = |v: i64, step: i64| (v + step / 2) / step * step;
    for f in figures.iter_mut() {
        let step = match kind_of(&f.register, &f.measure) {
            Some(Kind::Persons) => ROUND_COUNTS_TO,
            Some(Kind::AmountOf(_)) => ROUND_CENTS_TO,
            _ => continue,
        };
        f.value = f.value.map(|v| to(v, step));
    }
}

/// Suppresses every cell of 1 to 4 of a measure about persons; where that hides a single
/// cell of a measure, the next smallest non-zero cell too (else the measure's total, or a
/// reader's sum, would give it away); and the amounts over suppressed cells.
fn suppress(figures: &mut [Figure]) {
    let small = |v: Option<i64>| v.is_some_and(|v| v > 0 && v < SMALLEST_SHOWN);
    let measures: Vec<(String, String)> = {
        let mut m: Vec<_> = figures.iter().map(|f| (f.register.clone(), f.measure.clone())).collect();
        m.dedup();
        m
    };
    for (register, measure) in &measures {
        if kind_of(register, measure) != Some(Kind::Persons) {
            continue;
        }
        let cells: Vec<usize> = (0..figures.len())
            .filter(|&i| figures[i].register == *register && figures[i].measure == *measure)
            .collect();
        let hidden = cells.iter().filter(|&&i| small(figures[i].value)).count();
        for &i in &cells {
            if small(figures[i].value) {
                figures[i].value = None;
            }
        }
        if hidden == 1 {
            let next = cells
                .iter()
                .copied()
                .filter(|&i| figures[i].value.is_some_and(|v| v > 0))
                .min_by_key(|&i| figures[i].value);
            if let Some(i) = next {
                figures[i].value = None;
            }
        }
    }
    let hidden: Vec<(String, String, String)> = figures
        .iter()
        .filter(|f| f.value.is_none())
        .map(|f| (f.register.clone(), f.measure.clone(), f.dimension.clone()))
        .collect();
    for f in figures.iter_mut() {
        if let Some(Kind::AmountOf(count)) = kind_of(&f.register, &f.measure)
            && hidden.iter().any(|(r, m, d)| *r == f.register && m == count && *d == f.dimension)
        {
            f.value = None;
        }
    }
}

/// The report as CSV: a header, then one line per cell; a suppressed cell reads `<5`.
/// These bytes are what the seal's hash is over.
pub fn csv(period: &Period, figures: &[Figure]) -> String {
    let mut out = String::from("year,from,as_of,register,measure,dimension,value\n");
    for f in figures {
        let value = f.value.map_or(format!("<{SMALLEST_SHOWN}"), |v| v.to_string());
        // Codes, dates and numbers only: nothing here needs quoting, but a dimension that
        // ever did is quoted rather than split.
        let dimension = if f.dimension.contains([',', '"', '\n']) {
            format!("\"{}\"", f.dimension.replace('"', "\"\""))
        } else {
            f.dimension.clone()
        };
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{}",
            period.year, period.from, period.as_of, f.register, f.measure, dimension, value
        );
    }
    out
}

/// The SHA-256 of `csv`, lower-case hex.
pub fn sha256(csv: &str) -> String {
    Sha256::digest(csv.as_bytes()).iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The value of one cell, 0 when the register published none; `None` when suppressed.
pub fn value(figures: &[Figure], measure: &str, dimension: &str) -> Option<i64> {
    match figures.iter().find(|f| f.measure == measure && f.dimension == dimension) {
        Some(f) => f.value,
        None => Some(0),
    }
}

/// The cells of one measure, summed over the dimension's parts after the first (`|`):
/// `agencies_by_certificate` by status, whatever the norm. A part with a suppressed cell
/// is `None`.
pub fn by_first(figures: &[Figure], measure: &str) -> Vec<(String, Option<i64>)> {
    let mut out: Vec<(String, Option<i64>)> = Vec::new();
    for f in figures.iter().filter(|f| f.measure == measure) {
        let key = f.dimension.split('|').next().unwrap_or_default().to_string();
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = v.zip(f.value).map(|(a, b)| a + b),
            None => out.push((key, f.value)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(register: &str, measure: &str, dimension: &str, value: i64) -> (String, String, String, i64) {
        (register.into(), measure.into(), dimension.into(), value)
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_report_covers_complete_days_of_one_year() {
        let today = d("2026-12-03");
        assert_eq!(
            Period::of(2026, None, today).unwrap().as_of,
            d("2026-09-30"),
            "the last release while the year runs"
        );
        assert_eq!(Period::of(2025, None, today).unwrap().as_of, d("2025-12-31"));
        assert_eq!(Period::of(2025, Some(d("2025-06-30")), today).unwrap().from, d("2025-01-01"));
        assert!(Period::of(2026, Some(today), today).is_err(), "today has not ended");
        assert!(Period::of(2025, Some(d("2026-01-01")), today).is_err(), "another year");
        assert!(Period::of(2027, None, today).is_err());
        assert!(Period::of(1999, None, today).is_err());
        assert!(Period::of(2025, Some(d("2025-07-01")), today).is_err(), "not a release date");
        assert!(Period::of(2025, Some(d("2025-06-29")), today).is_err(), "the day before one neither");
        assert!(Period::of(2026, None, d("2026-02-10")).is_err(), "no release of 2026 before 31 March");
        assert_eq!(Period::default_year(d("2026-02-10")), 2025, "then last year's is shown");
        assert_eq!(Period::default_year(d("2026-04-01")), 2026);
        assert_eq!(Period::default_year(d("2026-03-31")), 2025, "31 March has not ended yet");
    }

    #[test]
    fn shown_counts_about_persons_and_their_amounts_are_rounded_alike_in_every_release() {
        let figures = assemble(vec![
            row("deposits", "claims_filed", "unpaid_wages", 12),
            row("deposits", "claims_filed", "fine", 8),
            row("deposits", "claims_filed_cents", "unpaid_wages", 1_234_567),
            row("deposits", "claims_filed_cents", "fine", 849_999),
            row("deposits", "payouts", "all", 3),
            row("deposits", "payouts_cents", "all", 250_000),
            row("housing", "inspections", "announced", 13),
        ]);
        let v = |m: &str, dim: &str| value(&figures, m, dim);
        assert_eq!((v("claims_filed", "unpaid_wages"), v("claims_filed", "fine")), (Some(10), Some(10)));
        assert_eq!(v("claims_filed_cents", "unpaid_wages"), Some(1_200_000));
        assert_eq!(v("claims_filed_cents", "fine"), Some(800_000));
        assert_eq!((v("payouts", "all"), v("payouts_cents", "all")), (None, None), "three payouts: no amount");
        assert_eq!(v("inspections", "announced"), Some(13), "counts of no person stay exact");
    }

    #[test]
    fn small_cells_about_persons_are_suppressed_with_the_next_smallest_and_their_amounts() {
        let figures = assemble(vec![
            row("deposits", "claims_filed", "unpaid_wages", 12),
            row("deposits", "claims_filed", "fine", 3),
            row("deposits", "claims_filed", "damages", 7),
            row("deposits", "claims_filed_cents", "fine", 900_000),
            row("deposits", "claims_filed_cents", "damages", 700_000),
            row("deposits", "claims_filed_cents", "unpaid_wages", 1_200_000),
            row("bans", "bans_imposed", "administrative", 2),
            row("bans", "bans_imposed", "civil", 1),
            row("certificates", "agencies_by_certificate", "certified|NEN 4400-1", 3),
            row("certificates", "not_in_the_catalogue", "x", 1),
        ]);
        let v = |m: &str, dim: &str| value(&figures, m, dim);
        assert_eq!(v("claims_filed", "fine"), None, "3 claims: a worker could be found");
        assert_eq!(v("claims_filed", "damages"), None, "the next smallest, or 22 - 12 - 7 gives it away");
        assert_eq!(v("claims_filed", "unpaid_wages"), Some(10), "12, rounded to 5");
        assert_eq!(v("claims_filed_cents", "fine"), None, "amounts go with their counts");
        assert_eq!(v("claims_filed_cents", "damages"), None);
        assert_eq!(v("claims_filed_cents", "unpaid_wages"), Some(1_200_000));
        assert_eq!((v("bans_imposed", "administrative"), v("bans_imposed", "civil")), (None, None));
        assert_eq!(v("agencies_by_certificate", "certified|NEN 4400-1"), Some(3), "agencies are not persons");
        assert!(figures.iter().all(|f| f.measure != "not_in_the_catalogue"));
        assert_eq!(figures[0].register, "certificates", "in the registers' order");
    }

    #[test]
    fn zero_and_five_are_shown() {
        let figures = assemble(vec![
            row("certificates", "accidents_reported", "all", 0),
            row("certificates", "work_complaints_by_category", "intimidation", 5),
        ]);
        assert_eq!(value(&figures, "accidents_reported", "all"), Some(0));
        assert_eq!(value(&figures, "work_complaints_by_category", "intimidation"), Some(5));
    }

    #[test]
    fn the_csv_is_the_hashed_form_and_reads_suppressed_cells_as_under_five() {
        let period = Period::of(2025, None, d("2026-12-03")).unwrap();
        let figures = assemble(vec![
            row("housing", "inspections", "announced", 40),
            row("housing", "housing_complaints_by_category", "fire_safety", 2),
        ]);
        let csv = csv(&period, &figures);
        assert_eq!(
            csv,
            "year,from,as_of,register,measure,dimension,value\n\
             2025,2025-01-01,2025-12-31,housing,housing_complaints_by_category,fire_safety,<5\n\
             2025,2025-01-01,2025-12-31,housing,inspections,announced,40\n"
        );
        assert_eq!(sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn parts_of_a_dimension_add_up() {
        let figures = assemble(vec![
            row("certificates", "agencies_by_certificate", "certified|NEN 4400-1", 7),
            row("certificates", "agencies_by_certificate", "certified|NEN 4400-2", 2),
            row("certificates", "agencies_by_certificate", "lapsed|NEN 4400-1", 1),
        ]);
        assert_eq!(
            by_first(&figures, "agencies_by_certificate"),
            [("certified".to_string(), Some(9)), ("lapsed".to_string(), Some(1))]
        );
    }
}
