//! Translations: Fluent resource files under `locales/<lang>/`, through fluent-templates.
//! A language is chosen by `?lang=`, else by `Accept-Language`, else Dutch.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use unic_langid::LanguageIdentifier;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Bidi isolation marks would only get in the way of plain HTML text.
        // Isolation on: a name or an address in a right-to-left script cannot reorder the
        // sentence around it (the placeable is wrapped in FSI … PDI).
        customise: |bundle| bundle.set_use_isolating(true),
    };
}

/// Supported languages: code and name in that language, in the order of the switch.
pub use zegel_contracts::language::LANGUAGES;

thread_local! {
    /// The plural rules of each supported language, made once per thread (they are not
    /// `Sync`).
    static PLURALS: Vec<(&'static str, Option<icu_plurals::PluralRules>)> = LANGUAGES
        .iter()
        .map(|(code, _)| {
            let rules = code
                .parse::<icu_locale_core::Locale>()
                .ok()
                .and_then(|locale| icu_plurals::PluralRules::try_new(locale.into(), Default::default()).ok());
            (*code, rules)
        })
        .collect();
}

thread_local! {
    /// Each supported language's long date format ("1 grudnia 2026"), and its long date
    /// with hours and minutes, made once per thread.
    static DATES: Vec<(&'static str, Option<DateFormats>)> = LANGUAGES
        .iter()
        .map(|(code, _)| (*code, DateFormats::of(code)))
        .collect();
}

struct DateFormats {
    date: icu_datetime::DateTimeFormatter<icu_datetime::fieldsets::YMD>,
    date_time: icu_datetime::DateTimeFormatter<icu_datetime::fieldsets::YMDT>,
}

impl DateFormats {
    fn of(code: &str) -> Option<Self> {
        use icu_datetime::fieldsets::{YMD, YMDT};
        use icu_datetime::options::TimePrecision;
        // English as written in Europe (1 December 2026, 14:05), not in the United States.
        let locale = if code == "en" { "en-GB" } else { code }.parse::<icu_locale_core::Locale>().ok()?;
        Some(Self {
            date: icu_datetime::DateTimeFormatter::try_new(locale.clone().into(), YMD::long()).ok()?,
            date_time: icu_datetime::DateTimeFormatter::try_new(
                locale.into(),
                YMDT::long().with_time_precision(TimePrecision::Minute),
            )
            .ok()?,
        })
    }
}

/// `on` as language `code` writes a date in full; ISO 8601 where it has no format.
fn long_date(code: &str, on: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let date = icu_datetime::input::Date::try_new_iso(on.year(), on.month() as u8, on.day() as u8).ok();
    DATES
        .with(|all| {
            let formats = all.iter().find(|(c, _)| *c == code).and_then(|(_, f)| f.as_ref())?;
            Some(formats.date.format(&date?).to_string())
        })
        .unwrap_or_else(|| on.to_string())
}

/// The moment `at` on the clock in the Netherlands, as language `code` writes a date and
/// time, with the Dutch zone's abbreviation (CET or CEST).
fn long_date_time(code: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::{Datelike, Timelike};
    let local = at.with_timezone(&platform::clock::ZONE);
    let zone = local.format("%Z").to_string();
    let moment = icu_datetime::input::Date::try_new_iso(local.year(), local.month() as u8, local.day() as u8)
        .ok()
        .zip(icu_datetime::input::Time::try_new(local.hour() as u8, local.minute() as u8, 0, 0).ok())
        .map(|(date, time)| icu_datetime::input::DateTime { date, time });
    DATES
        .with(|all| {
            let formats = all.iter().find(|(c, _)| *c == code).and_then(|(_, f)| f.as_ref())?;
            Some(format!("{} {zone}", formats.date_time.format(&moment?)))
        })
        .unwrap_or_else(|| local.format("%Y-%m-%d %H:%M %Z").to_string())
}

/// The CLDR plural category of `n` in language `code`; `other` where none is known.
fn plural_category(code: &str, n: i64) -> &'static str {
    use icu_plurals::PluralCategory::*;
    let category = PLURALS
        .with(|all| all.iter().find(|(c, _)| *c == code).and_then(|(_, r)| r.as_ref()).map(|r| r.category_for(n)));
    match category {
        Some(Zero) => "zero",
        Some(One) => "one",
        Some(Two) => "two",
        Some(Few) => "few",
        Some(Many) => "many",
        Some(Other) | None => "other",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lang {
    pub code: &'static str,
    id: LanguageIdentifier,
}

impl Lang {
    fn from_code(code: &str) -> Option<Self> {
        let code = LANGUAGES.iter().map(|(c, _)| *c).find(|c| c.eq_ignore_ascii_case(code))?;
        Some(Self { code, id: code.parse().ok()? })
    }

    /// Picks the language: an explicit choice first, then the browser's preferences.
    pub fn negotiate(explicit: Option<&str>, accept_language: Option<&str>) -> Self {
        Self::negotiate_in(explicit, accept_language, &[])
    }

    /// Like [`Lang::negotiate`], among `only` (all supported languages when empty): a page
    /// offered in fewer languages takes the browser's best choice among those.
    pub fn negotiate_in(explicit: Option<&str>, accept_language: Option<&str>, only: &[&str]) -> Self {
        let among: Vec<&'static str> =
            zegel_contracts::language::codes().filter(|c| only.is_empty() || only.contains(c)).collect();
        let code = zegel_contracts::language::negotiate(explicit, accept_language, &among);
        Self::from_code(code).unwrap_or_else(|| unreachable!("{code} is supported"))
    }

    /// The text for `key`.
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(&self.id, key)
    }

    /// The text for `key` with arguments.
    pub fn t_args(&self, key: &str, args: &[(&'static str, String)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> =
            args.iter().map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.clone()))).collect();
        LOCALES.lookup_with_args(&self.id, key, &args)
    }

    /// The text for `key` about a count of `n`, passed as the number `name`, with `$plural`
    /// its CLDR plural category in this language (`one`, `few`, `many`, `other`, …): the
    /// message picks its variant by it (Polish 2 osoby, 5 osób, 22 osoby; Lithuanian 12
    /// žmonių, 22 žmonės). The category comes from ICU4X, not from Fluent's own rules, which
    /// count Lithuanian 22 and 25 wrong.
    pub fn t_count(&self, key: &str, name: &'static str, n: i64) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = HashMap::from([
            (Cow::Borrowed(name), FluentValue::from(n)),
            (Cow::Borrowed("plural"), FluentValue::from(plural_category(self.code, n))),
        ]);
        LOCALES.lookup_with_args(&self.id, key, &args)
    }

    /// A date as this language writes it in full ("1 december 2026", "2026. december 1.").
    pub fn date(&self, on: chrono::NaiveDate) -> String {
        long_date(self.code, on)
    }

    /// A moment as the clock in the Netherlands showed it, written as this language writes
    /// a date and time, with the zone (CET or CEST): the Dutch time zone whoever reads it.
    pub fn date_time(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        long_date_time(self.code, at)
    }

    /// A date or timestamp as a register gave it (ISO 8601 / RFC 3339), as a day in the
    /// Netherlands written in this language; text that is neither is shown as it came.
    pub fn day_of(&self, raw: &str) -> String {
        if let Ok(at) = chrono::DateTime::parse_from_rfc3339(raw) {
            return self.date(platform::clock::dutch_date(at.with_timezone(&chrono::Utc)));
        }
        raw.parse::<chrono::NaiveDate>().map(|on| self.date(on)).unwrap_or_else(|_| raw.to_string())
    }

    /// A timestamp as a register gave it (RFC 3339), as the moment on the Dutch clock in
    /// this language; a plain date as [`Lang::day_of`] writes it.
    pub fn moment_of(&self, raw: &str) -> String {
        match chrono::DateTime::parse_from_rfc3339(raw) {
            Ok(at) => self.date_time(at.with_timezone(&chrono::Utc)),
            Err(_) => self.day_of(raw),
        }
    }

    /// Whether `key` resolves in this language (with every variable our messages use set,
    /// since Fluent refuses a message whose variables are missing).
    pub fn has(&self, key: &str) -> bool {
        let args: HashMap<Cow<'static, str>, FluentValue> =
            ["agency", "kvk", "norm", "status", "address", "place", "capacity", "plural", "date"]
                .into_iter()
                .map(|k| (Cow::Borrowed(k), FluentValue::from("x")))
                .collect();
        LOCALES.try_lookup_with_args(&self.id, key, &args).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_each_language_writes_them_on_the_dutch_clock() {
        let on: chrono::NaiveDate = "2026-12-01".parse().expect("date");
        // 23:30 UTC on New Year's Eve is already New Year in the Netherlands (CET, +1);
        // 22:30 UTC on 1 July is already 2 July there (CEST, +2).
        let winter: chrono::DateTime<chrono::Utc> = "2026-12-31T23:30:00Z".parse().expect("moment");
        let summer: chrono::DateTime<chrono::Utc> = "2026-07-01T22:30:00Z".parse().expect("moment");
        let seen: Vec<(String, String, String)> = LANGUAGES
            .iter()
            .map(|(code, _)| {
                let lang = Lang::negotiate(Some(code), None);
                (lang.date(on), lang.date_time(winter), lang.date_time(summer))
            })
            .collect();
        let expected = [
            ("1 december 2026", "1 januari 2027 om 00:30 CET", "2 juli 2026 om 00:30 CEST"),
            ("1 December 2026", "1 January 2027 at 00:30 CET", "2 July 2026 at 00:30 CEST"),
            ("1 grudnia 2026", "1 stycznia 2027 00:30 CET", "2 lipca 2026 00:30 CEST"),
            ("1 decembrie 2026", "1 ianuarie 2027 la 00:30 CET", "2 iulie 2026 la 00:30 CEST"),
            (
                "1 декември 2026\u{202f}г.",
                "1 януари 2027\u{202f}г. в 00:30 ч. CET",
                "2 юли 2026\u{202f}г. в 00:30 ч. CEST",
            ),
            ("1 de diciembre de 2026", "1 de enero de 2027 a las 00:30 CET", "2 de julio de 2026 a las 00:30 CEST"),
            ("2026 m. gruodžio 1 d.", "2027 m. sausio 1 d. 00:30 CET", "2026 m. liepos 2 d. 00:30 CEST"),
            ("2026. december 1.", "2027. január 1. 0:30 CET", "2026. július 2. 0:30 CEST"),
        ];
        for (got, (code, want)) in seen.iter().zip(LANGUAGES.iter().map(|(c, _)| c).zip(expected)) {
            assert_eq!((got.0.as_str(), got.1.as_str(), got.2.as_str()), want, "{code}");
        }
        // A register's raw date or timestamp reads the same way; anything else as it came.
        let nl = Lang::negotiate(Some("nl"), None);
        assert_eq!(nl.day_of("2026-12-31T23:30:00Z"), "1 januari 2027");
        assert_eq!(nl.moment_of("2026-12-01"), "1 december 2026");
        assert_eq!(nl.day_of("soon"), "soon");
    }

    #[test]
    fn the_language_is_negotiated_from_choice_then_browser_then_dutch() {
        assert_eq!(Lang::negotiate(Some("en"), Some("nl")).code, "en");
        assert_eq!(Lang::negotiate(None, Some("pl-PL,en;q=0.8,nl;q=0.5")).code, "pl");
        assert_eq!(Lang::negotiate(None, Some("de-DE,bg;q=0.7,en;q=0.5")).code, "bg", "an unsupported first choice");
        assert_eq!(Lang::negotiate(Some("hu"), Some("ro")).code, "hu");
        assert_eq!(
            Lang::negotiate_in(None, Some("pl-PL,en;q=0.5"), &["nl", "en"]).code,
            "en",
            "best among those offered"
        );
        assert_eq!(Lang::negotiate_in(Some("pl"), None, &["nl", "en"]).code, "nl");
        assert_eq!(Lang::negotiate(None, Some("en;q=0.2, nl-BE;q=0.9")).code, "nl");
        assert_eq!(Lang::negotiate(Some("xx"), None).code, "nl");
        assert_eq!(Lang::negotiate(None, Some("en;q=0")).code, "nl");
    }

    #[test]
    fn every_hirer_check_key_exists_in_every_language() {
        let read = |code: &str| {
            std::fs::read_to_string(format!("{}/locales/{code}/check.ftl", env!("CARGO_MANIFEST_DIR")))
                .unwrap_or_default()
        };
        let keys: Vec<String> =
            read("en").lines().filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_string())).collect();
        assert!(keys.len() > 30);
        for (code, _) in LANGUAGES {
            let text = read(code);
            for key in &keys {
                assert!(text.lines().any(|l| l.starts_with(&format!("{key} ="))), "{code} misses {key}");
            }
        }
    }

    #[test]
    fn every_standing_reason_and_building_reason_is_said_in_every_language() {
        let keys = zegel_contracts::agency::Reason::ALL
            .iter()
            .map(|r| format!("standing-{r}"))
            .chain(zegel_contracts::NotValidBecause::ALL.iter().map(|r| format!("reason-{r}")));
        for key in keys {
            for (code, _) in LANGUAGES {
                let lang = Lang::from_code(code).unwrap_or_else(|| unreachable!());
                assert!(lang.has(&key), "{code} cannot say {key}");
            }
        }
    }

    #[test]
    fn every_status_a_hirer_check_part_can_show_is_said_in_every_language() {
        use zegel_contracts::{CertificateStatus, DepositStanding, GAccountStatus};
        let words: Vec<&str> = CertificateStatus::ALL
            .iter()
            .map(|s| s.as_str())
            .chain(DepositStanding::ALL.iter().map(|s| s.as_str()))
            .chain(GAccountStatus::ALL.iter().map(|s| s.as_str()))
            .chain(["none", "clear", "not_clear", "unknown", "undeclared", "all_certified", "not_all_certified"])
            .collect();
        for (code, _) in LANGUAGES {
            let lang = Lang::from_code(code).unwrap_or_else(|| unreachable!());
            for word in &words {
                assert!(lang.has(&format!("check-status-{word}")), "{code} cannot say {word}");
            }
        }
    }

    #[test]
    fn counts_of_people_follow_each_language_s_plural_rules() {
        let expected: [(&str, [&str; 6]); 8] = [
            ("en", ["1 person", "2 people", "5 people", "12 people", "22 people", "25 people"]),
            ("nl", ["1 persoon", "2 personen", "5 personen", "12 personen", "22 personen", "25 personen"]),
            ("pl", ["1 osoba", "2 osoby", "5 osób", "12 osób", "22 osoby", "25 osób"]),
            ("ro", ["1 persoană", "2 persoane", "5 persoane", "12 persoane", "22 de persoane", "25 de persoane"]),
            ("bg", ["1 човек", "2 души", "5 души", "12 души", "22 души", "25 души"]),
            ("es", ["1 persona", "2 personas", "5 personas", "12 personas", "22 personas", "25 personas"]),
            ("lt", ["1 žmogus", "2 žmonės", "5 žmonės", "12 žmonių", "22 žmonės", "25 žmonės"]),
            ("hu", ["1 fő", "2 fő", "5 fő", "12 fő", "22 fő", "25 fő"]),
        ];
        for (code, forms) in expected {
            let lang = Lang::from_code(code).unwrap_or_else(|| unreachable!());
            for (n, form) in [1, 2, 5, 12, 22, 25].into_iter().zip(forms) {
                // Without the isolation marks around the number.
                let text: String = lang
                    .t_count("capacity-value", "capacity", n)
                    .chars()
                    .filter(|c| !matches!(c, '\u{2068}' | '\u{2069}'))
                    .collect();
                assert!(text.ends_with(form), "{code} {n}: {text:?} should end with {form:?}");
            }
        }
    }

    #[test]
    fn every_key_exists_in_every_language() {
        let keys: Vec<String> = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/en/main.ftl"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_string()))
            .collect();
        assert!(keys.len() > 70);
        assert_eq!(LANGUAGES.len(), 8);
        for (code, _) in LANGUAGES {
            let lang = Lang::from_code(code).unwrap_or_else(|| unreachable!());
            let text = std::fs::read_to_string(format!("{}/locales/{code}/main.ftl", env!("CARGO_MANIFEST_DIR")))
                .unwrap_or_default();
            for key in &keys {
                assert!(text.lines().any(|l| l.starts_with(&format!("{key} ="))), "{code} misses {key}");
                assert!(lang.has(key), "{code} cannot resolve {key}");
            }
        }
    }
}
