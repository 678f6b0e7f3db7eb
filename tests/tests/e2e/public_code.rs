//! What a public body's catalogue reads of the code: the licence, its description in
//! `publiccode.yml` and how to report a weakness — and that they say what the build says.

use std::path::Path;

fn read(file: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(file))
        .unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn the_licence_the_description_and_the_build_agree() {
    assert!(read("LICENSE").starts_with("EUROPEAN UNION PUBLIC LICENCE v. 1.2"), "the EUPL-1.2 text");
    // `key = "value"` of the workspace's [workspace.package] table.
    let cargo = read("Cargo.toml");
    let table = cargo.split("[workspace.package]").nth(1).and_then(|t| t.split("\n[").next()).expect("the table");
    let field = |key: &str| {
        table.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
        })
    };
    let publiccode: serde_json::Value = serde_yaml_ng::from_str(&read("publiccode.yml")).expect("publiccode.yml");
    assert_eq!(publiccode["publiccodeYmlVersion"], "0.4");
    assert_eq!(publiccode["legal"]["license"].as_str(), field("license").as_deref());
    assert_eq!(publiccode["softwareVersion"].as_str(), field("version").as_deref(), "the release's version");
    assert!(publiccode["description"]["en"]["shortDescription"].as_str().is_some_and(|d| d.len() <= 150));
    let security = read("SECURITY.md");
    assert!(security.contains("## Reporting a vulnerability") && security.contains("security@"), "how to report");
}
