//! The published trust list.

use zegel_attest::TrustStore;
use zegel_testkit::pki;

use crate::helpers::spawn_lookup;

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
