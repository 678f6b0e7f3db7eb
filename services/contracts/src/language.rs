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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_comes_first_and_every_code_is_two_lowercase_letters() {
        assert_eq!(codes().next(), Some("nl"), "authorities work in Dutch");
        for code in codes() {
            assert!(code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase()), "{code}");
        }
        assert!(supported("pl") && !supported("PL") && !supported("de"));
    }
}
