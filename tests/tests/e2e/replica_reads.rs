//! The lookup reads statuses and standings from a streaming replica (`lookup::replica`),
//! and the promise holds whatever the replica does: no revoke, suspension or ban that a
//! register acknowledged is ever read back `valid` — with the replica current, seconds
//! behind, stopped, or started again.

use std::time::{Duration, Instant};

use futures::future::join_all;
use zegel_e2e::{Options, Suite};
use zegel_testkit::Streaming;

/// Scans of `seals` by 8 scanners until `done` is set: (when each began, which seal, verdict).
async fn hammer(
    suite: &Suite,
    seals: &[String],
    done: &std::sync::atomic::AtomicBool,
) -> Vec<(Instant, usize, String)> {
    let scanner = |first: usize| async move {
        let mut seen = Vec::new();
        let mut i = first;
        while !done.load(std::sync::atomic::Ordering::Relaxed) {
            let began = Instant::now();
            let verdict =
                suite.verify(&seals[i % seals.len()]).await["verdict"].as_str().unwrap_or_default().to_string();
            seen.push((began, i % seals.len(), verdict));
            i += 1;
        }
        seen
    };
    join_all((0..8).map(scanner)).await.into_iter().flatten().collect()
}

/// Scans `seal` until a read was answered by the replica (it catches up in milliseconds
/// when nothing delays it), each scan answered `verdict`.
async fn until_the_replica_answers(suite: &Suite, seal: &str, verdict: &str) {
    let before = suite.lookup.state.fresh.tally().replica;
    let deadline = Instant::now() + Duration::from_secs(30);
    while suite.lookup.state.fresh.tally().replica == before {
        assert!(Instant::now() < deadline, "no read went to the replica: {:?}", suite.lookup.state.fresh.tally());
        assert_eq!(suite.verify(seal).await["verdict"], verdict);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn no_change_a_register_acknowledged_is_read_back_valid_from_a_replica() {
    let pair = Streaming::start();
    let options = Options {
        database_server: Some(pair.primary_admin_url()),
        replica: Some((pair.standby_admin_url(), Duration::from_millis(50))),
        rate_per_minute: Some(1_000_000),
        threads: Some(2),
        ..Options::default()
    };
    let suite = Suite::start_with(options).await;
    let (body_a, id_a) = suite.certified("33000001").await;
    let (body_b, _) = suite.certified("33000002").await;
    let a = suite.seal("33000001", &body_a).await["seal"].as_str().expect("seal").to_string();
    let b = suite.seal("33000002", &body_b).await["seal"].as_str().expect("seal").to_string();
    let bag = "0983010000033003";
    let building = suite.certified_building("33000003", bag).await;
    let seals = [a, b, building];

    // A current replica answers the scans.
    for seal in &seals {
        until_the_replica_answers(&suite, seal, "valid").await;
    }

    // Three seconds behind: the scans that began after each change returned see it.
    pair.delay_replay(Duration::from_secs(3));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let lagging = suite.lookup.state.fresh.tally().lagging;
    let done = std::sync::atomic::AtomicBool::new(false);
    let changes = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        suite.revoke(&id_a, &body_a, "fine", "other").await;
        let revoked = Instant::now();
        // The replica still has the certificate as it was: a read there would say valid.
        let standby = replica_value(
            &pair,
            &suite,
            "select status::text from certificates.certificate where kvk_number = '33000001'",
        )
        .await;
        assert_ne!(standby, "revoked", "the replica was meant to lag");
        suite.ban_the_owner("33000002").await;
        let banned = Instant::now();
        suite.suspend_building(bag).await;
        let suspended = Instant::now();
        tokio::time::sleep(Duration::from_millis(300)).await;
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        [revoked, banned, suspended]
    };
    let (returned, seen) = tokio::join!(changes, hammer(&suite, &seals, &done));
    let wrong: Vec<_> = seen.iter().filter(|(began, i, v)| *began > returned[*i] && v == "valid").collect();
    let first: Vec<_> = wrong.iter().take(3).collect();
    assert!(wrong.is_empty(), "{} scans began after a change returned and said valid: {first:?}", wrong.len());
    for (i, change) in returned.iter().enumerate() {
        let after = seen.iter().filter(|(began, j, _)| *j == i && began > change).count();
        assert!(after > 4, "only {after} scans of seal {i} after its change");
    }
    assert!(seen.iter().any(|(began, i, v)| *began < returned[*i] && v == "valid"), "no valid scan before a change");
    assert!(suite.lookup.state.fresh.tally().lagging > lagging, "the lagging replica was passed over");
    let after = ["revoked", "suspended", "suspended"];
    verdicts(&suite, &seals, after).await;

    // Gone: the scans are answered by the primary, the same.
    pair.stop_standby();
    let unreachable = suite.lookup.state.fresh.tally().unreachable;
    verdicts(&suite, &seals, after).await;
    assert!(suite.lookup.state.fresh.tally().unreachable > unreachable, "{:?}", suite.lookup.state.fresh.tally());

    // Back, with nothing delaying it: it replays what it missed and answers again.
    pair.delay_replay(Duration::ZERO);
    pair.start_standby();
    until_the_replica_answers(&suite, &seals[0], "revoked").await;
    verdicts(&suite, &seals, after).await;
}

/// Each of `seals` is answered its verdict in `expected`.
async fn verdicts(suite: &Suite, seals: &[String; 3], expected: [&str; 3]) {
    for (seal, verdict) in seals.iter().zip(expected) {
        assert_eq!(suite.verify(seal).await["verdict"], verdict, "{seal}");
    }
}

/// The one value `sql` selects from the suite's database on the standby.
async fn replica_value(pair: &Streaming, suite: &Suite, sql: &str) -> String {
    let base = pair.standby_admin_url();
    let url = format!("{}/{}", base.rsplit_once('/').map_or(base.as_str(), |(b, _)| b), suite.db.name);
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.expect("the standby");
    tokio::spawn(conn);
    client.query_one(sql, &[]).await.expect(sql).get(0)
}

/// A replica must be one of the primary's own cluster: the positions of another cluster's
/// WAL would fence nothing, so a lookup named one refuses to start.
#[tokio::test]
async fn a_lookup_refuses_a_replica_of_another_cluster() {
    let pair = Streaming::start();
    let suite =
        Suite::start_with(Options { database_server: Some(pair.primary_admin_url()), ..Options::default() }).await;
    let mut settings = suite.lookup_settings();
    // The shared test server: a cluster of its own, not a standby of the suite's.
    settings.own.replica_url = zegel_testkit::admin_url().into();
    let refused = zegel_lookup::Application::build(settings).await.err().expect("refused");
    assert!(format!("{refused:#}").contains("not a replica of ZEGEL_DATABASE_URL's cluster"), "{refused:#}");
}
