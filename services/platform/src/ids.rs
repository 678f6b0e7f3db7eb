//! Identifiers every register shares (and only those): the KvK number that names an agency
//! across all of them.

use std::fmt;

use serde::Serialize;

use crate::problem::{FieldError, Problem};

/// A KvK (Chamber of Commerce) number: exactly 8 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct KvkNumber(String);

impl KvkNumber {
    /// Parses; `pointer` names the field in errors.
    pub fn parse(raw: &str, pointer: &str) -> Result<Self, FieldError> {
        if raw.len() == 8 && raw.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(raw.to_string()))
        } else {
            Err(FieldError::new(pointer, "a KvK number is exactly 8 digits"))
        }
    }

    /// Parses a path segment: 400 when malformed.
    pub fn from_path(raw: &str) -> Result<Self, Problem> {
        Self::parse(raw, "/path/kvk").map_err(|e| Problem::bad_request(format!("Malformed KvK number: {}.", e.detail)))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KvkNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kvk_numbers_are_exactly_eight_digits() {
        assert!(KvkNumber::parse("12345678", "/k").is_ok());
        for (raw, case) in [
            ("1234567", "seven"),
            ("123456789", "nine"),
            ("1234567a", "letter"),
            ("", "empty"),
            ("１２３４５６７８", "full-width digits"),
        ] {
            assert!(KvkNumber::parse(raw, "/k").is_err(), "{case}");
        }
        assert_eq!(KvkNumber::from_path("12").unwrap_err().status, 400);
    }
}
