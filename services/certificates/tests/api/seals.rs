//! Seals of agency certificates: issued with a QR code, following the certificate.

use std::collections::BTreeMap;

use base64::Engine;
use platform::auth::Role;
use serde_json::json;
use zegel_attest::seal::{self, Register};
use zegel_attest::trust::{self, TrustStore};

use crate::helpers::{Asks, pki, spawn_app};

fn store() -> TrustStore {
    let cert = std::fs::read_to_string(pki().signer_paths(Register::Certificates).1).unwrap();
    let (store, refused) = TrustStore::from_certs(
        &pki().ca.cert_pem,
        &[trust::entry(Register::Certificates, &cert).unwrap()],
        chrono::Utc::now().timestamp(),
    )
    .unwrap();
    assert!(refused.is_empty());
    store
}

#[tokio::test]
async fn a_certified_agency_gets_a_seal_that_verifies_with_a_scannable_qr_code() {
    let app = spawn_app().await;
    let (body, _id) = app.certified("12345678", "cb-one").await;
    let r = app.post("/api/v1/agencies/12345678/certificate/seal", &body, json!({})).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let token = r.body["seal"].as_str().unwrap();
    let verified = seal::verify(token, &store(), chrono::Utc::now().timestamp()).unwrap();
    assert_eq!(verified.claims.sub, "12345678");
    assert_eq!(verified.claims.f, BTreeMap::new(), "no facts, no personal data");
    assert_eq!(r.body["url"], format!("http://127.0.0.1:8080/v/{token}"));
    assert!(r.body["qr_version"].as_i64().unwrap() <= 13);
    let png = base64::engine::general_purpose::STANDARD.decode(r.body["qr_png"].as_str().unwrap()).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    assert!(r.body["qr_svg"].as_str().unwrap().contains("<svg"));
    // The seal never outlives the certificate (next audit due in a year).
    let expires: chrono::DateTime<chrono::Utc> = r.body["expires_at"].as_str().unwrap().parse().unwrap();
    assert!(expires <= chrono::Utc::now() + chrono::Duration::days(366));

    let id = r.body["seal_id"].as_str().unwrap();
    let svg = app.http.get(format!("{}/api/v1/seals/{id}/qr.svg", app.address)).send().await.unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    let png = app.http.get(format!("{}/api/v1/seals/{id}/qr.png", app.address)).send().await.unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");
    assert!(png.bytes().await.unwrap().starts_with(b"\x89PNG"));
    assert_eq!(app.get(&format!("/api/v1/seals/{id}/qr.gif"), None).await.status, 404);
}

#[tokio::test]
async fn the_agency_itself_may_ask_for_a_seal_but_not_another_agency_or_body() {
    let app = spawn_app().await;
    app.certified("12345678", "cb-one").await;
    let own = app.token(&[Role::Agency], Some("12345678"));
    assert_eq!(app.post("/api/v1/agencies/12345678/certificate/seal", &own, json!({})).await.status, 201);
    let other = app.token(&[Role::Agency], Some("87654321"));
    assert_eq!(app.post("/api/v1/agencies/12345678/certificate/seal", &other, json!({})).await.status, 403);
    let body = app.body("cb-two").await;
    assert_eq!(app.post("/api/v1/agencies/12345678/certificate/seal", &body, json!({})).await.status, 403);
}

#[tokio::test]
async fn no_seal_without_a_valid_certificate_and_a_provisional_seal_ends_with_probation() {
    let app = spawn_app().await;
    let body = app.body("cb-one").await;
    app.agency("12345678", 10).await;
    assert_eq!(app.post("/api/v1/agencies/12345678/certificate/seal", &body, json!({})).await.status, 404);
    let id = app.provisional("12345678", &body).await;
    let r = app.post("/api/v1/agencies/12345678/certificate/seal", &body, json!({})).await;
    assert_eq!(r.status, 201);
    let probation_end = zegel_certificates::domain::lifecycle::probation_end(app.clock.today());
    let expires: chrono::DateTime<chrono::Utc> = r.body["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(platform::clock::dutch_date(expires), probation_end);
    app.revoke(&id, &body, "other", "r").await;
    let r = app.post("/api/v1/agencies/12345678/certificate/seal", &body, json!({})).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.body["type"], "urn:zegel:problem:no-valid-certificate");
}
