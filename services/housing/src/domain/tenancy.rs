//! Tenancy contracts (advice 4.4 A and B), as pure rules over one contract.
//!
//! Everyone housed has a tenancy contract of their own, never one contract for work and
//! housing together. A contract "of short duration by its nature" is only for a stay
//! under four months; a longer stay is on a temporary contract of at most two years
//! (self-contained housing) or five years (not self-contained), or on an ordinary one; and
//! the landlord's notice period is at least one month. A building whose sampled contracts
//! break a rule is not certified; the answer names the rule and the contract.
//!
//! Dates: a contract runs from `starts_on` up to and including `ends_on`, its last day. A
//! notice period is months and days; "at least one month" holds for one calendar month or
//! more, or for 31 days or more (no month is longer), so it holds whenever notice is given.

use chrono::{Days, Months, NaiveDate};
use platform::problem::Checks;
use serde::Deserialize;

pub use zegel_contracts::housing::ContractForm;

platform::text_enum! {
    /// A rule of 4.4 that a contract can break.
    pub enum TenancyRule {
        /// Everyone has a tenancy contract of their own.
        OwnContract = "own_contract",
        /// Housing is never in the same contract as work.
        SeparateFromWork = "separate_from_work",
        /// A contract of short duration by its nature is for a stay under four months.
        ShortStayUnderFourMonths = "short_stay_under_4_months",
        /// A temporary contract lasts at most two years (self-contained) or five years.
        TemporaryAtMost = "temporary_at_most_2_or_5_years",
        /// The landlord's notice period is at least one month.
        NoticeAtLeastOneMonth = "notice_at_least_1_month",
    }
}

impl TenancyRule {
    pub fn sentence(self) -> &'static str {
        match self {
            TenancyRule::OwnContract => "everyone housed has a tenancy contract of their own",
            TenancyRule::SeparateFromWork => "housing is not in the same contract as work",
            TenancyRule::ShortStayUnderFourMonths => {
                "a contract of short duration by its nature is only for a stay under 4 months"
            }
            TenancyRule::TemporaryAtMost => {
                "a temporary contract lasts at most 2 years (self-contained) or 5 years (not self-contained)"
            }
            TenancyRule::NoticeAtLeastOneMonth => "the landlord's notice period is at least one month",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    #[serde(default)]
    pub months: u32,
    #[serde(default)]
    pub days: u32,
}

impl Notice {
    /// At least one month, whichever month notice is given in.
    pub fn at_least_a_month(self) -> bool {
        self.months >= 1 || self.days >= 31
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    pub form: ContractForm,
    /// The resident has a contract of their own (not one shared or held by the employer).
    pub own_contract: bool,
    /// Housing and work are in one contract, or the housing ends with the work.
    pub tied_to_work: bool,
    /// The rented space is self-contained (own entrance, kitchen and toilet).
    pub self_contained: bool,
    pub starts_on: NaiveDate,
    /// Last day (short stay and temporary contracts have one; an indefinite one has none).
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
    pub notice: Notice,
}

/// Longest notice period or contract the register takes as plausible input.
const MAX_NOTICE_MONTHS: u32 = 24;
const MAX_NOTICE_DAYS: u32 = 730;
const MAX_YEARS: u32 = 30;

impl Contract {
    /// Checks what can be wrong with the record itself (not with the contract), at
    /// `pointer`: a short stay or temporary contract without its last day, an indefinite
    /// one with one, a last day before the first.
    pub fn check(&self, pointer: &str, checks: &mut Checks) {
        match (self.form, self.ends_on) {
            (ContractForm::ShortStay | ContractForm::Temporary, None) => {
                checks.fail(format!("{pointer}/ends_on"), "a short stay or temporary contract has a last day");
            }
            (ContractForm::Indefinite, Some(_)) => {
                checks.fail(format!("{pointer}/ends_on"), "an indefinite contract has no last day");
            }
            (_, Some(end)) if end < self.starts_on => {
                checks.fail(format!("{pointer}/ends_on"), "not before starts_on");
            }
            (_, Some(end)) if end > self.starts_on + Months::new(12 * MAX_YEARS) => {
                checks.fail(format!("{pointer}/ends_on"), format!("at most {MAX_YEARS} years after starts_on"));
            }
            _ => {}
        }
        if self.notice.months > MAX_NOTICE_MONTHS || self.notice.days > MAX_NOTICE_DAYS {
            checks.fail(
                format!("{pointer}/notice"),
                format!("at most {MAX_NOTICE_MONTHS} months and {MAX_NOTICE_DAYS} days"),
            );
        }
    }

    /// Whether the contract runs for at least `months` calendar months.
    fn runs_at_least(&self, months: u32) -> bool {
        let Some(last) = self.ends_on else { return true };
        let after = last + Days::new(1);
        self.starts_on.checked_add_months(Months::new(months)).is_some_and(|limit| after >= limit)
    }

    /// Whether the contract runs for more than `months` calendar months.
    fn runs_longer_than(&self, months: u32) -> bool {
        let Some(last) = self.ends_on else { return false };
        let after = last + Days::new(1);
        self.starts_on.checked_add_months(Months::new(months)).is_none_or(|limit| after > limit)
    }

    pub fn judged(self) -> (Self, Vec<TenancyRule>) {
        let broken = self.broken();
        (self, broken)
    }

