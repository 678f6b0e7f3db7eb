//! The house's floors, read off Cargo's graph: `zegel-contracts` at the bottom depends on
//! no other Zegel crate, `platform` on nothing above it, and `zegel-attest` — what an
//! offline verifier links — on neither a web server nor a database client.

use std::collections::BTreeSet;
use std::process::Command;

/// Every package `package` depends on (normal dependencies, all the way down).
fn beneath(package: &str) -> BTreeSet<String> {
    let out = Command::new(env!("CARGO"))
        .args(["tree", "--offline", "--locked", "-e", "normal", "--prefix", "none", "-p", package])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn attest_links_no_web_server_and_no_database_client() {
    let under = beneath("zegel-attest");
    for forbidden in ["warp", "hyper", "tokio", "tokio-postgres", "deadpool-postgres", "redis", "zegel-platform"] {
        assert!(!under.contains(forbidden), "zegel-attest depends on {forbidden}");
    }
    assert!(under.contains("zegel-contracts") && under.contains("jsonwebtoken"), "{under:?}");
}

#[test]
fn contracts_is_the_bottom_floor_and_platform_knows_no_register() {
    let zegel = |p: &str| beneath(p).into_iter().filter(|d| d.starts_with("zegel")).collect::<Vec<_>>();
    assert_eq!(zegel("zegel-contracts"), Vec::<String>::new());
    assert_eq!(zegel("zegel-platform"), vec!["zegel-contracts".to_string()]);
}

#[test]
fn no_crate_has_an_import_circle() {
    // Each crate's modules import one another as a tree: .ci/module-circles.py reads every
    // `crate::`, `super::` and `self::` path outside the test modules.
    let out = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../.ci/module-circles.py"))
        .output()
        .expect("python3");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("0 import circles in"), "{said}");
}

#[test]
fn no_event_type_is_spelled_as_a_string_outside_the_contracts() {
    // Every event type is an `EventType` of zegel-contracts; a register's code names it
    // by that type (or `.as_str()` where an audit action shares its word), never as text
    // the compiler cannot check. Tests may write the text: it is what travels.
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../services"));
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir").flatten() {
            let path = entry.path();
            let name = path.to_string_lossy().to_string();
            if path.is_dir() {
                if !name.ends_with("/tests") && !name.ends_with("/contracts") && !name.ends_with("/target") {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") && name.contains("/src/") {
                let text = std::fs::read_to_string(&path).expect("source");
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                for kind in zegel_contracts::EventType::ALL {
                    if code.contains(&format!("\"{}\"", kind.as_str())) {
                        found.push(format!("{name}: \"{kind}\""));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "event types spelled as strings:\n{}", found.join("\n"));
}
