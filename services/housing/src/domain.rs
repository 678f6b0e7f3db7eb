//! Validated types and the capacity rules of advice chapter 4.

use std::fmt;

use chrono::{Datelike, Months, NaiveDate};
use platform::problem::FieldError;
use serde::{Deserialize, Serialize};

/// A BAG verblijfsobject id: 16 digits; the first four are the CBS municipality code and
/// positions 5–6 are `01` (the object type "verblijfsobject").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct BagId(String);

impl BagId {
    /// Parses.
    pub fn parse(raw: &str, pointer: &str) -> Result<Self, FieldError> {
        if raw.len() != 16 || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(pointer, "a BAG verblijfsobject id is 16 digits"));
        }
        if &raw[4..6] != "01" {
            return Err(FieldError::new(pointer, "positions 5–6 of a BAG verblijfsobject id are 01 (verblijfsobject)"));
        }
        Ok(Self(raw.to_string()))
    }

    /// The CBS code of the municipality the building is in.
    pub fn municipality(&self) -> &str {
        &self.0[..4]
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BagId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Dutch postcode, normalised to `1234 AB`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Postcode(String);

impl Postcode {
    /// Parses `1234 AB`, `1234AB` or `1234 ab`. The first digit is never 0, and the
    /// letter pairs SA, SD and SS are not issued.
    pub fn parse(raw: &str, pointer: &str) -> Result<Self, FieldError> {
        let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        let ok = compact.len() == 6
            && compact[..4].bytes().all(|b| b.is_ascii_digit())
            && !compact.starts_with('0')
            && compact[4..].bytes().all(|b| b.is_ascii_uppercase())
            && !matches!(&compact[4..], "SA" | "SD" | "SS");
        if ok {
            Ok(Self(format!("{} {}", &compact[..4], &compact[4..])))
        } else {
            Err(FieldError::new(pointer, "a postcode is written 1234 AB"))
        }
    }

    /// As written on an envelope.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A floor area in hundredths of a square metre (so 5.49 m² and 5.5 m² stay exact).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Area(u32);

impl Area {
    /// Parses a JSON number of square metres with at most two decimals, more than zero
    /// and at most 100,000 m².
    pub fn parse(value: &serde_json::Value, pointer: &str) -> Result<Self, FieldError> {
        let err = |m: &str| FieldError::new(pointer, m);
        let m2 = value.as_f64().ok_or_else(|| err("an area is a number of square metres"))?;
        if m2.is_nan() || m2 <= 0.0 || m2 > 100_000.0 {
            return Err(err("an area is more than 0 and at most 100000 m²"));
        }
        let hundredths = (m2 * 100.0).round();
        if ((m2 * 100.0) - hundredths).abs() > 1e-6 {
            return Err(err("an area has at most two decimals"));
        }
        Ok(Self(hundredths as u32))
    }

    /// From hundredths of a square metre.
    pub fn from_hundredths(h: u32) -> Self {
        Self(h)
    }

    /// Hundredths of a square metre.
    pub fn hundredths(self) -> u32 {
        self.0
    }
}

/// The norms a building can be held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Norm {
    /// The integrated norm of the advice: one person per bedroom of at least 5.5 m², at
    /// least 15 m² of living area per person (bedroom included).
    Integrated,
    /// The SNF norm existing buildings may keep during the transition: 3.5 m² sleeping
    /// area per person; 10 m² per person in lodging, 12 m² in a dwelling.
    Snf,
}

/// What kind of building it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuildingType {
    /// An ordinary dwelling.
    Dwelling,
    /// Group housing or a campus (lodging).
    GroupHousing,
    /// Housing on the employer's site.
    EmployerSite,
    /// A mobile unit (season-bound).
    MobileUnit,
}

/// Where a building's mark stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkStatus {
    /// Registered, waiting for an inspection without open deficiencies.
    Applied,
    /// Certified after an inspection; valid for a year unless renewed.
    Certified,
    /// Deficiencies found at a later inspection are open (within their deadline).
    Suspended,
    /// A deficiency stayed open past its deadline: final for this mark.
    Revoked,
    /// The year passed without a renewing inspection.
    Expired,
}

impl MarkStatus {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            MarkStatus::Applied => "applied",
            MarkStatus::Certified => "certified",
            MarkStatus::Suspended => "suspended",
            MarkStatus::Revoked => "revoked",
            MarkStatus::Expired => "expired",
        }
    }

    /// From storage.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "applied" => MarkStatus::Applied,
            "certified" => MarkStatus::Certified,
            "suspended" => MarkStatus::Suspended,
            "revoked" => MarkStatus::Revoked,
            "expired" => MarkStatus::Expired,
            _ => return None,
        })
    }

    /// Whether the mark has ended and a new application is needed.
    pub fn ended(self) -> bool {
        matches!(self, MarkStatus::Revoked | MarkStatus::Expired)
    }
}