    /// The rules this contract breaks, in the order of [`TenancyRule::ALL`].
    pub fn broken(&self) -> Vec<TenancyRule> {
        let mut broken = Vec::new();
        if !self.own_contract {
            broken.push(TenancyRule::OwnContract);
        }
        if self.tied_to_work {
            broken.push(TenancyRule::SeparateFromWork);
        }
        match self.form {
            ContractForm::ShortStay if self.runs_at_least(4) => broken.push(TenancyRule::ShortStayUnderFourMonths),
            ContractForm::Temporary if self.runs_longer_than(if self.self_contained { 24 } else { 60 }) => {
                broken.push(TenancyRule::TemporaryAtMost);
            }
            _ => {}
        }
        if !self.notice.at_least_a_month() {
            broken.push(TenancyRule::NoticeAtLeastOneMonth);
        }
        broken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_else(|_| unreachable!("test date"))
    }

    fn contract(form: ContractForm, starts_on: &str, ends_on: Option<&str>) -> Contract {
        Contract {
            form,
            own_contract: true,
            tied_to_work: false,
            self_contained: true,
            starts_on: d(starts_on),
            ends_on: ends_on.map(d),
            notice: Notice { months: 1, days: 0 },
        }
    }

    #[test]
    fn a_short_stay_contract_is_only_for_a_stay_under_four_months() {
        let under = contract(ContractForm::ShortStay, "2026-05-01", Some("2026-08-30"));
        assert_eq!(under.broken(), [], "four months less a day");
        let exactly = contract(ContractForm::ShortStay, "2026-05-01", Some("2026-08-31"));
        assert_eq!(exactly.broken(), [TenancyRule::ShortStayUnderFourMonths], "exactly four months");
        // Four months from 31 October end with 27 February (31 October + 4 months is 28 February).
        let end_of_month = contract(ContractForm::ShortStay, "2026-10-31", Some("2027-02-26"));
        assert_eq!(end_of_month.broken(), [], "31 October to 26 February is under four months");
        let end_of_month = contract(ContractForm::ShortStay, "2026-10-31", Some("2027-02-27"));
        assert_eq!(end_of_month.broken(), [TenancyRule::ShortStayUnderFourMonths], "to 27 February is four");
    }

    #[test]
    fn a_temporary_contract_lasts_at_most_two_or_five_years() {
        let two_years = contract(ContractForm::Temporary, "2026-01-01", Some("2027-12-31"));
        assert_eq!(two_years.broken(), [], "exactly two years, self-contained");
        let and_a_day = contract(ContractForm::Temporary, "2026-01-01", Some("2028-01-01"));
        assert_eq!(and_a_day.broken(), [TenancyRule::TemporaryAtMost], "two years and a day");
        let shared = Contract { self_contained: false, ..and_a_day.clone() };
        assert_eq!(shared.broken(), [], "not self-contained: up to five years");
        let five_years = Contract { ends_on: Some(d("2030-12-31")), ..shared.clone() };
        assert_eq!(five_years.broken(), []);
        let over = Contract { ends_on: Some(d("2031-01-01")), ..shared };
        assert_eq!(over.broken(), [TenancyRule::TemporaryAtMost], "five years and a day");
    }

    #[test]
    fn the_landlords_notice_is_at_least_one_calendar_month() {
        let month = contract(ContractForm::Indefinite, "2026-05-01", None);
        assert_eq!(month.broken(), [], "one calendar month");
        let day_less = Contract { notice: Notice { months: 0, days: 30 }, ..month.clone() };
        assert_eq!(day_less.broken(), [TenancyRule::NoticeAtLeastOneMonth], "one day less than a month of 31");
        let days = Contract { notice: Notice { months: 0, days: 31 }, ..month };
        assert_eq!(days.broken(), [], "31 days is a month whatever the month");
    }

    #[test]
    fn an_own_contract_separate_from_work() {
        let c = Contract {
            own_contract: false,
            tied_to_work: true,
            ..contract(ContractForm::Indefinite, "2026-05-01", None)
        };
        assert_eq!(c.broken(), [TenancyRule::OwnContract, TenancyRule::SeparateFromWork]);
    }

    #[test]
    fn a_record_that_cannot_be_a_contract_is_refused() {
        let cases = [
            (contract(ContractForm::ShortStay, "2026-05-01", None), "a short stay without a last day"),
            (contract(ContractForm::Indefinite, "2026-05-01", Some("2026-06-01")), "an indefinite one with one"),
            (contract(ContractForm::Temporary, "2026-05-01", Some("2026-04-30")), "ends before it starts"),
            (
                Contract {
                    notice: Notice { months: 25, days: 0 },
                    ..contract(ContractForm::Indefinite, "2026-05-01", None)
                },
                "a notice of 25 months",
            ),
        ];
        for (c, case) in cases {
            let mut checks = Checks::default();
            c.check("/tenancy/0", &mut checks);
            assert!(checks.finish().is_err(), "{case}");
        }
        let mut checks = Checks::default();
        contract(ContractForm::Temporary, "2026-05-01", Some("2026-05-01")).check("/t", &mut checks);
        assert!(checks.finish().is_ok(), "a one-day contract is a contract");
    }

    #[test]
    fn the_vocabularies_round_trip() {
        platform::vocab::assert_round_trips::<ContractForm>();
        platform::vocab::assert_round_trips::<TenancyRule>();
    }
}
