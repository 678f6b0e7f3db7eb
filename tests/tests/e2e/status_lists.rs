//! The registers' status lists, for verifiers without a connection (issue 18): a seal
//! carries its index; the lookup publishes each register's list, signed, with caching
//! headers; the verifier library judges a seal against it offline and says how old the
//! answer is; the list says what a live scan says (a certificate seal of an agency that may
//! not be hired is suspended in both), and a revocation reaches it at the next publication.

use std::time::Duration;

use zegel_attest::status::{self, ListError, OfflineError};
use zegel_attest::{TrustStore, Verdict};
use zegel_e2e::{Options, Suite};
use zegel_testkit::pki;

fn trust_store() -> TrustStore {
    let raw = std::fs::read_to_string(&pki().trust_list_path).expect("trust list");
    let anchor = std::fs::read_to_string(&pki().ca_path).expect("ca");
    TrustStore::load(raw.trim(), &anchor, chrono::Utc::now().timestamp()).expect("trust store").0
}

async fn fetch(suite: &Suite, code: &str) -> reqwest::Response {
    suite.http.get(format!("{}/api/v1/status-lists/{code}", suite.lookup.address)).send().await.expect("list")
}

/// The list of `code` as published now (after a fresh publication).
async fn published(suite: &Suite, code: &str) -> String {
    zegel_lookup::status_lists::publish(&suite.lookup.state).await.expect("published");
    let r = fetch(suite, code).await;
    assert_eq!(r.status(), 200);
    r.text().await.expect("token")
}

fn offline(seal: &str, list: &str) -> Result<status::Offline, OfflineError> {
    status::verify_offline(seal, list, &trust_store(), chrono::Utc::now().timestamp()).map(|(_, o)| o)
}

#[tokio::test]
async fn a_seal_is_judged_offline_as_a_scan_judges_it_and_a_revocation_reaches_the_list() {
    let suite = Suite::start_with(Options { status_list_secs: Some(1), ..Options::default() }).await;
    let (body, id) = suite.certified("11223344").await;
    let seal = suite.seal("11223344", &body).await["seal"].as_str().unwrap().to_string();
    let store = trust_store();
    let claims = zegel_attest::seal::verify(&seal, &store, chrono::Utc::now().timestamp()).unwrap().claims;
    assert!(claims.status_index().is_some(), "a new seal carries its index");

    // Served with what a cache needs: its type, an ETag, how long it stays fresh; any page may read it.
    zegel_lookup::status_lists::publish(&suite.lookup.state).await.expect("published");
    let r = fetch(&suite, "crt").await;
    assert_eq!(r.status(), 200);
    let header = |name: &str| r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert_eq!(header("content-type"), "application/statuslist+jwt");
    assert_eq!(header("access-control-allow-origin"), "*");
    let cache = header("cache-control");
    let max_age: i64 = cache.strip_prefix("public, max-age=").and_then(|a| a.parse().ok()).expect(&cache);
    assert!((0..=1).contains(&max_age), "{cache}");
    let etag = header("etag");
    let list = r.text().await.unwrap();
    let not_modified = suite
        .http
        .get(format!("{}/api/v1/status-lists/crt", suite.lookup.address))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    if not_modified.status() != 304 {
        // A publication may have come in between: the ETag then names the newer list.
        assert_ne!(not_modified.headers().get("etag").and_then(|v| v.to_str().ok()), Some(etag.as_str()));
    }

    let answer = offline(&seal, &list).expect("judged offline");
    assert_eq!(answer.verdict, Verdict::Valid);
    assert!(answer.age_secs <= 5, "{answer:?}");
    assert_eq!(suite.verify(&seal).await["verdict"], "valid");

    // An agency that may not be hired: the seal is suspended live and in the list alike.
    suite.ban_the_owner("11223344").await;
    assert_eq!(suite.verify(&seal).await["verdict"], "suspended");
    assert_eq!(offline(&seal, &published(&suite, "crt").await).unwrap().verdict, Verdict::Suspended);

    // Revoked: at once live; in the list at the next publication, which the lookup makes
    // by itself every second here.
    suite.revoke(&id, &body, "fine", "irrevocable_fine").await;
    assert_eq!(suite.verify(&seal).await["verdict"], "revoked");
    let mut seen = None;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let list = fetch(&suite, "crt").await.text().await.unwrap();
        seen = Some(offline(&seal, &list).unwrap().verdict);
        if seen == Some(Verdict::Revoked) {
            break;
        }
    }
    assert_eq!(seen, Some(Verdict::Revoked), "the publication task made a list with the revocation");

    // A certificate seal is not judged by another register's list.
    let building = suite.certified_building("55667788", "0363010000123456").await;
    let housing = published(&suite, "hsg").await;
    assert_eq!(offline(&building, &housing).unwrap().verdict, Verdict::Valid);
    assert_eq!(offline(&seal, &housing), Err(OfflineError::List(ListError::OtherRegister)));
    suite.suspend_building("0363010000123456").await;
    assert_eq!(suite.verify(&building).await["verdict"], "suspended");
    assert_eq!(offline(&building, &published(&suite, "hsg").await).unwrap().verdict, Verdict::Suspended);
}

