//! Server time, injectable.
//!
//! Every rule of the advice that depends on time (probation, audits, deadlines) asks the
//! service's [`Clock`], never the system directly, so tests can move time forward and
//! watch the scheduled sweep apply the transitions.
//!
//! A day is a day in the Netherlands. The advice's dates (a ban from, a fine for, a permit
//! until, "not in the future") are Dutch calendar days, and between midnight in Amsterdam
//! and midnight UTC the two calendars disagree by a day. Every service and every view
//! counts days by [`dutch_date`] here or by `dutch_today()` in SQL (platform migration
//! V5), never by the UTC date or `current_date`.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// The zone the registers count days in.
pub const ZONE: chrono_tz::Tz = chrono_tz::Europe::Amsterdam;

/// The Dutch calendar day `at` falls on.
pub fn dutch_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&ZONE).date_naive()
}

/// The last second of the Dutch day `on` (what "valid until `on`" means as an instant).
pub fn end_of_dutch_day(on: NaiveDate) -> Option<DateTime<Utc>> {
    // Midnight exists every day in Amsterdam (the clocks change at 02:00 and 03:00).
    let next = ZONE.from_local_datetime(&on.succ_opt()?.and_hms_opt(0, 0, 0)?).earliest()?;
    Some(next.with_timezone(&Utc) - chrono::Duration::seconds(1))
}

/// The instant `days` Dutch calendar days after `at`, at the same Amsterdam wall-clock time
/// (24-hour days where that time does not exist, in the hour the clocks skip).
pub fn days_later(at: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    let local = at.with_timezone(&ZONE);
    let date = local.date_naive() + chrono::Duration::days(days);
    ZONE.from_local_datetime(&date.and_time(local.time()))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(at + chrono::Duration::days(days))
}

#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Seconds added to the system time; only tests ever set it.
    offset: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::seconds(self.offset.load(Ordering::Relaxed))
    }

    pub fn today(&self) -> NaiveDate {
        dutch_date(self.now())
    }

    /// Moves this clock (and every clone of it) forward by `days` Dutch calendar days, to
    /// the same time on the Amsterdam wall clock; for tests. (`days` × 24 hours would land
    /// on the next Dutch day when it crosses into summer time late in the evening, and a
    /// test that counts days by [`Clock::today`] would be a day off.)
    pub fn advance_days(&self, days: i64) {
        let now = self.now();
        self.advance(days_later(now, days) - now);
    }

    /// Moves this clock (and every clone of it) forward by `by`; for tests.
    pub fn advance(&self, by: chrono::Duration) {
        self.offset.fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_later_is_the_next_dutch_day_across_summer_time() {
        let late_winter_evening = "2026-12-06T22:30:00Z".parse::<DateTime<Utc>>().unwrap();
        for days in [1, 100, 206, 572, 730] {
            let later = days_later(late_winter_evening, days);
            assert_eq!(dutch_date(later), dutch_date(late_winter_evening) + chrono::Duration::days(days), "{days}");
        }
        let summer_night = "2027-06-30T22:30:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(dutch_date(days_later(summer_night, 180)), dutch_date(summer_night) + chrono::Duration::days(180));
    }

    #[test]
    fn advancing_a_clone_moves_every_clone() {
        let clock = Clock::system();
        let other = clock.clone();
        let before = clock.today();
        other.advance_days(10);
        assert_eq!(clock.today(), before + chrono::Days::new(10));
    }

    #[test]
    fn a_day_is_a_day_in_the_netherlands() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).expect("instant").with_timezone(&Utc);
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        // Winter (CET, UTC+1) and summer (CEST, UTC+2): the Dutch day starts an hour or
        // two before the UTC one.
        for (instant, dutch) in [
            ("2026-12-04T22:59:59Z", "2026-12-04"),
            ("2026-12-04T23:00:00Z", "2026-12-05"),
            ("2026-12-31T23:30:00Z", "2027-01-01"),
            ("2026-07-01T21:59:59Z", "2026-07-01"),
            ("2026-07-01T22:00:00Z", "2026-07-02"),
            ("2026-07-02T21:00:00Z", "2026-07-02"),
        ] {
            assert_eq!(dutch_date(at(instant)), day(dutch), "{instant}");
        }
        assert_eq!(end_of_dutch_day(day("2026-12-04")), Some(at("2026-12-04T22:59:59Z")));
        assert_eq!(end_of_dutch_day(day("2026-07-01")), Some(at("2026-07-01T21:59:59Z")));
        // The night the clocks go back (25 hours) and forward (23 hours).
        assert_eq!(end_of_dutch_day(day("2026-10-24")), Some(at("2026-10-24T21:59:59Z")));
        assert_eq!(end_of_dutch_day(day("2026-10-25")), Some(at("2026-10-25T22:59:59Z")));
        assert_eq!(end_of_dutch_day(day("2026-03-29")), Some(at("2026-03-29T21:59:59Z")));
        assert_eq!(end_of_dutch_day(NaiveDate::MAX), None);
    }
}
