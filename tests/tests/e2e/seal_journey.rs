//! A seal from issue to revocation, across the certificates register and the lookup: the
//! very next scan after a revoke or suspend returns never says valid.

use serde_json::json;
use zegel_e2e::{Options, Suite};
use zegel_testkit::RedisProxy;

#[tokio::test]
async fn a_seal_verifies_valid_then_suspended_then_revoked_at_the_very_next_scan() {
    let suite = Suite::start().await;
    let (body, id) = suite.certified("11223344").await;
    let issued = suite.seal("11223344", &body).await;
    let seal = issued["seal"].as_str().unwrap().to_string();
    assert_eq!(issued["url"], format!("{}/v/{seal}", suite.lookup.address), "the QR code opens the lookup");

    let v = suite.verify(&seal).await;
    assert_eq!(v["verdict"], "valid", "{v}");
    assert_eq!(v["register"], "certificates");
    assert_eq!(v["subject"], "11223344");
    assert_eq!(v["facts"]["certificate_status"], "certified");
    assert_eq!(v["facts"]["agency_name"], "E2E Flex");
    let page = suite.page(&seal, "nl").await;
    assert!(page.contains("Geldig") && page.contains("E2E Flex") && page.contains('✓'), "{page}");
    let page = suite.page(&seal, "en").await;
    assert!(page.contains(">Valid<") || page.contains("Valid</h1>"), "{page}");

    let remedy_by = platform::clock::dutch_date(chrono::Utc::now() + chrono::Duration::days(30));
    suite
        .certs_post(
            &format!("/api/v1/certificates/{id}/suspension"),
            &body,
            json!({"reason": "arrears", "remedy_by": remedy_by}),
        )
        .await;
    assert_eq!(suite.verify(&seal).await["verdict"], "suspended");
    assert!(suite.page(&seal, "en").await.contains("Suspended — not valid now"));

    suite.certs_post(&format!("/api/v1/certificates/{id}/reinstatement"), &body, json!({"reason": "paid"})).await;
    assert_eq!(suite.verify(&seal).await["verdict"], "valid");

    suite.revoke(&id, &body, "fine", "irrevocable_fine").await;
    let v = suite.verify(&seal).await;
    assert_eq!(v["verdict"], "revoked", "{v}");
    assert_eq!(v["facts"]["certificate_status"], "revoked");
    assert!(suite.page(&seal, "nl").await.contains("Ingetrokken — niet geldig"));
}

#[tokio::test]
async fn a_restarted_lookup_answers_the_same() {
    let mut suite = Suite::start().await;
    let (body, id) = suite.certified("11223344").await;
    let seal = suite.seal("11223344", &body).await["seal"].as_str().unwrap().to_string();
    assert_eq!(suite.verify(&seal).await["verdict"], "valid");
    suite.restart_lookup().await;
    assert_eq!(suite.verify(&seal).await["verdict"], "valid");
    suite.revoke(&id, &body, "fine", "irrevocable_fine").await;
    suite.restart_lookup().await;
    assert_eq!(suite.verify(&seal).await["verdict"], "revoked");
}

#[tokio::test]
async fn with_redis_stopped_the_verdicts_stay_right() {
    let proxy = RedisProxy::start().await;
    let suite = Suite::start_with(Options { redis_url: Some(proxy.url.clone()), ..Options::default() }).await;
    let (body, id) = suite.certified("11223344").await;
    let seal = suite.seal("11223344", &body).await["seal"].as_str().unwrap().to_string();
    proxy.down();
    assert_eq!(suite.verify(&seal).await["verdict"], "valid");
    suite.revoke(&id, &body, "fine", "irrevocable_fine").await;
    assert_eq!(suite.verify(&seal).await["verdict"], "revoked", "no stale valid while Redis is away");
    proxy.up();
    assert_eq!(suite.verify(&seal).await["verdict"], "revoked");
}

#[tokio::test]
async fn a_key_withdrawn_from_the_trust_list_stops_every_seal_it_signed() {
    let suite = Suite::start().await;
    let (body, _) = suite.certified("11223344").await;
    let seal = suite.seal("11223344", &body).await["seal"].as_str().unwrap().to_string();
    assert_eq!(suite.verify(&seal).await["verdict"], "valid");

    // Publish a trust list without the certificates key, as `zegel-certs withdraw` would.
    let registers = [zegel_attest::Register::Deposits, zegel_attest::Register::Housing];
    let list = zegel_testkit::pki().signed_list(&registers, 2, chrono::Utc::now().timestamp() + 3600);
    let path = std::env::temp_dir().join(format!("zegel-withdrawn-{}.jws", uuid::Uuid::new_v4()));
    std::fs::write(&path, list).unwrap();
    let mut state = suite.lookup.state.clone();
    state.settings = std::sync::Arc::new(zegel_lookup::config::Own {
        trust_list: path.to_string_lossy().into_owned(),
        ..(*state.settings).clone()
    });
    assert!(state.reload_trust().unwrap());
    assert_eq!(suite.verify(&seal).await["verdict"], "unknown_issuer");
    let _ = std::fs::remove_file(path);
}