#[tokio::test]
async fn only_the_registers_have_lists_each_signed_for_the_register_it_covers() {
    let suite = Suite::start().await;
    for (code, status) in [("lku", 404), ("xyz", 404), ("certificates", 404)] {
        let r = fetch(&suite, code).await;
        assert_eq!(r.status(), status, "{code}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
    zegel_lookup::status_lists::publish(&suite.lookup.state).await.expect("published");
    for code in ["crt", "dep", "gac", "hsg"] {
        let list = fetch(&suite, code).await.text().await.unwrap();
        let received = status::receive(&list, &trust_store(), chrono::Utc::now().timestamp()).expect(code);
        assert_eq!(received.register.code(), code);
        assert_eq!(received.ttl, 60, "the default interval");
    }
}

/// With several lookups one makes each list per interval and the others serve it: a
/// lookup that starts within half an interval of another's publication takes its lists as
/// they are, byte for byte; when a list is due, the lookups that take their turn at once
/// make it once between them; and the others take the new list at their next turn.
#[tokio::test]
async fn several_lookups_make_each_list_once_and_serve_the_same_one() {
    let suite = Suite::start_with(Options { status_list_secs: Some(600), ..Options::default() }).await;
    let (body, _) = suite.certified("11223366").await;
    suite.seal("11223366", &body).await;
    let first = &suite.lookup.state;
    zegel_lookup::status_lists::take_turn(first).await.expect("first turn");
    let second = suite.another_lookup().await;
    // Its first turn runs at its start.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while zegel_lookup::status_lists::COVERED.iter().any(|r| second.state.lists.get(*r).is_none()) {
        assert!(std::time::Instant::now() < deadline, "the second lookup's first turn did not end");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for register in zegel_lookup::status_lists::COVERED {
        let (a, b) = (first.lists.get(register).expect("made"), second.state.lists.get(register).expect("taken"));
        assert_eq!((a.token.as_str(), a.etag.as_str()), (b.token.as_str(), b.etag.as_str()), "{register:?}");
        assert!(!b.made_here, "{register:?} was made again by the second lookup");
    }

    // Due: an interval later (by both lookups' clocks), both take their turn at once.
    for state in [first, &second.state] {
        state.clock.advance(chrono::Duration::seconds(600));
    }
    let made = |register| first.lists.made(register) + second.state.lists.made(register);
    let before: Vec<u64> = zegel_lookup::status_lists::COVERED.iter().map(|r| made(*r)).collect();
    let (one, two) = tokio::join!(
        zegel_lookup::status_lists::take_turn(first),
        zegel_lookup::status_lists::take_turn(&second.state)
    );
    one.expect("first's turn");
    two.expect("second's turn");
    for (register, before) in zegel_lookup::status_lists::COVERED.into_iter().zip(before) {
        assert_eq!(made(register) - before, 1, "{register:?} made more than once, or not at all");
    }
    // The one that did not make it takes it at its next turn: both serve the same list.
    zegel_lookup::status_lists::take_turn(first).await.expect("next turn");
    zegel_lookup::status_lists::take_turn(&second.state).await.expect("next turn");
    for register in zegel_lookup::status_lists::COVERED {
        let (a, b) = (first.lists.get(register).expect("list"), second.state.lists.get(register).expect("list"));
        assert_eq!(a.token, b.token, "{register:?}");
    }

    // What the table says is not taken on its word: a list that does not verify, or an old
    // one whose row claims it is new, is not served; the lookup makes its own.
    let old = first.lists.get(zegel_attest::Register::Deposits).expect("list").token.clone();
    first.clock.advance(chrono::Duration::seconds(10));
    zegel_lookup::status_lists::publish(first).await.expect("a newer list");
    suite.db.sql("update lookup.published_list set token = 'forged.list.token', issued_at = 9999999999, claimed_until = 0 where register <> 'dep'").await;
    suite.db.sql(&format!("update lookup.published_list set token = '{old}', issued_at = 9999999999, claimed_until = 0 where register = 'dep'")).await;
    zegel_lookup::status_lists::take_turn(first).await.expect("turn");
    for register in zegel_lookup::status_lists::COVERED {
        let served = first.lists.get(register).expect("list");
        assert!(served.token != "forged.list.token" && served.token != old, "{register:?} served what the table said");
    }
}