/// What an inspection's outcome does to the mark: certify (or renew) when nothing is
/// open, suspend a certified mark when something is, leave an application waiting.
pub fn after_inspection(current: MarkStatus, open_deficiencies: usize) -> Option<MarkStatus> {
    match (current, open_deficiencies) {
        (MarkStatus::Applied | MarkStatus::Certified | MarkStatus::Suspended, 0) => Some(MarkStatus::Certified),
        (MarkStatus::Certified, _) => Some(MarkStatus::Suspended),
        _ => None,
    }
}

/// How an inspection was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionKind {
    /// Announced to the provider.
    Announced,
    /// Unannounced (every complaint-driven inspection).
    Unannounced,
}

/// Landlord permit decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermitStatus {
    /// Granted, from a date, possibly until one.
    Granted,
    /// Refused.
    Refused,
    /// Withdrawn after having been granted.
    Withdrawn,
}

/// What a resident can complain about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintCategory {
    /// Too many people.
    Overcrowding,
    /// Safety or fire.
    SafetyOrFire,
    /// Hygiene.
    Hygiene,
    /// Heating or water.
    HeatingOrWater,
    /// Rent or deductions from wages.
    RentOrDeductions,
    /// Threatened eviction.
    ThreatenedEviction,
    /// Intimidation.
    Intimidation,
    /// Anything else.
    Other,
}

impl ComplaintCategory {
    /// Every category, in the order of the form.
    pub const ALL: [ComplaintCategory; 8] = [
        ComplaintCategory::Overcrowding,
        ComplaintCategory::SafetyOrFire,
        ComplaintCategory::Hygiene,
        ComplaintCategory::HeatingOrWater,
        ComplaintCategory::RentOrDeductions,
        ComplaintCategory::ThreatenedEviction,
        ComplaintCategory::Intimidation,
        ComplaintCategory::Other,
    ];

    /// As stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintCategory::Overcrowding => "overcrowding",
            ComplaintCategory::SafetyOrFire => "safety_or_fire",
            ComplaintCategory::Hygiene => "hygiene",
            ComplaintCategory::HeatingOrWater => "heating_or_water",
            ComplaintCategory::RentOrDeductions => "rent_or_deductions",
            ComplaintCategory::ThreatenedEviction => "threatened_eviction",
            ComplaintCategory::Intimidation => "intimidation",
            ComplaintCategory::Other => "other",
        }
    }

    /// Parses a form or JSON value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The capacity a norm allows: how many people may live in a building with these
/// bedrooms and this total living area.
pub fn capacity(norm: Norm, building: BuildingType, bedrooms: &[Area], living_area: Area) -> u32 {
    match norm {
        Norm::Integrated => {
            let beds = bedrooms.iter().filter(|b| b.hundredths() >= 550).count() as u32;
            beds.min(living_area.hundredths() / 1500)
        }
        Norm::Snf => {
            let sleeping: u32 = bedrooms.iter().map(|b| b.hundredths() / 350).sum();
            let per_person = if building == BuildingType::Dwelling { 1200 } else { 1000 };
            sleeping.min(living_area.hundredths() / per_person)
        }
    }
}

/// The norm in force for a building on `day`: an existing building (registered before the
/// integrated norm took effect) may keep the SNF norm until `transition_ends`.
pub fn norm_on(
    registered_on: NaiveDate,
    integrated_from: NaiveDate,
    transition_ends: NaiveDate,
    day: NaiveDate,
) -> Norm {
    if registered_on < integrated_from && day < transition_ends { Norm::Snf } else { Norm::Integrated }
}

