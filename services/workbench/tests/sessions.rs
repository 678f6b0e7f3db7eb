//! Sessions against the real Redis, each test under its own key prefix.
#![expect(clippy::unwrap_used, reason = "a panic is how a test fails, helpers included")]

use std::time::Duration;

use platform::bus::{Bus, Target};
use platform::clock::Clock;
use zegel_testkit::redis::TestPrefix;
use zegel_workbench::login::{Person, RegisterToken};
use zegel_workbench::session::{Lifetimes, Sessions};

fn person() -> Person {
    Person {
        subject: "inspector".into(),
        name: Some("Bram Jansen".into()),
        roles: vec!["housing_inspector".into()],
        org: None,
        id_token: "id.token.here".into(),
        refresh_token: "refresh-secret".into(),
    }
}

fn sessions_on(prefix: &TestPrefix, idle: u64, absolute: u64, clock: Clock) -> Sessions {
    let url = zegel_testkit::db::redis_url();
    let bus = Bus::connect(Target::url(&url), &prefix.0).unwrap();
    let lifetimes = Lifetimes { idle: Duration::from_secs(idle), absolute: Duration::from_secs(absolute) };
    Sessions::new(bus, lifetimes, clock)
}

fn sessions(prefix: &TestPrefix, idle: u64, absolute: u64) -> Sessions {
    sessions_on(prefix, idle, absolute, Clock::system())
}

async fn raw_keys(prefix: &TestPrefix) -> Vec<String> {
    let client = redis::Client::open(zegel_testkit::db::redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    redis::cmd("KEYS").arg(format!("{}:*", prefix.0)).query_async(&mut conn).await.unwrap()
}

#[tokio::test]
async fn a_session_is_found_by_its_cookie_only_and_ends_when_closed() {
    let prefix = TestPrefix::new();
    let store = sessions(&prefix, 60, 3600);
    let (id, opened) = store.open(person()).await.unwrap();
    assert_eq!(store.find(&id).await.unwrap(), Some(opened.clone()));
    assert!(store.find("not-a-session").await.unwrap().is_none());
    assert!(opened.csrf_matches(&opened.csrf.clone()));
    assert!(!opened.csrf_matches("") && !opened.csrf_matches(&opened.csrf[1..]), "only its own token");

    // Redis holds the hash of the cookie, never the cookie.
    let keys = raw_keys(&prefix).await;
    assert_eq!(keys.len(), 1);
    assert!(!keys[0].contains(&id), "{keys:?}");

    let mut with_token = opened;
    let token = RegisterToken { access_token: "at".into(), expires_at: 1 };
    with_token.tokens.insert("housing".into(), token);
    store.save(&id, &with_token).await.unwrap();
    assert_eq!(store.find(&id).await.unwrap().unwrap().tokens.len(), 1);
    store.close(&id).await.unwrap();
    assert!(store.find(&id).await.unwrap().is_none(), "logged out");
}

#[tokio::test]
async fn a_session_ends_after_its_idle_time_and_at_its_absolute_end() {
    let prefix = TestPrefix::new();
    let idle = sessions(&prefix, 1, 3600);
    let (id, _) = idle.open(person()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(idle.find(&id).await.unwrap().is_none(), "idle too long");

    // Activity keeps a session alive, but never past its absolute end (ten hours, on a
    // clock moved forward).
    let clock = Clock::system();
    let absolute = sessions_on(&prefix, 3600, 10 * 3600, clock.clone());
    let (id, _) = absolute.open(person()).await.unwrap();
    for _ in 0..9 {
        clock.advance(chrono::Duration::hours(1));
        assert!(absolute.find(&id).await.unwrap().is_some(), "active and younger than ten hours");
    }
    clock.advance(chrono::Duration::minutes(61));
    assert!(absolute.find(&id).await.unwrap().is_none(), "past the absolute end despite activity");
}

#[tokio::test]
async fn a_login_attempt_is_taken_once() {
    let prefix = TestPrefix::new();
    let store = sessions(&prefix, 60, 3600);
    let attempt: zegel_workbench::login::Attempt =
        serde_json::from_value(serde_json::json!({"state": "s", "nonce": "n", "verifier": "v"})).unwrap();
    let id = store.begin(&attempt).await.unwrap();
    assert_eq!(store.take_attempt(&id).await.unwrap().unwrap().state, "s");
    assert!(store.take_attempt(&id).await.unwrap().is_none(), "a second callback finds nothing");
}
