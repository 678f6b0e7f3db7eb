//! An agency's past decides whether it may start again (advice 2.1 A, D, F: the persons
//! behind an agency must find it "onmogelijk ... om voortdurend opnieuw te beginnen").
//!
//! Three rules, judged here once for every way into the register:
//! - one probation per agency, ever: an agency that held any certificate before never gets
//!   a provisional certificate again, only a full one with every requirement met;
//! - a revocation starts a waiting period (a dated policy setting, [`Policy`]) in which no
//!   certificate of any kind is issued;
//! - a withdrawal made to escape a sanction (a suspension, a pending suspension request, an
//!   open serious deficiency, a pending fine) counts as a revocation: it carries its
//!   [`Ground`], and an ended certificate with an escape ground waits like a revoked one.

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use super::lifecycle::{Status, add_months};

pub use zegel_contracts::certificate::Ground;

/// The sanctions pending on a certificate at the moment its agency withdraws it, most
/// serious first: the first names the ground the withdrawal is recorded with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pending {
    pub suspended: bool,
    /// The Labour Authority asked for a suspension that was not yet decided.
    pub suspension_request: bool,
    pub serious_deficiency: bool,
    /// A fine on the agency is not settled.
    pub fine: bool,
    /// A claim on its guarantee deposit is not settled.
    pub claim: bool,
}

impl Pending {
    /// The escape ground of a withdrawal now, or `None` for a clean exit.
    pub fn escape(self) -> Option<Ground> {
        [
            (self.suspended, Ground::EscapedSuspension),
            (self.suspension_request, Ground::EscapedSuspensionRequest),
            (self.serious_deficiency, Ground::EscapedSeriousDeficiency),
            (self.fine, Ground::EscapedFine),
            (self.claim, Ground::EscapedClaim),
        ]
        .into_iter()
        .find_map(|(pending, ground)| pending.then_some(ground))
    }
}

/// The waiting period in force from a date (table `reentry_policy`): a policy choice of
/// this register, not a number of the advice, with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// From when it applies (to endings on or after this date).
    pub effective_from: NaiveDate,
    /// Months after a revocation (or an escape) before any new certificate.
    pub waiting_months: u32,
    pub source: String,
}

impl Policy {
    /// The row of `policies` (oldest first) in force on `on`.
    pub fn in_force(policies: &[Policy], on: NaiveDate) -> Option<Policy> {
        policies.iter().rev().find(|p| p.effective_from <= on).cloned()
    }

