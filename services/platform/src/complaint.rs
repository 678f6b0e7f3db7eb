//! An anonymous complaint as a resident or a worker sends it (a building's page, the work
//! complaint form, or JSON), read by one rule in every register that takes complaints.

use serde::Deserialize;

use crate::http::{bounded_text, word};
use crate::problem::FieldError;
use crate::vocab::Vocabulary;

/// The longest complaint text: room for an account in a few paragraphs, not for files.
pub const MAX_TEXT: usize = 2000;

/// A complaint as it arrives, form-encoded or JSON.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintIn {
    pub category: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub lang: Option<String>,
}

#[derive(Debug)]
pub struct Complaint<C> {
    pub category: C,
    /// Empty when none was written: the category alone is a complaint.
    pub text: String,
}

impl ComplaintIn {
    /// The language of the page it came from, when it is one the suite speaks: the status
    /// page and any answer come back in it.
    pub fn lang(&self) -> Option<&str> {
        self.lang.as_deref().filter(|l| zegel_contracts::language::supported(l))
    }

    /// The category one of `C`'s words, and the text (if any) through the suite's one
    /// free-text rule: no control or invisible formatting characters, since a direction
    /// override could make it read otherwise to the inspector than it was written.
    pub fn checked<C: Vocabulary>(&self) -> Result<Complaint<C>, Vec<FieldError>> {
        let category = word::<C>(&self.category, "/category");
        let text = match self.text.trim() {
            "" => Ok(String::new()),
            _ => bounded_text(&self.text, "/text", MAX_TEXT, true),
        };
        match (category, text) {
            (Ok(category), Ok(text)) => Ok(Complaint { category, text }),
            (category, text) => Err(category.err().into_iter().chain(text.err()).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zegel_contracts::ComplaintCategory as Topic;

    fn input(category: &str, text: &str, lang: Option<&str>) -> ComplaintIn {
        ComplaintIn { category: category.into(), text: text.into(), lang: lang.map(Into::into) }
    }

    #[test]
    fn a_category_alone_is_a_complaint() {
        let c = input("hygiene", "  ", None).checked::<Topic>().unwrap();
        assert_eq!((c.category, c.text.as_str()), (Topic::Hygiene, ""));
    }

    #[test]
    fn every_fault_is_named_at_once() {
        let errors = input("rats", "a\u{202E}b", None).checked::<Topic>().unwrap_err();
        let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/category", "/text"]);
    }

    #[test]
    fn only_a_language_of_the_suite_is_kept() {
        assert_eq!(input("other", "", Some("pl")).lang(), Some("pl"));
        assert_eq!(input("other", "", Some("xx")).lang(), None);
    }
}
