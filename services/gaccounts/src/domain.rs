//! Validated domain types of the G-account register.

use std::fmt;

use platform::problem::FieldError;
use serde::Serialize;

pub use platform::ids::KvkNumber;

/// IBAN lengths per country (ISO 13616 registry), for the countries agencies here come from.
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AT", 20),
    ("BE", 16),
    ("BG", 22),
    ("CH", 21),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("EE", 20),
    ("ES", 24),
    ("FI", 18),
    ("FR", 27),
    ("GB", 22),
    ("GR", 27),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IT", 27),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MT", 31),
    ("NL", 18),
    ("NO", 15),
    ("PL", 28),
    ("PT", 25),
    ("RO", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
];

/// An IBAN: normalised (upper case, no spaces), right length for its country, mod-97 valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Iban(String);

impl Iban {
    /// Parses an IBAN as people write it (spaces allowed, any case).
    pub fn parse(raw: &str, pointer: &str) -> Result<Self, FieldError> {
        let err = |m: &str| FieldError::new(pointer, m);
        let iban: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        if !iban.chars().all(|c| c.is_ascii_alphanumeric()) || iban.len() < 5 {
            return Err(err("an IBAN has only letters and digits"));
        }
        let country = &iban[..2];
        let Some((_, len)) = IBAN_LENGTHS.iter().find(|(c, _)| *c == country) else {
            return Err(err("unknown or unsupported IBAN country"));
        };
        if iban.len() != *len {
            return Err(FieldError::new(
                pointer,
                format!("a {country} IBAN has {len} characters, this one has {}", iban.len()),
            ));
        }
        if !iban[2..4].bytes().all(|b| b.is_ascii_digit()) {
            return Err(err("the IBAN check digits must be digits"));
        }
        if mod97(&iban) != 1 {
            return Err(err("the IBAN checksum is wrong (ISO 13616 mod-97)"));
        }
        Ok(Self(iban))
    }

    /// Parses the IBAN of a G-account: Dutch G-accounts carry 099 right after the bank code.
    pub fn parse_g_account(raw: &str, pointer: &str) -> Result<Self, FieldError> {
        let iban = Self::parse(raw, pointer)?;
        if iban.0.starts_with("NL") && &iban.0[8..11] != "099" {
            return Err(FieldError::new(
                pointer,
                "a Dutch G-account number has 099 right after the four-letter bank code (NLkk BBBB 099x xxxx xx); this is an ordinary account",
            ));
        }
        Ok(iban)
    }

    /// A Dutch IBAN for bank code `bank` (4 letters) and account `account` (10 digits),
    /// with its check digits computed (for examples and tests).
    pub fn dutch(bank: &str, account: &str) -> String {
        let digits: String =
            format!("{bank}{account}NL00").chars().map(|c| c.to_digit(36).unwrap_or(0).to_string()).collect();
        let rem = digits.bytes().fold(0u32, |acc, b| (acc * 10 + u32::from(b - b'0')) % 97);
        format!("NL{:02}{bank}{account}", 98 - rem)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// ISO 7064 mod 97-10 over the rearranged IBAN, digit by digit (no big integers).
fn mod97(iban: &str) -> u32 {
    let rearranged = iban[4..].chars().chain(iban[..4].chars());
    rearranged.fold(0u32, |acc, c| {
        let v = c.to_digit(36).unwrap_or(0);
        if v >= 10 { (acc * 100 + v) % 97 } else { (acc * 10 + v) % 97 }
    })
}

pub use zegel_contracts::GAccountStatus as Status;

/// What the tax authority can do to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Verify,
    Block,
    Unblock,
    Close,
}

/// An action is one of four words: it stays in the route's metrics label.
impl platform::http::PathValue for Action {
    fn path_value(&self) -> Option<&str> {
        None
    }
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Verify => "verify",
            Action::Block => "block",
            Action::Unblock => "unblock",
            Action::Close => "close",
        }
    }

    /// The status after this action, or `None` when it is not allowed.
    pub fn apply(self, from: Status) -> Option<Status> {
        match (self, from) {
            (Action::Verify, Status::Requested) => Some(Status::Active),
            (Action::Block, Status::Active) => Some(Status::Blocked),
            (Action::Unblock, Status::Blocked) => Some(Status::Active),
            (Action::Close, Status::Requested | Status::Active | Status::Blocked) => Some(Status::Closed),
            _ => None,
        }
    }
}

impl std::str::FromStr for Action {
    type Err = ();

    /// The path segment naming the action (`verification`, `blocking`, `unblocking`, `closure`).
    fn from_str(segment: &str) -> Result<Self, ()> {
        match segment {
            "verification" => Ok(Action::Verify),
            "blocking" => Ok(Action::Block),
            "unblocking" => Ok(Action::Unblock),
            "closure" => Ok(Action::Close),
            _ => Err(()),
        }
    }
}

pub use platform::http::text;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_are_checked_for_country_length_and_checksum() {
        assert_eq!(Iban::parse("nl91 abna 0417 1643 00", "/i").unwrap().as_str(), "NL91ABNA0417164300");
        assert!(Iban::parse("DE89370400440532013000", "/i").is_ok());
        assert!(Iban::parse("PL61109010140000071219812874", "/i").is_ok());
        let cases = [
            ("NL91ABNA0417164301", "checksum", "bad checksum"),
            ("NL91ABNA041716430", "18 characters", "too short"),
            ("NL91ABNA04171643000", "18 characters", "too long"),
            ("XX91ABNA0417164300", "country", "unknown country"),
            ("NL91-ABNA-0417", "letters and digits", "punctuation"),
            ("", "letters and digits", "empty"),
            ("NLAAABNA0417164300", "check digits", "letters as check digits"),
        ];
        for (raw, expected, case) in cases {
            let err = Iban::parse(raw, "/iban").unwrap_err();
            assert!(err.detail.contains(expected), "{case}: {}", err.detail);
        }
    }

    #[test]
    fn a_dutch_g_account_has_099_after_the_bank_code() {
        // NL + check digits + bank code + 099 + account: a valid G-account number.
        let g = Iban::dutch("INGB", "0990123456");
        assert!(Iban::parse_g_account(&g, "/iban").is_ok(), "{g}");
        let err = Iban::parse_g_account("NL91ABNA0417164300", "/iban").unwrap_err();
        assert!(err.detail.contains("099"), "{}", err.detail);
        assert!(Iban::parse_g_account("DE89370400440532013000", "/iban").is_ok(), "foreign accounts have no such rule");
    }
}
