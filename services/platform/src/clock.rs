//! Server time, injectable.
//!
//! Every rule of the advice that depends on time (probation, audits, deadlines) asks the
//! service's [`Clock`], never the system directly, so tests can move time forward and
//! watch the scheduled sweep apply the transitions.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDate, Utc};

/// A source of the current time.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Seconds added to the system time; only tests ever set it.
    offset: Arc<AtomicI64>,
}

impl Clock {
    /// The real system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::seconds(self.offset.load(Ordering::Relaxed))
    }

    /// Today's date in UTC.
    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    /// Moves this clock (and every clone of it) forward by `days`; for tests.
    pub fn advance_days(&self, days: i64) {
        self.offset.fetch_add(days * 86_400, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_a_clone_moves_every_clone() {
        let clock = Clock::system();
        let other = clock.clone();
        let before = clock.today();
        other.advance_days(10);
        assert_eq!(clock.today(), before + chrono::Days::new(10));
    }
}
