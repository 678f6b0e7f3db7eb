//! The workbench's languages: Dutch (the authorities work in it) and English, as Fluent
//! resources under `locales/<lang>/`. Chosen by `?lang=`, else by `Accept-Language`, else
//! Dutch.

use fluent_templates::{Loader, static_loader};
use unic_langid::LanguageIdentifier;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "nl",
        customise: |bundle| bundle.set_use_isolating(true),
    };
}

/// The languages of the workbench, in the order of the switch.
pub const LANGUAGES: [(&str, &str); 2] = [("nl", "Nederlands"), ("en", "English")];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lang {
    pub code: &'static str,
    id: LanguageIdentifier,
}

impl Lang {
    fn of(code: &str) -> Option<Self> {
        let code = LANGUAGES.iter().map(|(c, _)| *c).find(|c| c.eq_ignore_ascii_case(code))?;
        Some(Self { code, id: code.parse().ok()? })
    }

    /// An explicit choice first, then the browser's preferences, else Dutch
    /// ([`zegel_contracts::language::negotiate`], as every page of the suite).
    pub fn negotiate(explicit: Option<&str>, accept_language: Option<&str>) -> Self {
        let among = LANGUAGES.map(|(code, _)| code);
        let code = zegel_contracts::language::negotiate(explicit, accept_language, &among);
        Self::of(code).unwrap_or_else(|| Self { code: "nl", id: unic_langid::langid!("nl") })
    }

    /// The text of `key`; the key itself where a translation is missing (a test catches it).
    pub fn t(&self, key: &str) -> String {
        LOCALES.try_lookup(&self.id, key).unwrap_or_else(|| key.to_string())
    }

    /// Yes or no in this language.
    pub fn yes_no(&self, yes: bool) -> String {
        self.t(if yes { "yes" } else { "no" })
    }
}

/// Cents as euros with a decimal comma: the authorities' Dutch notation, in both languages.
pub fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("€ {sign}{},{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// The keys among `keys` that some language of the workbench has no text for, as
/// `lang: key` (for the tests that every word a desk shows is translated).
pub fn untranslated(keys: &[String]) -> Vec<String> {
    LANGUAGES
        .iter()
        .flat_map(|(code, _)| {
            let lang = Lang::negotiate(Some(code), None);
            keys.iter().filter(move |k| lang.t(k) == **k).map(move |k| format!("{code}: {k}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euros_are_written_with_a_decimal_comma() {
        assert_eq!(euros(120_050), "€ 1200,50");
        assert_eq!(euros(5), "€ 0,05");
        assert_eq!(euros(-250), "€ -2,50");
    }

    #[test]
    fn dutch_unless_asked_otherwise() {
        assert_eq!(Lang::negotiate(None, None).code, "nl");
        assert_eq!(Lang::negotiate(None, Some("en-GB,en;q=0.9")).code, "en");
        assert_eq!(Lang::negotiate(Some("nl"), Some("en")).code, "nl");
        assert_eq!(Lang::negotiate(Some("pl"), Some("de, fr")).code, "nl");
    }

    #[test]
    fn every_key_is_translated_in_both_languages() {
        let keys = |code: &str| {
            let text = std::fs::read_to_string(format!("{}/locales/{code}/workbench.ftl", env!("CARGO_MANIFEST_DIR")))
                .unwrap_or_default();
            let mut keys: Vec<String> = text
                .lines()
                .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_string()))
                .filter(|k| !k.starts_with('#') && !k.is_empty())
                .collect();
            keys.sort();
            keys
        };
        assert!(!keys("nl").is_empty());
        assert_eq!(keys("nl"), keys("en"));
    }
}
