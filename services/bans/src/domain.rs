//! Validated domain types of the bans register.

use chrono::{Months, NaiveDate};
use platform::problem::FieldError;

pub use platform::ids::{Bsn, KvkNumber, RawBsn};

pub use zegel_contracts::ban::{Basis, OfficerRole};

/// Checks a ban's dates: ends not before it starts; a civil ban ends within
/// `civil_max_years` (the dated `ban_policy` in force on its first day).
pub fn check_ban_dates(
    basis: Basis,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    civil_max_years: u32,
) -> Result<(), FieldError> {
    if let Some(end) = ends_on
        && end < starts_on
    {
        return Err(FieldError::new("/ends_on", "a ban cannot end before it starts"));
    }
    if basis == Basis::Civil {
        let limit = starts_on.checked_add_months(Months::new(12 * civil_max_years)).unwrap_or(NaiveDate::MAX);
        match ends_on {
            None => return Err(FieldError::new("/ends_on", "a civil ban has an end date")),
            Some(end) if end > limit => {
                return Err(FieldError::new(
                    "/ends_on",
                    format!("a civil ban lasts at most {civil_max_years} years (until {limit})"),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

pub use platform::http::text;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bsns_pass_the_eleven_proof() {
        for ok in ["111222333", "123456782", "012345672", "12345672"] {
            assert!(Bsn::parse(ok, "/bsn").is_ok(), "{ok}");
        }
        for (bad, case) in [
            ("123456789", "fails the proof"),
            ("000000000", "all zeros"),
            ("12345678a", "letter"),
            ("1234567", "too short"),
            ("1234567890", "too long"),
        ] {
            assert!(Bsn::parse(bad, "/bsn").is_err(), "{case}");
        }
        assert_eq!(format!("{:?}", Bsn::parse("111222333", "/b").unwrap()), "Bsn(***)");
    }

    #[test]
    fn the_keyed_hash_depends_on_the_key() {
        let bsn = Bsn::parse("111222333", "/b").unwrap();
        assert_ne!(bsn.keyed_hash(b"key-one-1234567890"), bsn.keyed_hash(b"key-two-1234567890"));
        assert_eq!(bsn.keyed_hash(b"k"), bsn.keyed_hash(b"k"));
    }

    #[test]
    fn ban_dates_are_checked() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(check_ban_dates(Basis::Administrative, d("2026-01-01"), None, 5).is_ok());
        assert!(check_ban_dates(Basis::Administrative, d("2026-01-01"), Some(d("2025-12-31")), 5).is_err());
        assert!(check_ban_dates(Basis::Civil, d("2026-01-01"), Some(d("2031-01-01")), 5).is_ok());
        assert!(check_ban_dates(Basis::Civil, d("2026-01-01"), Some(d("2031-01-02")), 5).is_err());
        assert!(
            check_ban_dates(Basis::Civil, d("2026-01-01"), Some(d("2031-01-02")), 6).is_ok(),
            "the setting decides"
        );
        assert!(check_ban_dates(Basis::Civil, d("2026-01-01"), None, 5).is_err());
    }
}
