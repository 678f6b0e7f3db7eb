//! The requirements of advice 2.1 that a full certificate needs, each recorded with
//! evidence, date and who recorded it.

use chrono::{Datelike, NaiveDate};
use zegel_contracts::agency::{Part, Reason};

pub use zegel_contracts::certificate::RequirementCode;

/// Whether "not applicable" is a valid answer for `code`: only housing, for agencies that
/// neither offer housing nor withhold rent.
pub fn may_be_not_applicable(code: RequirementCode) -> bool {
    code == RequirementCode::HousingCertified
}

/// How long the evidence for a requirement holds (advice 2.1 A: every requirement is
/// re-tested at least every year).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// Once, for certification after probation (two payrolls run).
    Probation,
    Months(u32),
    /// For one financial year: the auditor's statement on year Y holds until the statement
    /// on year Y + 1 is due, 30 June of Y + 2.
    FinancialYear,
    /// Decided by another register at every check; what was recorded never expires (it
    /// decides only where that register is not configured).
    Live,
}

impl Validity {
    /// Until when evidence checked on `checked_on` (on `financial_year`, where it is per
    /// year) holds; `None` when it does not expire.
    pub fn until(self, checked_on: NaiveDate, financial_year: Option<i32>) -> Option<NaiveDate> {
        match self {
            Validity::Probation | Validity::Live => None,
            Validity::Months(m) => Some(crate::domain::lifecycle::add_months(checked_on, m)),
            Validity::FinancialYear => {
                let year = financial_year.unwrap_or(checked_on.year() - 1);
                NaiveDate::from_ymd_opt(year + 2, 6, 30)
            }
        }
    }
}

/// How long evidence for `code` holds.
pub fn validity(code: RequirementCode) -> Validity {
    use RequirementCode::*;
    match code {
        TwoPayrolls => Validity::Probation,
        // Per audit period.
        CaoWageCompliance => Validity::Months(crate::domain::lifecycle::AUDIT_INTERVAL_MONTHS),
        AuditorStatement => Validity::FinancialYear,
        // The RI&E, the registration care and the insurance cards: per year.
        RieAndOccupationalHealth | RegistrationCare | HealthInsuranceDelivered => Validity::Months(12),
        NoBannedDirector | HousingCertified | DepositPaid | GAccountInUse => Validity::Live,
    }
}

/// What was recorded for one requirement, as the rule reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evidence {
    pub code: RequirementCode,
    pub outcome: Outcome,
    /// Until when it holds; `None`: it does not expire.
    pub valid_until: Option<NaiveDate>,
}

pub use zegel_contracts::certificate::Outcome;

/// An agency without buildings in the housing register meets the housing requirement only
/// when it neither offers housing nor withholds rent — recorded as not applicable. One that
/// says it houses workers must have every building in the register, certified.
pub fn settle_housing(live: &mut [(RequirementCode, Option<Reason>)], recorded: Option<Outcome>) {
    for (code, verdict) in live.iter_mut() {
        if *code == RequirementCode::HousingCertified
            && *verdict == Some(Reason::HousingUndeclared)
            && recorded == Some(Outcome::NotApplicable)
        {
            *verdict = None;
        }
    }
}

/// A reason of the standing as the certification body reads it: the sentence and the
/// register it comes from.
pub fn explain(reason: Reason) -> String {
    let register = match reason.part() {
        Part::Certificate => "certificates",
        Part::Officers => "bans",
        Part::Deposit => "deposits",
        Part::GAccount => "G-account",
        Part::Housing => "housing",
        Part::Safety => "certificates",
    };
    format!("{} ({register} register)", reason.sentence())
}

