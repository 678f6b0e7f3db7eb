//! Validated domain types: raw input becomes one of these at the edge or is refused.

pub mod fine;
pub mod lifecycle;
pub mod reentry;
pub mod requirement;

use chrono::NaiveDate;
use platform::problem::FieldError;
use serde::Serialize;

pub use lifecycle::Status;
pub use requirement::RequirementCode;

pub use platform::ids::KvkNumber;

/// An ISO 3166-1 alpha-2 country code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct CountryCode(String);

impl CountryCode {
    /// Parses two ASCII letters (either case).
    pub fn parse(raw: &str, pointer: &str) -> Result<Self, FieldError> {
        if raw.len() == 2 && raw.bytes().all(|b| b.is_ascii_alphabetic()) {
            Ok(Self(raw.to_ascii_uppercase()))
        } else {
            Err(FieldError::new(pointer, "a country is an ISO 3166-1 alpha-2 code such as NL or PL"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The NEN 4400 norm an agency seated here is assessed on: 4400-1 at home, 4400-2 abroad.
    pub fn norm(&self) -> Norm {
        if self.0 == "NL" { Norm::Nen4400_1 } else { Norm::Nen4400_2 }
    }
}

/// The norm for an agency seated in `seat_country` (as stored: two upper-case letters).
pub fn norm_of(seat_country: &str) -> Norm {
    if seat_country == "NL" { Norm::Nen4400_1 } else { Norm::Nen4400_2 }
}

platform::text_enum! {
    pub enum Norm {
        Nen4400_1 = "NEN 4400-1",
        Nen4400_2 = "NEN 4400-2",
    }
}

pub use zegel_contracts::certificate::AuditOutcome;

/// An SBI activity code (4 or 5 digits); 78xx is temporary employment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SbiCode(String);

impl SbiCode {
    pub fn parse(raw: &str, pointer: &str) -> Result<Self, FieldError> {
        if (4..=5).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(raw.to_string()))
        } else {
            Err(FieldError::new(pointer, "an SBI code is 4 or 5 digits"))
        }
    }

    /// Whether this code marks a staffing agency (division 78).
    pub fn is_staffing(&self) -> bool {
        self.0.starts_with("78")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The id of a certification body: lower-case letters, digits and dashes, 2 to 64 long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct BodyId(String);

impl BodyId {
    pub fn parse(raw: &str, pointer: &str) -> Result<Self, FieldError> {
        let ok = (2..=64).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(raw.to_string()))
        } else {
            Err(FieldError::new(pointer, "2 to 64 lower-case letters, digits or dashes"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Free text with bounds: trimmed, non-empty, at most `max` characters; line breaks
/// allowed (reasons and findings may run over several lines).
pub fn text(raw: &str, pointer: &str, max: usize) -> Result<String, FieldError> {
    platform::http::bounded_text(raw, pointer, max, true)
}

/// A date not after `today`.
pub fn not_future(date: NaiveDate, today: NaiveDate, pointer: &str) -> Result<NaiveDate, FieldError> {
    if date > today { Err(FieldError::new(pointer, "must not be in the future")) } else { Ok(date) }
}

pub use platform::problem::Checks;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_agencies_are_assessed_on_nen_4400_2() {
        assert_eq!(CountryCode::parse("nl", "/c").unwrap().norm(), Norm::Nen4400_1);
        assert_eq!(CountryCode::parse("PL", "/c").unwrap().norm(), Norm::Nen4400_2);
        assert!(CountryCode::parse("NLD", "/c").is_err());
    }

    #[test]
    fn sbi_78_marks_staffing() {
        assert!(SbiCode::parse("7820", "/s").unwrap().is_staffing());
        assert!(!SbiCode::parse("4941", "/s").unwrap().is_staffing());
        assert!(SbiCode::parse("78", "/s").is_err());
    }

    #[test]
    fn text_is_bounded_and_trimmed() {
        assert_eq!(text("  ok ", "/r", 5).unwrap(), "ok");
        assert!(text("   ", "/r", 5).is_err());
        assert!(text("toolong", "/r", 5).is_err());
        assert!(text("a\u{0}b", "/r", 5).is_err());
    }
}
