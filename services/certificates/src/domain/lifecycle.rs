//! The certificate lifecycle of advice 2.1: which transitions exist, and the dates that
//! drive the time-based ones.
//!
//! ```text
//! provisional ──certify──▶ certified ◀──reinstate── suspended
//!     │                        │ ──suspend──────────▶ │
//!     ├─ probation over ─▶ lapsed ◀─ audit overdue ───┤
//!     └──────── revoke / withdraw (from any active state) ──▶ revoked / withdrawn
//! ```

use chrono::{Months, NaiveDate};

/// Months of probation a provisional certificate gives a starter.
pub const PROBATION_MONTHS: u32 = 3;
/// Months by which probation may be extended, once.
pub const MAX_EXTENSION_MONTHS: u32 = 2;
pub const AUDIT_INTERVAL_MONTHS: u32 = 12;

pub use zegel_contracts::CertificateStatus as Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Extend,
    Certify,
    Audit,
    RecordRequirement,
    Suspend,
    Reinstate,
    Revoke,
    Withdraw,
    Lapse,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Extend => "extend",
            Action::Certify => "certify",
            Action::Audit => "audit",
            Action::RecordRequirement => "record_requirement",
            Action::Suspend => "suspend",
            Action::Reinstate => "reinstate",
            Action::Revoke => "revoke",
            Action::Withdraw => "withdraw",
            Action::Lapse => "lapse",
        }
    }

    /// The status after this action from `from`, or `None` when it is not allowed.
    pub fn apply(self, from: Status) -> Option<Status> {
        use Status::*;
        match (self, from) {
            (Action::Extend, Provisional) => Some(Provisional),
            (Action::Certify, Provisional) => Some(Certified),
            (Action::Audit, Certified | Suspended) => Some(from),
            (Action::RecordRequirement, Provisional | Certified | Suspended) => Some(from),
            (Action::Suspend, Certified) => Some(Suspended),
            (Action::Reinstate, Suspended) => Some(Certified),
            (Action::Revoke, Provisional | Certified | Suspended) => Some(Revoked),
            (Action::Withdraw, Provisional | Certified | Suspended) => Some(Withdrawn),
            (Action::Lapse, Provisional | Certified | Suspended) => Some(Lapsed),
            _ => None,
        }
    }
}

/// End of the initial probation of a certificate issued on `issued_on`.
pub fn probation_end(issued_on: NaiveDate) -> NaiveDate {
    add_months(issued_on, PROBATION_MONTHS)
}

pub fn latest_extension(issued_on: NaiveDate) -> NaiveDate {
    add_months(probation_end(issued_on), MAX_EXTENSION_MONTHS)
}

/// When the next audit is due after one on `audited_on`.
pub fn next_audit(audited_on: NaiveDate) -> NaiveDate {
    add_months(audited_on, AUDIT_INTERVAL_MONTHS)
}

/// Calendar months later; the 31st clamps to the month's last day.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn only_the_transitions_of_the_advice_exist() {
        use Status::*;
        let all = [Provisional, Certified, Suspended, Revoked, Lapsed, Withdrawn];
        let allowed = |a: Action| all.iter().filter(|s| a.apply(**s).is_some()).copied().collect::<Vec<_>>();
        assert_eq!(allowed(Action::Certify), vec![Provisional]);
        assert_eq!(allowed(Action::Suspend), vec![Certified]);
        assert_eq!(allowed(Action::Reinstate), vec![Suspended]);
        assert_eq!(allowed(Action::Revoke), vec![Provisional, Certified, Suspended]);
        assert_eq!(allowed(Action::Extend), vec![Provisional]);
        for end in [Revoked, Lapsed, Withdrawn] {
            for a in [
                Action::Extend,
                Action::Certify,
                Action::Audit,
                Action::Suspend,
                Action::Reinstate,
                Action::Revoke,
                Action::Withdraw,
                Action::Lapse,
            ] {
                assert_eq!(a.apply(end), None, "{end:?} is final but allows {a:?}");
            }
        }
    }

    #[test]
    fn probation_is_three_months_and_extends_by_at_most_two() {
        assert_eq!(probation_end(d("2026-01-15")), d("2026-04-15"));
        assert_eq!(latest_extension(d("2026-01-15")), d("2026-06-15"));
        assert_eq!(probation_end(d("2026-11-30")), d("2027-02-28"));
        assert_eq!(next_audit(d("2026-02-01")), d("2027-02-01"));
    }
}
