//! The problem catalogue, the docs and the OpenAPI documents name the same kinds: every
//! kind the code can answer with is documented with its status and title, and nothing
//! documented is a kind the code does not have.

use std::collections::BTreeSet;
use std::path::Path;

use zegel_platform::problem::{Kind, Problem};

const PREFIX: &str = "urn:zegel:problem:";

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every slug written as `urn:zegel:problem:<slug>` in `text`.
fn named(text: &str) -> BTreeSet<String> {
    text.match_indices(PREFIX)
        .map(|(i, _)| {
            text[i + PREFIX.len()..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '-').collect::<String>()
        })
        .filter(|s| !s.is_empty())
        .collect()
}

fn openapi() -> Vec<(String, String)> {
    let mut docs: Vec<_> = std::fs::read_dir(root().join("openapi"))
        .map(|d| {
            // The documents, not the linter's ruleset (.spectral.yaml) beside them.
            d.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
                .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
                .collect()
        })
        .unwrap_or_default();
    docs.sort();
    docs.iter().map(|p| (p.display().to_string(), std::fs::read_to_string(p).unwrap_or_default())).collect()
}

#[test]
fn every_kind_has_a_distinct_slug_and_a_problem_of_its_own() {
    let slugs: BTreeSet<_> = Kind::ALL.iter().map(|k| k.slug()).collect();
    assert_eq!(slugs.len(), Kind::ALL.len(), "a slug is used twice");
    for kind in Kind::ALL {
        let p = Problem::of(*kind);
        assert_eq!(p.type_uri, format!("{PREFIX}{}", kind.slug()));
        assert_eq!((p.status, p.title.as_str()), (kind.status(), kind.title()));
        assert!((400..600).contains(&kind.status()), "{kind:?}");
    }
}

#[test]
fn the_design_documents_every_kind_with_its_status_and_title_and_nothing_else() {
    let design = read("docs/DESIGN.md");
    for kind in Kind::ALL {
        let row = format!("| `{}` | {} | {} |", kind.slug(), kind.status(), kind.title());
        assert!(design.contains(&row), "docs/DESIGN.md lacks the row {row}");
    }
    let errors = design.split("\n## Errors").nth(1).and_then(|s| s.split("\n## ").next()).unwrap_or_default();
    let documented: BTreeSet<String> = errors
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .filter(|s| s.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        .map(str::to_string)
        .collect();
    let known: BTreeSet<String> = Kind::ALL.iter().map(|k| k.slug().to_string()).collect();
    let stale: Vec<_> = documented.difference(&known).collect();
    assert!(stale.is_empty(), "docs/DESIGN.md documents kinds the code does not have: {stale:?}");
}

#[test]
fn the_openapi_documents_name_every_kind_and_no_other() {
    let known: BTreeSet<String> = Kind::ALL.iter().map(|k| k.slug().to_string()).collect();
    let mut named_anywhere = BTreeSet::new();
    let docs = openapi();
    assert!(docs.len() >= 7, "the OpenAPI documents are missing");
    for (path, text) in &docs {
        let here = named(text);
        let stale: Vec<_> = here.difference(&known).collect();
        assert!(stale.is_empty(), "{path} names kinds the code does not have: {stale:?}");
        for generic in [Kind::Validation, Kind::Unauthorized, Kind::NotFound, Kind::Internal, Kind::Unavailable] {
            assert!(here.contains(generic.slug()), "{path} lacks {}", generic.slug());
        }
        named_anywhere.extend(here);
    }
    let missing: Vec<_> = known.difference(&named_anywhere).collect();
    assert!(missing.is_empty(), "no OpenAPI document names {missing:?}");
}
