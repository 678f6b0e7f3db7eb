//! The languages the suite speaks to a worker, a resident and a hirer (advice 3.2 A: in
//! their own language): the pages, the poster at the door, the forms and the status links
//! of complaints and claims. One list, in the order of the language switch.

pub const LANGUAGES: [(&str, &str); 8] = [
    ("nl", "Nederlands"),
    ("en", "English"),
    ("pl", "Polski"),
    ("ro", "Română"),
    ("bg", "Български"),
    ("es", "Español"),
    ("lt", "Lietuvių"),
    ("hu", "Magyar"),
];

pub fn codes() -> impl Iterator<Item = &'static str> {
    LANGUAGES.iter().map(|(code, _)| *code)
}

/// Whether `code` is one of the supported languages (exactly as written: `nl`, not `NL`).
pub fn supported(code: &str) -> bool {
    codes().any(|c| c == code)
}

/// The language to answer in, among `among` (codes of [`LANGUAGES`], in any order): an
/// explicit choice (`?lang=`) first, then the browser's preferences in order of their
/// weight (`Accept-Language`, `q=0` meaning never), else Dutch.
pub fn negotiate(explicit: Option<&str>, accept_language: Option<&str>, among: &[&'static str]) -> &'static str {
    let known = |code: &str| among.iter().copied().find(|c| c.eq_ignore_ascii_case(code));
    if let Some(code) = explicit.and_then(known) {
        return code;
    }
    let mut prefs: Vec<(f32, &str)> = accept_language
        .unwrap_or_default()
        .split(',')
        .filter_map(|part| {
            let mut it = part.trim().split(';');
            let tag = it.next()?.trim();
            let q = it.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse().ok()).unwrap_or(1.0);
            Some((q, tag))
        })
        .collect();
    prefs.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    prefs
        .iter()
        .filter(|(q, _)| *q > 0.0)
        .find_map(|(_, tag)| known(tag.split('-').next().unwrap_or_default()))
        .unwrap_or("nl")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_choice_then_the_weightiest_preference_then_dutch() {
        let all: Vec<&str> = codes().collect();
        assert_eq!(negotiate(Some("PL"), Some("en"), &all), "pl");
        assert_eq!(negotiate(Some("xx"), Some("ro;q=0.5, bg-BG;q=0.9"), &all), "bg");
        assert_eq!(negotiate(None, Some("en;q=0, de"), &all), "nl", "q=0 is never");
        assert_eq!(negotiate(None, Some("pl, en;q=0.8"), &["nl", "en"]), "en", "among fewer languages");
        assert_eq!(negotiate(None, None, &all), "nl");
    }

    #[test]
    fn dutch_comes_first_and_every_code_is_two_lowercase_letters() {
        assert_eq!(codes().next(), Some("nl"), "authorities work in Dutch");
        for code in codes() {
            assert!(code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase()), "{code}");
        }
        assert!(supported("pl") && !supported("PL") && !supported("de"));
    }
}
