//! What a register says about a seal, typed: each register's `seal_status` view publishes
//! its facts as JSON, and they are decoded here, once, into the register's own shape. The
//! pages render from these types, never from JSON paths.

use serde::Deserialize;
use serde_json::Value;
use zegel_attest::Register;
use zegel_contracts::agency::Reason;
use zegel_contracts::{CertificateStatus, HousingNorm, MarkStatus, NotValidBecause};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Certificate {
    pub agency_name: Option<String>,
    pub kvk_number: Option<String>,
    pub norm: Option<String>,
    pub certificate_status: Option<CertificateStatus>,
    /// Its last day (or the end of probation), as a date.
    pub valid_until: Option<String>,
    /// Why the agency may not be hired now (the seal is suspended for these), if so.
    #[serde(default)]
    pub standing: Vec<Reason>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Building {
    pub bag_id: Option<String>,
    pub street: Option<String>,
    pub number: Option<i64>,
    pub addition: Option<String>,
    pub postcode: Option<String>,
    pub place: Option<String>,
    pub mark_status: Option<MarkStatus>,
    pub valid_until: Option<String>,
    pub last_inspection: Option<String>,
    pub norm: Option<HousingNorm>,
    /// How many people may live there.
    pub capacity: Option<i64>,
    #[serde(default)]
    pub over_capacity: bool,
    /// Why the seal is not valid now.
    pub reason: Option<NotValidBecause>,
}

impl Building {
    pub fn address(&self) -> (String, String) {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let number = self.number.map(|n| n.to_string()).unwrap_or_default();
        let street = match &self.addition {
            Some(a) => format!("{} {number} {a}", text(&self.street)),
            None => format!("{} {number}", text(&self.street)),
        };
        (street, format!("{} {}", text(&self.postcode), text(&self.place)))
    }
}

/// The facts of a hirer check's receipt: the check as it was answered then.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Receipt {
    #[serde(default)]
    pub may_hire: bool,
    pub checked_at: Option<String>,
    pub receipt: Option<StoredCheck>,
}

/// The parts of a stored check the receipt page shows.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StoredCheck {
    #[serde(default)]
    pub parts: StoredParts,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct StoredParts {
    pub certificate: Option<StoredPart>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct StoredPart {
    #[serde(default)]
    pub detail: StoredDetail,
}

/// The detail of a stored certificate part.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StoredDetail {
    pub agency_name: Option<String>,
}

impl Receipt {
    pub fn agency_name(&self) -> Option<&str> {
        self.receipt.as_ref()?.parts.certificate.as_ref()?.detail.agency_name.as_deref()
    }
}

/// The facts of a sealed yearly report (the lookup's own): which report, and the SHA-256
/// of its CSV.
#[derive(Debug, Clone, Deserialize)]
pub struct Report {
    pub statistics: ReportFacts,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReportFacts {
    pub year: i32,
    pub as_of: String,
    pub sha256: String,
}

/// A register's facts about a seal, in the register's own shape.
#[derive(Debug, Clone)]
pub enum Shown {
    Certificate(Certificate),
    Building(Building),
    /// From the lookup itself: a receipt.
    Receipt(Receipt),
    /// From the lookup itself: a yearly report.
    Report(Report),
    /// A register whose facts no page shows, or facts that do not decode.
    Nothing,
}

impl Shown {
    /// Decodes the facts `register` published.
    pub fn of(register: Option<Register>, facts: &Value) -> Self {
        // Decoded in place from the borrowed value: the facts are not copied per page.
        fn decode<'a, T: Deserialize<'a>>(facts: &'a Value) -> Option<T> {
            T::deserialize(facts).map_err(|e| tracing::warn!(error = %e, "a register's facts do not decode")).ok()
        }
        let shown = match register {
            Some(Register::Certificates) => decode(facts).map(Shown::Certificate),
            Some(Register::Housing) => decode(facts).map(Shown::Building),
            Some(Register::Lookup) if facts.get("statistics").is_some() => decode(facts).map(Shown::Report),
            Some(Register::Lookup) => decode(facts).map(Shown::Receipt),
            _ => None,
        };
        shown.unwrap_or(Shown::Nothing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_register_decodes_into_its_own_shape() {
        let cert = json!({ "agency_name": "Flex BV", "certificate_status": "lapsed", "sealed": {} });
        let Shown::Certificate(c) = Shown::of(Some(Register::Certificates), &cert) else { panic!("certificate") };
        assert_eq!(c.certificate_status, Some(CertificateStatus::Lapsed));
        let building = json!({ "street": "Dorpsstraat", "number": 3, "postcode": "1234 AB", "place": "Ede",
            "reason": "no_permit", "over_capacity": true, "norm": "snf" });
        let Shown::Building(b) = Shown::of(Some(Register::Housing), &building) else { panic!("building") };
        assert_eq!(b.address(), ("Dorpsstraat 3".to_string(), "1234 AB Ede".to_string()));
        assert_eq!(
            (b.reason, b.norm, b.over_capacity),
            (Some(NotValidBecause::NoPermit), Some(HousingNorm::Snf), true)
        );
        let receipt = json!({ "may_hire": true, "receipt": { "parts": { "certificate": { "detail": { "agency_name": "X" } } } } });
        let Shown::Receipt(r) = Shown::of(Some(Register::Lookup), &receipt) else { panic!("receipt") };
        assert_eq!((r.may_hire, r.agency_name()), (true, Some("X")));
        let report = json!({ "statistics": { "year": 2025, "as_of": "2025-12-31", "sha256": "ab" } });
        let Shown::Report(r) = Shown::of(Some(Register::Lookup), &report) else { panic!("report") };
        assert_eq!((r.statistics.year, r.statistics.sha256.as_str()), (2025, "ab"));
    }

    #[test]
    fn a_word_outside_the_contract_shows_nothing_rather_than_guessing() {
        let odd = json!({ "certificate_status": "paused" });
        assert!(matches!(Shown::of(Some(Register::Certificates), &odd), Shown::Nothing));
    }
}
