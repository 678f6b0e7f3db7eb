//! The lookup reads the live status of concurrent scans in shared statements (`reads`).
//! Sharing must change nothing a scan is told: each scan gets its own seal's answer, and
//! no scan that began after a revoke returned says `valid`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::future::join_all;
use zegel_e2e::{Options, Suite};

/// One reader per register: concurrent scans must share statements.
fn one_reader() -> Options {
    Options { status_readers: Some(1), threads: Some(2), rate_per_minute: Some(1_000_000), ..Options::default() }
}

#[tokio::test]
async fn concurrent_scans_of_different_seals_each_get_their_own_answer() {
    let suite = Suite::start_with(one_reader()).await;
    let (body_a, _) = suite.certified("31000001").await;
    let (body_b, id_b) = suite.certified("31000002").await;
    let a = suite.seal("31000001", &body_a).await["seal"].as_str().unwrap().to_string();
    let b = suite.seal("31000002", &body_b).await["seal"].as_str().unwrap().to_string();
    let building = suite.certified_building("31000003", "0983010000031003").await;
    suite.revoke(&id_b, &body_b, "fine", "other").await;

    let asked: Vec<(&str, &str, &str)> = (0..120)
        .map(|i| match i % 3 {
            0 => (a.as_str(), "valid", "31000001"),
            1 => (b.as_str(), "revoked", "31000002"),
            _ => (building.as_str(), "valid", "0983010000031003"),
        })
        .collect();
    let answers = join_all(asked.iter().map(|(seal, _, _)| suite.verify(seal))).await;
    for ((_, verdict, subject), answer) in asked.iter().zip(&answers) {
        assert_eq!(answer["verdict"], *verdict, "{answer}");
        assert_eq!(answer["subject"], *subject, "{answer}");
    }
    assert_eq!(answers[0]["facts"]["agency_name"], "E2E Flex");
    assert_eq!(answers[1]["facts"]["certificate_status"], "revoked");
}

#[tokio::test]
async fn no_scan_that_began_after_a_revoke_returned_says_valid() {
    let suite = Suite::start_with(one_reader()).await;
    let (body, id) = suite.certified("32000001").await;
    let seal = suite.seal("32000001", &body).await["seal"].as_str().unwrap().to_string();
    let done = AtomicBool::new(false);

    let scanner = || async {
        let mut seen = Vec::new();
        while !done.load(Ordering::Relaxed) {
            let began = Instant::now();
            let verdict = suite.verify(&seal).await["verdict"].as_str().unwrap_or_default().to_string();
            seen.push((began, verdict));
        }
        seen
    };
    let revoke = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        suite.revoke(&id, &body, "fine", "other").await;
        let returned = Instant::now();
        tokio::time::sleep(Duration::from_millis(300)).await;
        done.store(true, Ordering::Relaxed);
        returned
    };
    let (returned, seen) = tokio::join!(revoke, join_all((0..16).map(|_| scanner())));
    let seen: Vec<(Instant, String)> = seen.into_iter().flatten().collect();

    let wrong: Vec<_> = seen.iter().filter(|(began, v)| *began > returned && v == "valid").collect();
    assert!(wrong.is_empty(), "{} scans began after the revoke returned and said valid", wrong.len());
    // The hammer really hit both sides of the revoke.
    assert!(seen.iter().any(|(began, v)| *began < returned && v == "valid"), "no valid scan before the revoke");
    let after = seen.iter().filter(|(began, _)| *began > returned).count();
    assert!(after > 16, "only {after} scans after the revoke");
    assert!(seen.iter().all(|(_, v)| v == "valid" || v == "revoked"), "{seen:?}");
}

/// A new connection of the lookup has its scans' and checks' statements planned before it
/// serves (`store::warm`): the first hirer checks on sixteen fresh connections each paid
/// for planning the standing's statement, which was the check's tail (docs/PERFORMANCE.md).
#[tokio::test]
async fn a_new_lookup_connection_has_the_hot_statements_planned_before_it_serves() {
    let suite = Suite::start_with(one_reader()).await;
    let client = suite.lookup.state.core.pool.get().await.unwrap();
    let planned: Vec<String> = client
        .query("select statement from pg_prepared_statements where generic_plans > 0", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    // Each register's batch of seal statuses, the agency's standing, a building's status.
    for table in [
        "certificates.seal_status",
        "deposits.seal_status",
        "gaccounts.seal_status",
        "housing.seal_status",
        "lookup.seal_status",
        "certificates.agency_status",
        "housing.building_status",
    ] {
        assert!(planned.iter().any(|s| s.contains(table)), "{table} not planned: {planned:#?}");
    }
}
