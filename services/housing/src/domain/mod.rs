//! Validated types and the capacity rules of advice chapter 4.

pub mod lifecycle;
pub mod tenancy;

pub use lifecycle::{MarkAction, MarkStatus, Step};
pub use platform::problem::Checks;
pub use tenancy::{Contract, ContractForm, TenancyRule};

use std::fmt;

use chrono::{Datelike, Months, NaiveDate};
use platform::problem::FieldError;
use serde::Serialize;

/// A BAG verblijfsobject id: 16 digits; the first four are the CBS municipality code and
/// positions 5–6 are `01` (the object type "verblijfsobject").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct BagId(String);

impl BagId {
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

    pub fn from_hundredths(h: u32) -> Self {
        Self(h)
    }

    pub fn hundredths(self) -> u32 {
        self.0
    }
}

/// Most bedrooms one building may have.
pub const MAX_BEDROOMS: usize = 500;

/// The rooms of a building: the area of each bedroom and the total living area (which
/// includes the bedrooms). The provider proposes them; an inspector measures them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rooms {
    pub bedrooms: Vec<Area>,
    pub living_area: Area,
}

impl Rooms {
    /// Parses `bedrooms` (m² each) and `living_area` (m²) found at `pointer`, every error
    /// reported at once.
    pub fn parse(
        bedrooms: &[serde_json::Value],
        living_area: &serde_json::Value,
        pointer: &str,
    ) -> Result<Self, Vec<FieldError>> {
        let mut checks = Checks::default();
        if bedrooms.len() > MAX_BEDROOMS {
            checks.fail(format!("{pointer}/bedrooms"), format!("at most {MAX_BEDROOMS} bedrooms"));
        }
        let bedrooms: Vec<Area> = bedrooms
            .iter()
            .enumerate()
            .filter_map(|(i, v)| checks.check(Area::parse(v, &format!("{pointer}/bedrooms/{i}"))))
            .collect();
        let living = checks.check(Area::parse(living_area, &format!("{pointer}/living_area")));
        if let Some(living) = living {
            let sum: u64 = bedrooms.iter().map(|b| u64::from(b.hundredths())).sum();
            if u64::from(living.hundredths()) < sum {
                checks.fail(
                    format!("{pointer}/living_area"),
                    "the living area includes the bedrooms, so it is at least their sum",
                );
            }
        }
        checks.finish()?;
        living.map(|living_area| Self { bedrooms, living_area }).ok_or_else(Vec::new)
    }

    /// As stored: hundredths of m² per bedroom, and of the living area.
    pub fn from_stored(bedrooms: &[i32], living_area: i32) -> Self {
        let area = |h: i32| Area::from_hundredths(u32::try_from(h).unwrap_or(0));
        Self { bedrooms: bedrooms.iter().copied().map(area).collect(), living_area: area(living_area) }
    }

    /// Hundredths of m² per bedroom, and of the living area, for storing.
    pub fn to_stored(&self) -> (Vec<i32>, i32) {
        let h = |a: Area| i32::try_from(a.hundredths()).unwrap_or(i32::MAX);
        (self.bedrooms.iter().copied().map(h).collect(), h(self.living_area))
    }

    /// How many people these rooms house under `norm` in a building of this type.
    pub fn capacity(&self, norm: Norm, building: BuildingType) -> i32 {
        i32::try_from(capacity(norm, building, &self.bedrooms, self.living_area)).unwrap_or(i32::MAX)
    }
}

pub use zegel_contracts::HousingNorm as Norm;

pub use zegel_contracts::housing::BuildingType;

pub use zegel_contracts::housing::InspectionKind;

pub use zegel_contracts::housing::{PermitStatus, RehousingReason};

pub use zegel_contracts::ComplaintCategory;

platform::text_enum! {
    pub enum ComplaintStatus {
        /// Received, not yet followed up.
        Received = "received",
        Inspected = "inspected",
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
    fn every_vocabulary_round_trips() {
        use platform::vocab::assert_round_trips;
        assert_round_trips::<Norm>();
        assert_round_trips::<BuildingType>();
        assert_round_trips::<MarkStatus>();
        assert_round_trips::<InspectionKind>();
        assert_round_trips::<PermitStatus>();
        assert_round_trips::<ComplaintCategory>();
        assert_round_trips::<ComplaintStatus>();
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
