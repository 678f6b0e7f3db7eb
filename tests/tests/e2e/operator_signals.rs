//! What an operator watches besides requests: verdicts by kind, and the consumer groups'
//! backlog as Redis reports it.

use platform::bus::Bus;
use zegel_e2e::Suite;
use zegel_testkit::{TestPrefix, redis_url};

/// The value of the one series in `text` whose line starts with `series` (0 when absent).
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn every_seal_check_is_counted_by_its_verdict() {
    let suite = Suite::start().await;
    let (body, id) = suite.certified("11223344").await;
    let seal = suite.seal("11223344", &body).await["seal"].as_str().expect("seal").to_string();
    assert_eq!(suite.verify(&seal).await["verdict"], "valid");
    assert_eq!(suite.verify(&seal).await["verdict"], "valid");
    suite.revoke(&id, &body, "fraud", "criminal_sanction").await;
    assert_eq!(suite.verify(&seal).await["verdict"], "revoked");
    assert_eq!(suite.verify("not-a-seal").await["verdict"], "tampered");

    let text = suite.lookup.state.core.metrics.render();
    assert_eq!(value(&text, r#"zegel_verdicts_total{verdict="valid""#), 2.0, "{text}");
    assert_eq!(value(&text, r#"zegel_verdicts_total{verdict="revoked""#), 1.0, "{text}");
    assert_eq!(value(&text, r#"zegel_verdicts_total{verdict="tampered""#), 1.0, "{text}");
}

#[tokio::test]
async fn a_consumer_groups_pending_and_undelivered_entries_are_read_from_redis() {
    let prefix = TestPrefix::new();
    let bus = Bus::connect(platform::bus::Target::url(&redis_url()), &prefix.0).expect("bus");
    assert_eq!(bus.groups().await.expect("no stream yet"), vec![]);
    let mut conn = bus.conn();
    let stream = bus.events_stream();
    let _: () = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg(&stream)
        .arg("watchers")
        .arg("$")
        .arg("MKSTREAM")
        .query_async(&mut conn)
        .await
        .expect("group");
    for n in 0..3 {
        let _: String =
            redis::cmd("XADD").arg(&stream).arg("*").arg("n").arg(n).query_async(&mut conn).await.expect("add");
    }
    let _: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg("watchers")
        .arg("one")
        .arg("COUNT")
        .arg(2)
        .arg("STREAMS")
        .arg(&stream)
        .arg(">")
        .query_async(&mut conn)
        .await
        .expect("read");
    assert_eq!(bus.groups().await.expect("groups"), vec![("watchers".to_string(), 2, 1)], "2 read unacked, 1 waiting");
}
