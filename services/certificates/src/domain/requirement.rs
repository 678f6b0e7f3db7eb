//! The requirements of advice 2.1 that a full certificate needs, each recorded with
//! evidence, date and who recorded it.

use zegel_standing::agency::{Part, Reason};

platform::text_enum! {
    /// One requirement of the advice, in the order of the advice.
    pub enum RequirementCode {
        /// At least two payrolls run during probation.
        TwoPayrolls = "two_payrolls",
        /// The applicable CAO is applied and wages are paid in line with it.
        CaoWageCompliance = "cao_wage_compliance",
        /// An approving auditor's statement (from the agency's second year).
        AuditorStatement = "auditor_statement",
        /// The hirer's RI&E shared and workers told where occupational health care is.
        RieAndOccupationalHealth = "rie_and_occupational_health",
        /// Care duty for BRP/RNI registration with address and contact details.
        RegistrationCare = "registration_care",
        /// Health-insurance card or policy delivered to workers.
        HealthInsuranceDelivered = "health_insurance_delivered",
        /// No owner, director or de-facto manager under a ban.
        NoBannedDirector = "no_banned_director",
        /// Housing certified when housing is offered or rent withheld.
        HousingCertified = "housing_certified",
        /// Guarantee deposit paid and topped up.
        DepositPaid = "deposit_paid",
        /// A G-account in use.
        GAccountInUse = "g_account_in_use",
    }
}

impl RequirementCode {
    /// Whether "not applicable" is a valid answer: only housing, for agencies that
    /// neither offer housing nor withhold rent.
    pub fn may_be_not_applicable(self) -> bool {
        self == RequirementCode::HousingCertified
    }
}

platform::text_enum! {
    /// What was recorded for a requirement.
    pub enum Outcome {
        /// Met, with evidence.
        Met = "met",
        /// Checked and not met.
        NotMet = "not_met",
        /// Does not apply to this agency.
        NotApplicable = "not_applicable",
    }
}

impl Outcome {
    /// Whether this outcome lets certification go ahead.
    pub fn satisfies(self) -> bool {
        matches!(self, Outcome::Met | Outcome::NotApplicable)
    }
}

/// Why each requirement stands in the way of certification, given what was recorded.
///
/// `in_first_year`: the auditor's statement is deferred while the agency is in its first year.
pub fn unmet(recorded: &[(RequirementCode, Outcome)], in_first_year: bool) -> Vec<(RequirementCode, String)> {
    unmet_with_live(recorded, &[], in_first_year)
}

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

/// Like [`unmet`], but the requirements checked live in another register (`live`: `None`
/// when met, else why not) are decided by that check, not by what was recorded.
pub fn unmet_with_live(
    recorded: &[(RequirementCode, Outcome)],
    live: &[(RequirementCode, Option<Reason>)],
    in_first_year: bool,
) -> Vec<(RequirementCode, String)> {
    RequirementCode::ALL
        .iter()
        .copied()
        .filter(|code| !(in_first_year && *code == RequirementCode::AuditorStatement))
        .filter_map(|code| {
            if let Some((_, verdict)) = live.iter().find(|(c, _)| *c == code) {
                return verdict.map(|why| (code, explain(why)));
            }
            match recorded.iter().find(|(c, _)| *c == code).map(|(_, o)| *o) {
                None => Some((code, "not recorded".to_string())),
                Some(o) if o.satisfies() => None,
                Some(_) => Some((code, "recorded as not met".to_string())),
            }
        })
        .collect()
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

    #[test]
    fn unmet_lists_each_missing_or_failed_requirement() {
        let all_met: Vec<_> = RequirementCode::ALL.iter().map(|c| (*c, Outcome::Met)).collect();
        assert!(unmet(&all_met, false).is_empty());
        let mut some = all_met.clone();
        some.retain(|(c, _)| *c != RequirementCode::DepositPaid);
        some[0].1 = Outcome::NotMet;
        let u = unmet(&some, false);
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
        let all_met: Vec<_> = RequirementCode::ALL.iter().map(|c| (*c, Outcome::Met)).collect();
        let live =
            [(RequirementCode::NoBannedDirector, Some(Reason::OfficerBanned)), (RequirementCode::GAccountInUse, None)];
        assert_eq!(
            unmet_with_live(&all_met, &live, false),
            vec![(
                RequirementCode::NoBannedDirector,
                "an owner, director or de facto manager is under a ban (bans register)".to_string()
            )]
        );
        let none: Vec<_> = RequirementCode::ALL
            .iter()
            .filter(|c| **c != RequirementCode::GAccountInUse)
            .map(|c| (*c, Outcome::Met))
            .collect();
        assert!(unmet_with_live(&none, &live[1..], false).is_empty(), "a live check needs no checkbox");
    }

    #[test]
    fn the_auditor_statement_is_deferred_in_the_first_year() {
        let without: Vec<_> = RequirementCode::ALL
            .iter()
            .filter(|c| **c != RequirementCode::AuditorStatement)
            .map(|c| (*c, Outcome::Met))
            .collect();
        assert!(unmet(&without, true).is_empty());
        assert_eq!(unmet(&without, false), vec![(RequirementCode::AuditorStatement, "not recorded".to_string())]);
    }
}