/// The one rule for whether a certificate's requirements are met on `on` — at
/// certification, at every audit, at reinstatement and in the sweep. The requirements
/// checked live in another register (`live`: `None` when met, else why not) are decided by
/// that check; the others by what was recorded, which must be met (or not applicable) and
/// still valid on `on`. `in_first_year`: the auditor's statement is deferred while the
/// agency is in its first year.
pub fn unmet(
    recorded: &[Evidence],
    live: &[(RequirementCode, Option<Reason>)],
    in_first_year: bool,
    on: NaiveDate,
) -> Vec<(RequirementCode, String)> {
    RequirementCode::ALL
        .iter()
        .copied()
        .filter(|code| !(in_first_year && *code == RequirementCode::AuditorStatement))
        .filter_map(|code| {
            if let Some((_, verdict)) = live.iter().find(|(c, _)| *c == code) {
                return verdict.map(|why| (code, explain(why)));
            }
            match recorded.iter().find(|e| e.code == code) {
                None => Some((code, "not recorded".to_string())),
                Some(e) if !e.outcome.satisfies() => Some((code, "recorded as not met".to_string())),
                Some(Evidence { valid_until: Some(until), .. }) if *until < on => {
                    Some((code, format!("the evidence expired on {until}")))
                }
                Some(_) => None,
            }
        })
        .collect()
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Deficiency {
    pub deficiency_id: uuid::Uuid,
    /// The audit that found it (`None`: evidence that expired).
    pub audit_id: Option<uuid::Uuid>,
    pub requirement: Option<RequirementCode>,
    pub description: String,
    /// Serious ones go to the inspectorate when not remedied in time.
    pub serious: bool,
    pub remedy_by: chrono::NaiveDate,
    pub resolved_on: Option<chrono::NaiveDate>,
    pub resolution_ref: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_buildings_is_fine_only_for_an_agency_that_houses_no_one() {
        let none = || vec![(RequirementCode::HousingCertified, Some(Reason::HousingUndeclared))];
        let mut live = none();
        settle_housing(&mut live, Some(Outcome::NotApplicable));
        assert_eq!(live[0].1, None, "houses no one");
        for recorded in [Some(Outcome::Met), Some(Outcome::NotMet), None] {
            let mut live = none();
            settle_housing(&mut live, recorded);
            assert!(live[0].1.is_some(), "{recorded:?}: says it houses workers, registered no building");
        }
        let mut uncertified = vec![(RequirementCode::HousingCertified, Some(Reason::BuildingNotCertified))];
        settle_housing(&mut uncertified, Some(Outcome::NotApplicable));
        assert!(uncertified[0].1.is_some(), "buildings in the register decide, whatever was recorded");
    }

    #[test]
    fn every_code_round_trips() {
        platform::vocab::assert_round_trips::<RequirementCode>();
        platform::vocab::assert_round_trips::<Outcome>();
        assert_eq!(RequirementCode::parse("nope"), None);
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn met(code: RequirementCode) -> Evidence {
        Evidence { code, outcome: Outcome::Met, valid_until: None }
    }

    #[test]
    fn unmet_lists_each_missing_or_failed_requirement() {
        let all_met: Vec<_> = RequirementCode::ALL.iter().map(|c| met(*c)).collect();
        let today = d("2026-12-01");
        assert!(unmet(&all_met, &[], false, today).is_empty());
        let mut some = all_met.clone();
        some.retain(|e| e.code != RequirementCode::DepositPaid);
        some[0].outcome = Outcome::NotMet;
        let u = unmet(&some, &[], false, today);
        assert_eq!(
            u,
            vec![
                (RequirementCode::TwoPayrolls, "recorded as not met".to_string()),
                (RequirementCode::DepositPaid, "not recorded".to_string())
            ]
        );
    }

    #[test]
    fn live_checks_decide_their_requirements_over_what_was_recorded() {
        let all_met: Vec<_> = RequirementCode::ALL.iter().map(|c| met(*c)).collect();
        let today = d("2026-12-01");
        let live =
            [(RequirementCode::NoBannedDirector, Some(Reason::OfficerBanned)), (RequirementCode::GAccountInUse, None)];
        assert_eq!(
            unmet(&all_met, &live, false, today),
            vec![(
                RequirementCode::NoBannedDirector,
                "an owner, director or de facto manager is under a ban (bans register)".to_string()
            )]
        );
        let none: Vec<_> =
            RequirementCode::ALL.iter().filter(|c| **c != RequirementCode::GAccountInUse).map(|c| met(*c)).collect();
        assert!(unmet(&none, &live[1..], false, today).is_empty(), "a live check needs no checkbox");
    }

    #[test]
    fn the_auditor_statement_is_deferred_in_the_first_year() {
        let without: Vec<_> =
            RequirementCode::ALL.iter().filter(|c| **c != RequirementCode::AuditorStatement).map(|c| met(*c)).collect();
        let today = d("2026-12-01");
        assert!(unmet(&without, &[], true, today).is_empty());
        assert_eq!(
            unmet(&without, &[], false, today),
            vec![(RequirementCode::AuditorStatement, "not recorded".to_string())]
        );
    }

    #[test]
    fn evidence_holds_for_its_period_and_not_a_day_longer() {
        use RequirementCode::*;
        let checked = d("2026-03-15");
        assert_eq!(validity(CaoWageCompliance).until(checked, None), Some(d("2027-03-15")));
        assert_eq!(validity(HealthInsuranceDelivered).until(checked, None), Some(d("2027-03-15")));
        assert_eq!(validity(AuditorStatement).until(checked, Some(2025)), Some(d("2027-06-30")));
        assert_eq!(validity(AuditorStatement).until(checked, None), Some(d("2027-06-30")), "last year by default");
        assert_eq!(validity(TwoPayrolls).until(checked, None), None);
        assert_eq!(validity(DepositPaid).until(checked, None), None);

        let until = d("2027-03-15");
        let mut evidence: Vec<_> = RequirementCode::ALL.iter().map(|c| met(*c)).collect();
        evidence[1] = Evidence { code: CaoWageCompliance, outcome: Outcome::Met, valid_until: Some(until) };
        assert!(unmet(&evidence, &[], false, until).is_empty(), "valid on its last day");
        assert_eq!(
            unmet(&evidence, &[], false, d("2027-03-16")),
            vec![(CaoWageCompliance, "the evidence expired on 2027-03-15".to_string())]
        );
    }
}
