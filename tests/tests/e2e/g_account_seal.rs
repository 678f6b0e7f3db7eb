//! A G-account seal at the lookup follows the account: active → valid, blocked →
//! suspended, closed → revoked, at the very next scan.

use platform::auth::Role;
use reqwest::Method;
use serde_json::json;
use zegel_e2e::Suite;

#[tokio::test]
async fn a_g_account_seal_follows_the_account_at_the_lookup() {
    let suite = Suite::start().await;
    let agency = suite.token(Role::Agency, Some("11223344"));
    let tax = suite.token(Role::Tax, None);
    let iban = zegel_gaccounts::domain::Iban::dutch("RABO", "0990000001");
    suite
        .gaccounts_call(
            Method::PUT,
            "/api/v1/agencies/11223344/g-account",
            &agency,
            json!({"iban": iban, "bank": "Rabobank"}),
        )
        .await;
    suite.gaccounts_call(Method::POST, "/api/v1/agencies/11223344/g-account/verification", &tax, json!({})).await;
    let issued =
        suite.gaccounts_call(Method::POST, "/api/v1/agencies/11223344/g-account/seal", &agency, json!({})).await;
    let seal = issued["seal"].as_str().unwrap().to_string();

    let v = suite.verify(&seal).await;
    assert_eq!((v["verdict"].as_str(), v["register"].as_str()), (Some("valid"), Some("gaccounts")), "{v}");
    assert!(!v.to_string().contains(&iban), "the lookup shows no IBAN for a G-account seal");
    suite.g_account_step("11223344", "blocking", "arrears").await;
    assert_eq!(suite.verify(&seal).await["verdict"], "suspended");
    suite.g_account_step("11223344", "closure", "closed").await;
    assert_eq!(suite.verify(&seal).await["verdict"], "revoked");
    assert!(suite.page(&seal, "nl").await.contains("Register van G-rekeningen"));
}
