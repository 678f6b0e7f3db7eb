//! With a replicated Redis, an event is marked published only once a replica has it too:
//! a master that fails over before passing an event on loses nothing, because the outbox
//! still has it. Here a private master and replica, and the bans register publishing to
//! the master with `ZEGEL_REDIS_MIN_REPLICAS=1`. And a Redis that restarts without the
//! entries its consumer groups had not acknowledged: the relay publishes them again.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use platform::auth::Role;
use serde_json::json;
use zegel_bans::Bans;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// A private redis-server, killed when dropped.
struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start(port: u16, replica_of: Option<u16>) -> Self {
        let mut cmd = Command::new("redis-server");
        cmd.args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--port"]).arg(port.to_string());
        // A replica's first sync goes through a file: into the temporary directory, not here.
        cmd.arg("--dir").arg(std::env::temp_dir()).arg("--dbfilename").arg(format!("zegel-test-{port}.rdb"));
        if let Some(master) = replica_of {
            cmd.args(["--replicaof", "127.0.0.1"]).arg(master.to_string());
        }
        let child = cmd.stdout(Stdio::null()).spawn().expect("redis-server installed");
        Self { child, port }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(std::env::temp_dir().join(format!("zegel-test-{}.rdb", self.port)));
    }
}

async fn connection(port: u16) -> redis::aio::MultiplexedConnection {
    for _ in 0..100 {
        if let Ok(client) = redis::Client::open(format!("redis://127.0.0.1:{port}"))
            && let Ok(conn) = client.get_multiplexed_async_connection().await
        {
            return conn;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no Redis on {port}");
}

/// Waits until the replica on `port` is in sync with its master.
async fn in_sync(port: u16) {
    let mut conn = connection(port).await;
    for _ in 0..200 {
        let info: String = redis::cmd("INFO").arg("replication").query_async(&mut conn).await.expect("info");
        if info.contains("master_link_status:up") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the replica on {port} never synced");
}

/// The bans register publishing to the Redis at `port` (its relay waiting for
/// `min_replicas`), with two officers of agency 12345678 on record; and the
/// inspectorate's token, which files bans.
async fn bans_publishing_to(port: u16, min_replicas: u32) -> (zegel_testkit::Running<Bans>, String) {
    let url = format!("redis://127.0.0.1:{port}");
    let app =
        zegel_testkit::start::<Bans>(concat!(env!("CARGO_MANIFEST_DIR"), "/../services/bans/migrations"), move |s| {
            s.common.redis_url = url;
            s.common.redis_min_replicas = min_replicas;
            s.own.sweep_interval_secs = 3600;
        })
        .await;
    let officers = json!({"officers": [
        {"bsn": "111222333", "name": "Alice Achterberg", "date_of_birth": "1970-03-04", "role": "director", "from": "2020-01-01"},
        {"bsn": "123456782", "name": "Bob Bakker", "date_of_birth": "1980-05-06", "role": "director", "from": "2020-01-01"}
    ]});
    let r = app.put("/api/v1/agencies/12345678/officers", &app.token(&[Role::Kvk], None), officers).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let inspectorate = app.token(&[Role::Inspectorate], None);
    (app, inspectorate)
}

/// A ban of the officer with `bsn`, from today.
fn ban(bsn: &str) -> serde_json::Value {
    json!({"bsn": bsn, "basis": "administrative", "roles_covered": ["director"],
           "starts_on": platform::clock::dutch_date(chrono::Utc::now()), "reason": "repeated underpayment"})
}

/// Whether `sql` counts `n` within ten seconds.
async fn until(app: &zegel_testkit::Running<Bans>, sql: &str, n: i64) -> bool {
    for _ in 0..200 {
        if app.db.value::<i64>(sql).await == n {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test]
async fn an_event_is_marked_published_only_once_a_replica_has_it() {
    let master = Redis::start(free_port(), None);
    let replica_port = free_port();
    let replica = Redis::start(replica_port, Some(master.port));
    in_sync(replica_port).await;
    let (app, inspectorate) = bans_publishing_to(master.port, 1).await;
    let stream = format!("{}:events", app.prefix.0);
    let unpublished = "select count(*) from bans.outbox where published_at is null";

    // The replica is there: published, and marked.
    assert_eq!(app.post("/api/v1/bans", &inspectorate, ban("111222333")).await.status, 201);
    assert!(until(&app, unpublished, 0).await, "marked once the replica acknowledged");
    let mut on_replica = connection(replica_port).await;
    let len: i64 = redis::cmd("XLEN").arg(&stream).query_async(&mut on_replica).await.expect("xlen");
    assert_eq!(len, 2, "the replica has the ban's events (in force; an officer banned)");

    // The replica is gone: the master takes the event, the outbox keeps it unpublished.
    drop(replica);
    assert_eq!(app.post("/api/v1/bans", &inspectorate, ban("123456782")).await.status, 201);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(app.db.value::<i64>(unpublished).await, 2, "not marked while no replica has them");
    let mut on_master = connection(master.port).await;
    let len: i64 = redis::cmd("XLEN").arg(&stream).query_async(&mut on_master).await.expect("xlen");
    assert_eq!(len, 4, "on the master's stream already");

    // A replica is back: the event is marked, and on the stream once.
    let replica = Redis::start(replica_port, Some(master.port));
    in_sync(replica_port).await;
    assert!(until(&app, unpublished, 0).await, "marked once a replica has it");
    let len: i64 = redis::cmd("XLEN").arg(&stream).query_async(&mut on_master).await.expect("xlen");
    assert_eq!(len, 4, "published once, not again");
    drop(replica);
}

/// Redis's `maxmemory` is sized from what one stream entry and one marker take
/// (`platform::outbox::ENTRY_BYTES`, `MARKER_BYTES`): here real events, with a payload
/// larger than any register writes, relayed to the stream of a private prefix, and their
/// memory as Redis itself counts it.
#[tokio::test]
async fn a_stream_entry_and_its_marker_fit_the_memory_redis_is_sized_for() {
    let app = zegel_testkit::start::<Bans>(concat!(env!("CARGO_MANIFEST_DIR"), "/../services/bans/migrations"), |s| {
        s.own.sweep_interval_secs = 3600;
    })
    .await;
    const EVENTS: i64 = 2000;
    let filed: i64 = app
        .db
        .value(&format!(
            "with filed as (
               insert into bans.outbox (event_id, event_type, subject, addressed_to, payload, traceparent)
               select gen_random_uuid(), 'ban.in_force', lpad(i::text, 8, '0'),
                      array['kvk', 'inspectorate', 'municipality:0363', 'body:cb-normec'],
                      jsonb_build_object('kvk', lpad(i::text, 8, '0'), 'body', 'cb-normec-certification',
                        'reason', repeat('x', 300), 'from', '2026-12-07', 'until', '2027-12-07',
                        'certificate_id', gen_random_uuid()),
                      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
               from generate_series(1, {EVENTS}) i
               returning 1)
             select count(*) from filed"
        ))
        .await;
    assert_eq!(filed, EVENTS);
    let mut published = false;
    for _ in 0..200 {
        if app.db.value::<i64>("select count(*) from bans.outbox where published_at is null").await == 0 {
            published = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(published, "the relay published the events");
    let client = redis::Client::open(zegel_testkit::redis_url()).expect("redis url");
    let mut redis = client.get_multiplexed_async_connection().await.expect("redis");
    let stream = format!("{}:events", app.prefix.0);
    let len: u64 = redis::cmd("XLEN").arg(&stream).query_async(&mut redis).await.expect("xlen");
    assert!(len >= EVENTS as u64, "{len}");
    let bytes: u64 = redis::cmd("MEMORY")
        .arg("USAGE")
        .arg(&stream)
        .arg("SAMPLES")
        .arg(0)
        .query_async(&mut redis)
        .await
        .expect("memory");
    let per_entry = bytes / len;
    assert!(per_entry <= platform::outbox::ENTRY_BYTES, "{per_entry} bytes per entry");
    let markers: Vec<String> =
        redis::cmd("KEYS").arg(format!("{}:published:*", app.prefix.0)).query_async(&mut redis).await.expect("keys");
    assert!(markers.len() as i64 >= EVENTS);
    let marker: u64 = redis::cmd("MEMORY").arg("USAGE").arg(&markers[0]).query_async(&mut redis).await.expect("memory");
    assert!(marker <= platform::outbox::MARKER_BYTES, "{marker} bytes per marker");
    println!("one stream entry: {per_entry} bytes; one marker: {marker} bytes");
}

/// Reads what `group` has not been given yet on `stream` (creating the group from the
/// stream's start, as the registers' consumers do), acknowledging it when `ack`; the event
/// ids read.
async fn read_as(conn: &mut redis::aio::MultiplexedConnection, stream: &str, group: &str, ack: bool) -> Vec<String> {
    let _: Result<(), _> =
        redis::cmd("XGROUP").arg("CREATE").arg(stream).arg(group).arg("0").arg("MKSTREAM").query_async(conn).await;
    let options = redis::streams::StreamReadOptions::default().group(group, "reader").count(100);
    let reply: redis::streams::StreamReadReply =
        redis::AsyncCommands::xread_options(conn, &[stream], &[">"], &options).await.expect("xreadgroup");
    let mut ids = Vec::new();
    for entry in reply.keys.into_iter().flat_map(|k| k.ids) {
        if ack {
            let _: i64 =
                redis::cmd("XACK").arg(stream).arg(group).arg(&entry.id).query_async(conn).await.expect("xack");
        }
        ids.push(entry.get::<String>("event_id").expect("an event id"));
    }
    ids
}

#[tokio::test]
async fn a_redis_restart_that_loses_unread_entries_loses_no_event() {
    let port = free_port();
    let mut redis = Redis::start(port, None);
    let (app, inspectorate) = bans_publishing_to(port, 0).await;
    let stream = format!("{}:events", app.prefix.0);
    let mut conn = connection(port).await;
    // Two consumer groups, as two registers have.
    assert!(read_as(&mut conn, &stream, "first", true).await.is_empty());
    assert!(read_as(&mut conn, &stream, "second", true).await.is_empty());
    let unpublished = "select count(*) from bans.outbox where published_at is null";
    let undelivered = "select count(*) from bans.outbox where delivered_at is null";

    // A ban's events, published; one group has read them, the other not yet: still in the
    // relay's care. Once both have, let go.
    assert_eq!(app.post("/api/v1/bans", &inspectorate, ban("111222333")).await.status, 201);
    assert!(until(&app, unpublished, 0).await, "published");
    let first_ban = read_as(&mut conn, &stream, "first", true).await;
    assert_eq!(first_ban.len(), 2, "the ban's events: {first_ban:?}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(app.db.value::<i64>(undelivered).await, 2, "one group has not acknowledged them");
    // Read but not acknowledged holds them too.
    assert_eq!(read_as(&mut conn, &stream, "second", false).await, first_ban);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(app.db.value::<i64>(undelivered).await, 2, "pending in one group");
    let pending: redis::streams::StreamPendingCountReply = redis::cmd("XPENDING")
        .arg(&stream)
        .arg("second")
        .arg("-")
        .arg("+")
        .arg(10)
        .query_async(&mut conn)
        .await
        .expect("xpending");
    for p in &pending.ids {
        let _: i64 =
            redis::cmd("XACK").arg(&stream).arg("second").arg(&p.id).query_async(&mut conn).await.expect("xack");
    }
    assert!(until(&app, undelivered, 0).await, "delivered once every group acknowledged");

    // Another ban's events, published, read by nobody; then Redis restarts without them
    // (no persistence, as after a crash before its next snapshot).
    assert_eq!(app.post("/api/v1/bans", &inspectorate, ban("123456782")).await.status, 201);
    assert!(until(&app, unpublished, 0).await, "published");
    let second_ban: Vec<uuid::Uuid> =
        app.db.value("select array_agg(event_id order by outbox_id) from bans.outbox where delivered_at is null").await;
    assert_eq!(second_ban.len(), 2);
    drop(redis);
    redis = Redis::start(port, None);
    let mut conn = connection(port).await;
    // The registers' consumers come back and create their groups again.
    let mut again = Vec::new();
    for _ in 0..100 {
        again.extend(read_as(&mut conn, &stream, "first", true).await);
        if again.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let expected: Vec<String> = second_ban.iter().map(ToString::to_string).collect();
    assert_eq!(again, expected, "the lost events are published again, in order; the delivered ones not");
    assert_eq!(read_as(&mut conn, &stream, "second", true).await, expected);
    assert!(until(&app, undelivered, 0).await, "delivered once both groups acknowledged them again");
    let len: i64 = redis::cmd("XLEN").arg(&stream).query_async(&mut conn).await.expect("xlen");
    assert_eq!(len, 2, "only what was lost");
    drop(redis);
}
