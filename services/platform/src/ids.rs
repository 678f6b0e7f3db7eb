//! Identifiers every register shares (and only those): the number that names an agency
//! across all of them — its KvK number, or, for an agency seated abroad (advice 2.1 H),
//! its country and home register number.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::problem::{FieldError, Problem};

/// The number that names an agency in every register: a KvK (Chamber of Commerce) number,
/// exactly 8 digits; or, for an agency seated abroad, its country (ISO 3166-1 alpha-2, not
/// NL) and its number in that country's company register, joined by a dash:
/// `PL-0000123456`. The same rule stands in every schema's check constraints
/// ([`KvkNumber::SQL_PATTERN`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct KvkNumber(String);

impl KvkNumber {
    /// The rule as a POSIX regular expression, for check constraints and OpenAPI patterns.
    pub const SQL_PATTERN: &'static str = "^([0-9]{8}|[A-Z]{2}-[A-Z0-9]{1,20})$";

    /// Parses; `pointer` names the field in errors. A foreign number's letters may come in
    /// either case; they are kept upper case.
    pub fn parse(raw: &str, pointer: &str) -> Result<Self, FieldError> {
        if raw.len() == 8 && raw.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Self(raw.to_string()));
        }
        let upper = raw.to_ascii_uppercase();
        if let Some((country, number)) = upper.split_once('-') {
            let country_ok = country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()) && country != "NL";
            let number_ok = (1..=20).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_alphanumeric());
            if country_ok && number_ok {
                return Ok(Self(upper));
            }
        }
        Err(FieldError::new(
            pointer,
            "a KvK number is exactly 8 digits; an agency seated abroad is named by its country and home register \
             number, such as PL-0000123456",
        ))
    }

    /// The number for an agency seated in `country` (not NL) under `home_number` in that
    /// country's register.
    pub fn foreign(country: &str, home_number: &str, pointer: &str) -> Result<Self, FieldError> {
        Self::parse(&format!("{country}-{home_number}"), pointer)
    }

    /// Parses a path segment: 400 when malformed.
    pub fn from_path(raw: &str) -> Result<Self, Problem> {
        Self::parse(raw, "/path/kvk").map_err(|e| Problem::bad_request(format!("Malformed KvK number: {}.", e.detail)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The country of an agency seated abroad; `None` for a KvK number.
    pub fn foreign_country(&self) -> Option<&str> {
        self.0.split_once('-').map(|(country, _)| country)
    }
}

impl fmt::Display for KvkNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A citizen service number: 9 digits passing the 11-proof. Never logged, never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Bsn(String);

impl fmt::Debug for Bsn {
    // A BSN must not end up in a log line through a debug print.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Bsn(***)")
    }
}

/// A BSN as it arrives in a request body, before it is checked. It exists so that the
/// input structs that carry one can derive `Debug` without a BSN ever reaching a log
/// line or a panic message through them.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct RawBsn(String);

impl fmt::Debug for RawBsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RawBsn(***)")
    }
}

impl RawBsn {
    /// Checks it; `pointer` names the field in errors.
    pub fn parse(&self, pointer: &str) -> Result<Bsn, FieldError> {
        Bsn::parse(&self.0, pointer)
    }
}

impl Bsn {
    /// Parses; 8-digit BSNs are written with a leading zero.
    pub fn parse(raw: &str, pointer: &str) -> Result<Self, FieldError> {
        let digits = raw.trim();
        let digits = if digits.len() == 8 { format!("0{digits}") } else { digits.to_string() };
        if digits.len() != 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(pointer, "a BSN is 9 digits"));
        }
        let weights = [9i32, 8, 7, 6, 5, 4, 3, 2, -1];
        let sum: i32 = digits.bytes().zip(weights).map(|(b, w)| i32::from(b - b'0') * w).sum();
        if sum == 0 || sum % 11 != 0 {
            return Err(FieldError::new(pointer, "not a valid BSN (11-proof)"));
        }
        Ok(Self(digits))
    }

    /// The digits, for passing the BSN on to the register that needs it (in a request
    /// body, never a URL or a log line).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A keyed hash (HMAC-SHA256): how a BSN is stored or compared, never the BSN itself.
    pub fn keyed_hash(&self, key: &[u8]) -> Vec<u8> {
        crate::keyed::mac(key, &[self.0.as_bytes()]).to_vec()
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

    #[test]
    fn an_agency_abroad_is_named_by_its_country_and_home_register_number() {
        let polish = KvkNumber::parse("pl-0000123456", "/k").unwrap();
        assert_eq!((polish.as_str(), polish.foreign_country()), ("PL-0000123456", Some("PL")));
        assert_eq!(KvkNumber::foreign("RO", "J40123452019", "/k").unwrap().as_str(), "RO-J40123452019");
        assert_eq!(KvkNumber::parse("12345678", "/k").unwrap().foreign_country(), None);
        for (raw, case) in [
            ("NL-12345678", "a Dutch agency has a KvK number"),
            ("P-123", "one letter"),
            ("PL-", "no number"),
            ("PL-123 456", "a space"),
            ("PL-123456789012345678901", "21 characters"),
            ("PL--123", "a second dash"),
            ("ÄB-123", "not ASCII"),
        ] {
            assert!(KvkNumber::parse(raw, "/k").is_err(), "{case}");
        }
    }

    #[test]
    fn a_bsn_never_shows_in_a_debug_print() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)] // read only through Debug here
        struct Input {
            bsn: RawBsn,
        }
        let input: Input = serde_json::from_str(r#"{"bsn":"111222333"}"#).unwrap();
        assert!(!format!("{input:?}").contains("111222333"));
        let bsn = input.bsn.parse("/bsn").unwrap();
        assert!(!format!("{bsn:?}").contains("111222333"));
        assert_eq!(bsn.expose(), "111222333");
    }
}
