//! The published trust list.

use zegel_attest::TrustStore;
use zegel_testkit::pki;

use crate::helpers::{Asks, spawn_lookup};

#[tokio::test]
async fn the_trust_list_is_published_signed_and_cacheable() {
    let lookup = spawn_lookup().await;
    let url = format!("{}/.well-known/zegel/trust-list", lookup.address);
    let r = lookup.http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/jose");
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert!(r.headers()["cache-control"].to_str().unwrap().contains("max-age"));
    let body = r.text().await.unwrap();
    let (store, refused) = TrustStore::load(&body, &pki().ca.cert_pem, chrono::Utc::now().timestamp()).unwrap();
    assert!(refused.is_empty());
    assert_eq!(store.len(), zegel_attest::Register::ALL.len());
    let again = lookup.http.get(&url).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn a_list_that_expires_in_force_makes_every_seal_unavailable() {
    let now = chrono::Utc::now().timestamp();
    let path = std::env::temp_dir().join(format!("zegel-short-list-{}.jws", uuid::Uuid::new_v4()));
    std::fs::write(&path, pki().signed_list(&zegel_attest::Register::ALL, 7, now + 2)).unwrap();
    let list = path.to_string_lossy().into_owned();
    let lookup = crate::helpers::spawn_lookup_with(move |s| s.own.trust_list = list).await;
    let seal = crate::helpers::seal(zegel_attest::Register::Certificates, 0, 3600);
    let (_, before) = lookup.verify(&seal).await;
    assert!(!before.to_string().contains("expired"), "{before}");
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    let (status, after) = lookup.verify(&seal).await;
    assert_eq!(status, 200);
    assert_eq!(after["verdict"], "unavailable", "{after}");
    assert_eq!(after["reasons"], serde_json::json!(["the trust list has expired"]), "{after}");
    let _ = std::fs::remove_file(path);
}

/// The lookup keeps the seals it found genuine, so as not to check a signature twice; a
/// new trust list empties what it kept, so a key taken off the list stops verifying at
/// once, not when the seal happens to fall out of the cache.
#[tokio::test]
async fn a_key_taken_off_the_list_stops_verifying_though_its_seal_was_checked_before() {
    let far = chrono::Utc::now().timestamp() + 3600;
    let path = std::env::temp_dir().join(format!("zegel-list-{}.jws", uuid::Uuid::new_v4()));
    std::fs::write(&path, pki().signed_list(&zegel_attest::Register::ALL, 7, far)).unwrap();
    let list = path.to_string_lossy().into_owned();
    let lookup = crate::helpers::spawn_lookup_with(move |s| {
        s.own.trust_list = list;
        s.own.trust_reload_secs = 1;
    })
    .await;
    let seal = crate::helpers::seal(zegel_attest::Register::Certificates, 0, 3600);
    for _ in 0..2 {
        // Genuine (this lookup has no certificates register to ask, so no verdict of
        // validity): the second scan is answered from what the first found.
        let (_, v) = lookup.verify(&seal).await;
        assert_eq!((v["verdict"].as_str(), v["register"].as_str()), (Some("unavailable"), Some("certificates")), "{v}");
    }
    let without: Vec<_> =
        zegel_attest::Register::ALL.into_iter().filter(|r| *r != zegel_attest::Register::Certificates).collect();
    std::fs::write(&path, pki().signed_list(&without, 8, far)).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let (_, v) = lookup.verify(&seal).await;
    assert_eq!(v["verdict"], "unknown_issuer", "{v}");
    let _ = std::fs::remove_file(path);
}
