//! The life of a building's quality mark (advice 4): what each event does to it, as pure
//! functions. [`crate::register`] is the one place that writes what these decide.
//!
//! ```text
//! applied ──inspect, nothing open──▶ certified ◀──inspect / remedy, nothing open── suspended
//!                                      │ ──inspect, deficiencies open──────────────▶ │
//!   revoked ◀── a deficiency past its deadline (any mark not ended) ─────────────────┤
//!   expired ◀── the year passed (certified, suspended)                               │
//!   revoked / expired ──reapply──▶ applied (a new mark)
//!   certified ──rooms changed since measured──▶ suspended (until an inspection measures)
//! ```

use chrono::{Months, NaiveDate, NaiveTime};

pub use zegel_contracts::MarkStatus;

/// Months a certifying inspection makes the mark valid for.
pub const MARK_MONTHS: u32 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkAction {
    /// An inspection on `on` left `open` deficiencies; `blocked` when something besides
    /// deficiencies stands in the way of certifying (no rooms reported, no landlord permit).
    Inspect {
        open: usize,
        blocked: bool,
        on: NaiveDate,
    },
    /// The inspector confirmed a remedy; `open` deficiencies are left.
    Remedy {
        open: usize,
    },
    Overdue,
    /// The mark's year passed without a renewing inspection.
    Expire,
    /// The provider applies again after the mark ended.
    Reapply,
    /// The provider reported rooms other than the inspector measured: the capacity shown
    /// is no longer known to be true until they are measured again.
    RoomsChanged,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The mark is written with this status (the same status renews a certified mark).
    To(MarkStatus),
    Stay,
}

impl MarkAction {
    /// The step from `from`, or `None` when the action is not allowed on such a mark.
    pub fn apply(self, from: MarkStatus) -> Option<Step> {
        use MarkStatus::*;
        Some(match (self, from) {
            (MarkAction::Inspect { .. }, Revoked | Expired) => return None,
            (MarkAction::Inspect { open: 0, blocked: false, .. }, _) => Step::To(Certified),
            (MarkAction::Inspect { open: 1.., .. }, Certified) => Step::To(Suspended),
            (MarkAction::Inspect { .. }, _) => Step::Stay,
            (MarkAction::Remedy { open: 0 }, Suspended) => Step::To(Certified),
            (MarkAction::Remedy { .. }, _) => Step::Stay,
            (MarkAction::Overdue, Revoked | Expired) => Step::Stay,
            (MarkAction::Overdue, _) => Step::To(Revoked),
            (MarkAction::Expire, Certified | Suspended) => Step::To(Expired),
            (MarkAction::Expire, _) => Step::Stay,
            (MarkAction::Reapply, Revoked | Expired) => Step::To(Applied),
            (MarkAction::Reapply, _) => return None,
            (MarkAction::RoomsChanged, Certified) => Step::To(Suspended),
            (MarkAction::RoomsChanged, _) => Step::Stay,
        })
    }

    /// Why the mark moves, as recorded in its public history.
    pub fn reason(self, to: MarkStatus) -> &'static str {
        match (self, to) {
            (MarkAction::Inspect { .. }, MarkStatus::Certified) => "inspection without open deficiencies",
            (MarkAction::Inspect { .. }, _) => "inspection found deficiencies",
            (MarkAction::Remedy { .. }, _) => "every deficiency remedied",
            (MarkAction::Overdue, _) => "a deficiency was not remedied by its deadline",
            (MarkAction::Expire, _) => "the mark's year passed without a renewing inspection",
            (MarkAction::Reapply, _) => "new application",
            (MarkAction::RoomsChanged, _) => "the rooms changed since the inspector measured them",
        }
    }

    /// Until when the mark is valid after moving to `to`: a certifying inspection gives a
    /// year from its day; anything else leaves the date as it was.
    pub fn valid_until(self, to: MarkStatus) -> Option<chrono::DateTime<chrono::Utc>> {
        match (self, to) {
            (MarkAction::Inspect { on, .. }, MarkStatus::Certified) => {
                Some((on + Months::new(MARK_MONTHS)).and_time(NaiveTime::MIN).and_utc())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inspect(open: usize, blocked: bool) -> MarkAction {
        let on = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap_or_default();
        MarkAction::Inspect { open, blocked, on }
    }

    #[test]
    fn the_lifecycle_as_a_table() {
        use MarkStatus::*;
        use Step::*;
        // (action, from, step, case)
        let cases = [
            (inspect(0, false), Applied, Some(To(Certified)), "a clean first inspection certifies"),
            (inspect(2, false), Applied, Some(Stay), "an application waits for the remedy"),
            (inspect(0, true), Applied, Some(Stay), "no permit or no rooms: not certified"),
            (inspect(0, false), Certified, Some(To(Certified)), "renewal"),
            (inspect(0, true), Certified, Some(Stay), "a blocked renewal leaves the mark as it is"),
            (inspect(1, false), Certified, Some(To(Suspended)), "deficiencies suspend"),
            (inspect(1, false), Suspended, Some(Stay), "still suspended"),
            (inspect(0, false), Suspended, Some(To(Certified)), "a clean re-inspection reinstates"),
            (inspect(0, false), Revoked, None, "an ended mark needs a new application"),
            (inspect(0, false), Expired, None, "an ended mark needs a new application"),
            (MarkAction::Remedy { open: 0 }, Suspended, Some(To(Certified)), "the last remedy reinstates"),
            (MarkAction::Remedy { open: 1 }, Suspended, Some(Stay), "one still open"),
            (MarkAction::Remedy { open: 0 }, Applied, Some(Stay), "an application is certified by inspection only"),
            (MarkAction::Overdue, Suspended, Some(To(Revoked)), "past the deadline"),
            (MarkAction::Overdue, Applied, Some(To(Revoked)), "past the deadline before certification"),
            (MarkAction::Overdue, Expired, Some(Stay), "already ended"),
            (MarkAction::Expire, Certified, Some(To(Expired)), "the year passed"),
            (MarkAction::Expire, Suspended, Some(To(Expired)), "the year passed while suspended"),
            (MarkAction::Expire, Applied, Some(Stay), "an application has no year"),
            (MarkAction::Reapply, Revoked, Some(To(Applied)), "a new application"),
            (MarkAction::Reapply, Certified, None, "a mark in force is not applied for again"),
            (MarkAction::RoomsChanged, Certified, Some(To(Suspended)), "changed rooms suspend until measured"),
            (MarkAction::RoomsChanged, Suspended, Some(Stay), "already suspended"),
            (MarkAction::RoomsChanged, Applied, Some(Stay), "an application is measured at its inspection"),
            (MarkAction::RoomsChanged, Revoked, Some(Stay), "an ended mark"),
        ];
        for (action, from, step, case) in cases {
            assert_eq!(action.apply(from), step, "{case}");
        }
    }

    #[test]
    fn a_certifying_inspection_gives_a_year_from_its_day() {
        let until = inspect(0, false).valid_until(MarkStatus::Certified).map(|t| t.date_naive().to_string());
        assert_eq!(until.as_deref(), Some("2027-05-01"));
        assert_eq!(inspect(1, false).valid_until(MarkStatus::Suspended), None);
        assert_eq!(MarkAction::Remedy { open: 0 }.valid_until(MarkStatus::Certified), None);
    }
}