/// Whether a mobile unit's mark holds on `day`: only from 1 April up to (not including)
/// 1 October, and for at most 4 months from the start of this season's occupancy.
pub fn mobile_season_ok(day: NaiveDate, occupied_since: Option<NaiveDate>) -> Result<(), &'static str> {
    let in_season = (4..=9).contains(&day.month());
    if !in_season {
        return Err("a mobile unit may only be lived in between 1 April and 1 October");
    }
    if let Some(since) = occupied_since {
        let limit = since.checked_add_months(Months::new(4)).unwrap_or(NaiveDate::MAX);
        if day > limit {
            return Err("a mobile unit may be lived in for at most 4 months a season");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_else(|_| unreachable!("test date"))
    }

    fn a(m2: f64) -> Area {
        Area::parse(&json!(m2), "/a").unwrap_or_else(|e| unreachable!("{}", e.detail))
    }

    #[test]
    fn bag_ids_are_sixteen_digits_of_type_01() {
        let id = BagId::parse("0363010000123456", "/bag_id").unwrap_or_else(|_| unreachable!());
        assert_eq!(id.municipality(), "0363");
        for (raw, case) in [
            ("036301000012345", "15 digits"),
            ("03630100001234567", "17 digits"),
            ("0363020000123456", "type 02 is a standplaats"),
            ("03630100001234a6", "a letter"),
        ] {
            assert!(BagId::parse(raw, "/b").is_err(), "{case}");
        }
    }

    #[test]
    fn postcodes_are_written_1234_ab() {
        assert_eq!(Postcode::parse("1012ab", "/p").map(|p| p.0), Ok("1012 AB".to_string()));
        for (raw, case) in [
            ("0123 AB", "leading zero"),
            ("1012 A", "one letter"),
            ("1012 SS", "SS is not issued"),
            ("10123 AB", "five digits"),
            ("AB 1012", "reversed"),
        ] {
            assert!(Postcode::parse(raw, "/p").is_err(), "{case}");
        }
    }

    #[test]
    fn areas_are_positive_with_two_decimals() {
        assert_eq!(a(5.5).hundredths(), 550);
        assert_eq!(a(5.49).hundredths(), 549);
        for (v, case) in
            [(json!(0), "zero"), (json!(-3), "negative"), (json!(5.555), "three decimals"), (json!("5"), "a string")]
        {
            assert!(Area::parse(&v, "/a").is_err(), "{case}");
        }
    }

    #[test]
    fn the_integrated_norm_allows_one_person_per_bedroom_and_15_m2_each() {
        use BuildingType::Dwelling;
        // (bedrooms, living area, capacity, case)
        let cases: [(&[f64], f64, u32, &str); 7] = [
            (&[5.5, 5.5], 30.0, 2, "both bedrooms count, 30 m² for two"),
            (&[5.49, 5.5], 30.0, 1, "a 5.49 m² bedroom does not count"),
            (&[5.5, 5.5], 29.99, 1, "14.99 m² per person is too little"),
            (&[5.5, 5.5, 5.5], 45.0, 3, "exactly 15 m² per person"),
            (&[], 100.0, 0, "no bedrooms, no one"),
            (&[12.0], 15.0, 1, "a big bedroom still sleeps one"),
            (&[6.0, 6.0, 6.0, 6.0], 50.0, 3, "living area is the limit"),
        ];
        for (beds, living, expected, case) in cases {
            let beds: Vec<Area> = beds.iter().map(|m| a(*m)).collect();
            assert_eq!(capacity(Norm::Integrated, Dwelling, &beds, a(living)), expected, "{case}");
        }
    }

    #[test]
    fn the_snf_norm_counts_sleeping_area_and_differs_for_dwellings() {
        let beds = [a(7.0), a(7.0)];
        assert_eq!(
            capacity(Norm::Snf, BuildingType::GroupHousing, &beds, a(40.0)),
            4,
            "2 × 2 sleeping places, 40/10 m²"
        );
        assert_eq!(capacity(Norm::Snf, BuildingType::Dwelling, &beds, a(40.0)), 3, "40/12 m² in a dwelling");
        assert_eq!(capacity(Norm::Integrated, BuildingType::GroupHousing, &beds, a(40.0)), 2);
    }

    #[test]
    fn existing_buildings_keep_the_snf_norm_until_the_transition_ends() {
        let (from, until) = (d("2026-01-01"), d("2028-01-01"));
        assert_eq!(norm_on(d("2020-05-01"), from, until, d("2027-12-31")), Norm::Snf);
        assert_eq!(norm_on(d("2020-05-01"), from, until, d("2028-01-01")), Norm::Integrated);
        assert_eq!(
            norm_on(d("2026-03-01"), from, until, d("2026-06-01")),
            Norm::Integrated,
            "new buildings start on the integrated norm"
        );
    }

    #[test]
    fn an_inspection_certifies_renews_or_suspends() {
        use MarkStatus::*;
        assert_eq!(after_inspection(Applied, 0), Some(Certified));
        assert_eq!(after_inspection(Applied, 2), None, "an application waits for the remedy");
        assert_eq!(after_inspection(Certified, 0), Some(Certified), "renewal");
        assert_eq!(after_inspection(Certified, 1), Some(Suspended));
        assert_eq!(after_inspection(Suspended, 0), Some(Certified));
        assert_eq!(after_inspection(Revoked, 0), None, "an ended mark needs a new application");
        assert_eq!(after_inspection(Expired, 0), None);
    }

    #[test]
    fn complaint_categories_round_trip() {
        for c in ComplaintCategory::ALL {
            assert_eq!(ComplaintCategory::parse(c.as_str()), Some(c));
            assert_eq!(serde_json::to_value(c).ok(), Some(json!(c.as_str())));
        }
        assert_eq!(ComplaintCategory::parse("noise"), None);
    }

    #[test]
    fn mobile_units_have_a_season_and_at_most_four_months() {
        assert!(mobile_season_ok(d("2026-03-31"), None).is_err(), "31 March");
        assert!(mobile_season_ok(d("2026-04-01"), None).is_ok(), "1 April");
        assert!(mobile_season_ok(d("2026-09-30"), None).is_ok(), "30 September");
        assert!(mobile_season_ok(d("2026-10-01"), None).is_err(), "1 October");
        assert!(mobile_season_ok(d("2026-08-01"), Some(d("2026-04-01"))).is_ok(), "exactly 4 months");
        assert!(mobile_season_ok(d("2026-08-02"), Some(d("2026-04-01"))).is_err(), "4 months + 1 day");
    }
}
