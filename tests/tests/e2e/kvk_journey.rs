//! KvK's side of a revocation: a consumer group on the event stream receives the
//! `certificate.revoked` addressed to KvK, as a real subscriber (the notifier) will.

use std::time::Duration;

use zegel_e2e::Suite;

#[tokio::test]
async fn kvk_receives_the_revocation_it_must_act_on_through_a_consumer_group() {
    let suite = Suite::start().await;
    let client = redis::Client::open(zegel_testkit::redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let stream = format!("{}:events", suite.prefix.0);
    // KvK's consumer group exists before anything happens, as a deployed notifier's would.
    let _: () = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg(&stream)
        .arg("kvk")
        .arg("$")
        .arg("MKSTREAM")
        .query_async(&mut conn)
        .await
        .unwrap();

    let (body, id) = suite.certified("11223344").await;
    suite.revoke(&id, &body, "court ruling", "criminal_sanction").await;

    let mut received = Vec::new();
    for _ in 0..50 {
        let reply: redis::streams::StreamReadReply = redis::cmd("XREADGROUP")
            .arg("GROUP")
            .arg("kvk")
            .arg("kvk-1")
            .arg("COUNT")
            .arg(100)
            .arg("STREAMS")
            .arg(&stream)
            .arg(">")
            .query_async(&mut conn)
            .await
            .unwrap_or_default();
        for key in reply.keys {
            for entry in key.ids {
                let event = platform::provenance::event_of(&entry.map).expect("well-formed event");
                let _: i64 =
                    redis::cmd("XACK").arg(&stream).arg("kvk").arg(&entry.id).query_async(&mut conn).await.unwrap();
                if event.addressed_to.contains(&"kvk".to_string()) {
                    received.push(event);
                }
            }
        }
        if !received.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(received.len(), 1, "exactly the revocation is addressed to KvK");
    assert_eq!(received[0].event_type, "certificate.revoked");
    assert_eq!(received[0].subject, "11223344");
}