    /// The end of a waiting period that starts on `on`, under the policy in force that day.
    fn wait_from(on: NaiveDate, policy_on: impl Fn(NaiveDate) -> Option<Policy>) -> Option<NaiveDate> {
        policy_on(on).map(|p| add_months(on, p.waiting_months))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ended {
    pub certificate_id: Uuid,
    pub status: Status,
    /// On which (Dutch) day.
    pub ended_on: NaiveDate,
    /// Why, when it was revoked or escaped a sanction.
    pub ground: Option<Ground>,
}

impl Ended {
    /// Whether it starts a waiting period: revoked, or withdrawn to escape a sanction.
    pub fn counts_as_revocation(&self) -> bool {
        self.status == Status::Revoked || self.ground.is_some_and(Ground::is_escape)
    }

    /// The day from which the agency (and, in the bans register, the persons who ran it)
    /// may start again, when this ending starts a waiting period: the policy in force on
    /// the day it ended decides.
    pub fn waits_until(&self, policy_on: impl Fn(NaiveDate) -> Option<Policy>) -> Option<NaiveDate> {
        self.counts_as_revocation().then(|| Policy::wait_from(self.ended_on, policy_on)).flatten()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entry {
    #[default]
    Provisional,
    /// A full certificate with every requirement met, without probation.
    Full,
}

impl Entry {
    pub fn as_str(self) -> &'static str {
        match self {
            Entry::Provisional => "provisional",
            Entry::Full => "full",
        }
    }
}

/// Why the register refuses a new certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The earlier certificate that decides (none when a final sanction decides).
    pub earlier: Option<Ended>,
    pub final_sanction: Option<Sanctioned>,
    /// The first day on which the agency may apply again, and for what.
    pub may_apply_from: NaiveDate,
    /// `full`: only a full certificate (its probation is used).
    pub may_apply_for: &'static str,
    /// Why, in one sentence.
    pub detail: String,
    /// When the persons decide (the phoenix radar): the other agency they ran.
    pub linked_agency: Option<String>,
}

/// Whether an agency with these ended certificates may get `entry` on `today`. `policy_on`
/// gives the waiting period in force on a date (the ending's date decides, so that a later
/// policy never shortens or lengthens a waiting period already running).
pub fn judge(
    entry: Entry,
    ended: &[Ended],
    policy_on: impl Fn(NaiveDate) -> Option<Policy>,
    today: NaiveDate,
) -> Result<(), Refusal> {
    // The waiting period that ends last decides; then the latest ending of any kind.
    let waiting = ended.iter().filter_map(|e| Some((e, e.waits_until(&policy_on)?))).max_by_key(|(_, until)| *until);
    if let Some((earlier, until)) = waiting
        && until > today
    {
        let what = if earlier.status == Status::Revoked {
            "was revoked".to_string()
        } else {
            format!("was withdrawn to escape a sanction ({})", earlier.ground.map(Ground::as_str).unwrap_or_default())
        };
        return Err(Refusal {
            earlier: Some(earlier.clone()),
            final_sanction: None,
            may_apply_from: until,
            may_apply_for: "full",
            detail: format!(
                "The agency's certificate {} {what} on {}; no new certificate is issued before {until}.",
                earlier.certificate_id, earlier.ended_on
            ),
            linked_agency: None,
        });
    }
    match (entry, ended.iter().max_by_key(|e| e.ended_on)) {
        (Entry::Provisional, Some(earlier)) => Err(Refusal {
            earlier: Some(earlier.clone()),
            final_sanction: None,
            may_apply_from: today,
            may_apply_for: "full",
            detail: format!(
                "The agency held certificate {} ({} on {}): probation is given once per agency; it may apply \
                 for a full certificate with every requirement met.",
                earlier.certificate_id,
                earlier.status.as_str(),
                earlier.ended_on
            ),
            linked_agency: None,
        }),
        _ => Ok(()),
    }
}

/// A final sanction against the agency (the register of final sanctions), as the re-entry
/// rule reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sanctioned {
    pub sanction_id: Uuid,
    /// A fine, a Waadi or WML decision, a criminal conviction.
    pub kind: zegel_contracts::certificate::SanctionKind,
    /// The day it became irrevocable: the waiting period runs from then.
    pub irrevocable_on: NaiveDate,
}

/// A final sanction waits like a revocation (advice 2.1 A, D): no new certificate of any
/// kind until the waiting period in force on the day it became irrevocable has run from
/// that day. The one that waits longest decides.
pub fn judge_sanctions(
    sanctions: &[Sanctioned],
    policy_on: impl Fn(NaiveDate) -> Option<Policy>,
    today: NaiveDate,
) -> Result<(), Refusal> {
    let waiting = sanctions
        .iter()
        .filter_map(|s| Some((s, Policy::wait_from(s.irrevocable_on, &policy_on)?)))
        .max_by_key(|(_, until)| *until);
    match waiting {
        Some((sanction, until)) if until > today => Err(Refusal {
            earlier: None,
            final_sanction: Some(sanction.clone()),
            may_apply_from: until,
            may_apply_for: "full",
            detail: format!(
                "A final sanction against the agency ({}, {}) became irrevocable on {}; no new certificate is issued \
                 before {until}.",
                sanction.kind.as_str(),
                sanction.sanction_id,
                sanction.irrevocable_on
            ),
            linked_agency: None,
        }),
        _ => Ok(()),
    }
}

/// A link the bans register found (its phoenix radar): a current officer of the agency ran
/// another agency whose certificate ended with a waiting period still running. Never who.
pub use zegel_contracts::ban::OfficerLink as Link;

/// The persons behind an agency (advice 2.1 F): no new certificate while one of its
/// officers ran an agency whose waiting period still runs — the agency may apply from the
/// day the last such period ends (or once the person has left), for what it asked.
pub fn judge_persons(entry: Entry, links: &[Link], today: NaiveDate) -> Result<(), Refusal> {
    let Some(link) = links.iter().filter(|l| l.waits_until > today).max_by_key(|l| l.waits_until) else {
        return Ok(());
    };
    let status = if Ground::REVOCATION.contains(&link.ground) { Status::Revoked } else { Status::Withdrawn };
    Err(Refusal {
        earlier: Some(Ended {
            certificate_id: link.certificate_id,
            status,
            ended_on: link.ended_on,
            ground: Some(link.ground),
        }),
        final_sanction: None,
        may_apply_from: link.waits_until,
        may_apply_for: entry.as_str(),
        detail: format!(
            "An officer ({}) of this agency ran agency {} when its certificate {} ended ({}, {}); no certificate is \
             issued to an agency they run before {}.",
            link.role,
            link.linked_kvk,
            link.certificate_id,
            link.ground.as_str(),
            link.ended_on,
            link.waits_until
        ),
        linked_agency: Some(link.linked_kvk.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use platform::vocab::assert_round_trips;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn ended(status: Status, on: &str, ground: Option<Ground>) -> Ended {
        Ended { certificate_id: Uuid::nil(), status, ended_on: d(on), ground }
    }

    fn two_years(_: NaiveDate) -> Option<Policy> {
        Some(Policy { effective_from: d("2020-01-01"), waiting_months: 24, source: "test".into() })
    }

    #[test]
    fn a_final_sanction_waits_like_a_revocation_from_the_day_it_became_irrevocable() {
        use zegel_contracts::certificate::SanctionKind;
        let sanction =
            |on: &str| Sanctioned { sanction_id: Uuid::nil(), kind: SanctionKind::WmlDecision, irrevocable_on: d(on) };
        assert_eq!(judge_sanctions(&[], two_years, d("2026-06-01")), Ok(()));
        let refusal =
            judge_sanctions(&[sanction("2025-03-01"), sanction("2026-02-01")], two_years, d("2026-06-01")).unwrap_err();
        assert_eq!(refusal.may_apply_from, d("2028-02-01"), "the longest wait decides");
        assert_eq!(refusal.earlier, None);
        assert!(refusal.detail.contains("wml_decision"), "{}", refusal.detail);
        assert_eq!(judge_sanctions(&[sanction("2024-06-01")], two_years, d("2026-06-01")), Ok(()), "waited out");
    }

    #[test]
    fn the_persons_behind_an_agency_wait_out_the_longest_link() {
        let link = |kvk: &str, ground, until: &str| Link {
            role: zegel_contracts::ban::OfficerRole::Director,
            linked_kvk: kvk.into(),
            certificate_id: Uuid::nil(),
            ground,
            ended_on: d("2026-01-10"),
            waits_until: d(until),
        };
        assert_eq!(judge_persons(Entry::Provisional, &[], d("2026-06-01")), Ok(()));
        let links = [
            link("11111111", Ground::CriminalSanction, "2028-01-10"),
            link("22222222", Ground::EscapedFine, "2028-03-01"),
        ];
        let refusal = judge_persons(Entry::Provisional, &links, d("2026-06-01")).unwrap_err();
        assert_eq!(refusal.may_apply_for, "provisional", "its own past does not stand in the way");
        assert_eq!(refusal.may_apply_from, d("2028-03-01"));
        assert_eq!(refusal.linked_agency.as_deref(), Some("22222222"));
        assert_eq!(refusal.earlier.map(|e| e.status), Some(Status::Withdrawn), "an escape");
        assert!(refusal.detail.contains("director") && refusal.detail.contains("22222222"), "{}", refusal.detail);
        assert_eq!(judge_persons(Entry::Full, &links, d("2028-03-01")), Ok(()), "the period has run");
    }

    #[test]
    fn the_grounds_round_trip_and_only_escapes_count_as_escapes() {
        assert_round_trips::<Ground>();
        assert!(Ground::REVOCATION.iter().all(|g| !g.is_escape()));
        assert_eq!(Ground::ALL.iter().filter(|g| g.is_escape()).count(), Ground::ALL.len() - Ground::REVOCATION.len());
    }

    #[test]
    fn a_withdrawal_names_the_most_serious_sanction_it_escapes() {
        assert_eq!(Pending::default().escape(), None, "a clean exit");
        assert_eq!(Pending { fine: true, ..Pending::default() }.escape(), Some(Ground::EscapedFine));
        assert_eq!(
            Pending { suspended: true, fine: true, serious_deficiency: true, suspension_request: true, claim: true }
                .escape(),
            Some(Ground::EscapedSuspension)
        );
        assert_eq!(Pending { claim: true, ..Pending::default() }.escape(), Some(Ground::EscapedClaim));
        assert_eq!(Pending { claim: true, fine: true, ..Pending::default() }.escape(), Some(Ground::EscapedFine));
        assert_eq!(
            Pending { serious_deficiency: true, suspension_request: true, ..Pending::default() }.escape(),
            Some(Ground::EscapedSuspensionRequest)
        );
    }

    /// The table: each row is an agency's past, what it asks on a day, and what it gets.
    #[test]
    fn an_agency_past_decides_each_way_back_in() {
        use Entry::{Full, Provisional};
        use Status::{Lapsed, Revoked, Withdrawn};
        let today = d("2026-06-01");
        let revoked = ended(Revoked, "2026-05-31", Some(Ground::IrrevocableFine));
        let escaped = ended(Withdrawn, "2025-01-10", Some(Ground::EscapedSeriousDeficiency));
        // (case, the agency's past, what it asks, refused: (may apply from, for what)).
        type Row = (&'static str, Vec<Ended>, Entry, Option<(&'static str, &'static str)>);
        let rows: Vec<Row> = vec![
            ("a starter", vec![], Provisional, None),
            ("a starter asking for a full certificate", vec![], Full, None),
            ("revoked yesterday, provisional", vec![revoked.clone()], Provisional, Some(("2028-05-31", "full"))),
            ("revoked yesterday, full", vec![revoked.clone()], Full, Some(("2028-05-31", "full"))),
            ("revoked three years ago, full", vec![ended(Revoked, "2023-05-01", Some(Ground::Other))], Full, None),
            (
                "revoked three years ago: its probation is still used",
                vec![ended(Revoked, "2023-05-01", Some(Ground::Other))],
                Provisional,
                Some(("2026-06-01", "full")),
            ),
            ("lapsed, provisional", vec![ended(Lapsed, "2026-05-01", None)], Provisional, Some(("2026-06-01", "full"))),
            ("lapsed, full", vec![ended(Lapsed, "2026-05-01", None)], Full, None),
            ("withdrawn cleanly, full", vec![ended(Withdrawn, "2026-05-20", None)], Full, None),
            ("withdrawn to escape, full", vec![escaped.clone()], Full, Some(("2027-01-10", "full"))),
            (
                "a clean withdrawal after a revocation: the revocation still waits",
                vec![revoked.clone(), ended(Withdrawn, "2026-05-31", None)],
                Full,
                Some(("2028-05-31", "full")),
            ),
            (
                "the waiting period ends on its day",
                vec![ended(Revoked, "2024-06-01", Some(Ground::CriminalSanction))],
                Full,
                None,
            ),
        ];
        for (case, past, entry, expected) in rows {
            let got = judge(entry, &past, two_years, today);
            match (got, expected) {
                (Ok(()), None) => {}
                (Err(r), Some((from, what))) => {
                    assert_eq!(r.may_apply_from, d(from), "{case}");
                    assert_eq!(r.may_apply_for, what, "{case}");
                    let earlier = r.earlier.as_ref().map(|e| e.certificate_id.to_string()).unwrap_or_default();
                    assert!(r.detail.contains(&earlier), "{case}: {}", r.detail);
                }
                (got, expected) => panic!("{case}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn the_policy_in_force_on_the_day_of_the_ending_decides() {
        let policy = |on: NaiveDate| {
            Some(Policy {
                effective_from: d("2020-01-01"),
                waiting_months: if on < d("2026-01-01") { 12 } else { 36 },
                source: "test".into(),
            })
        };
        let past = [ended(Status::Revoked, "2025-12-31", Some(Ground::Other))];
        assert_eq!(judge(Entry::Full, &past, policy, d("2027-01-01")), Ok(()), "12 months from 2025-12-31");
        let past = [ended(Status::Revoked, "2026-01-01", Some(Ground::Other))];
        assert_eq!(judge(Entry::Full, &past, policy, d("2027-01-01")).unwrap_err().may_apply_from, d("2029-01-01"));
    }
}
