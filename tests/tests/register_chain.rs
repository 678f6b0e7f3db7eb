//! The registers close the system together (advice 2.1): a ban on a director, or a
//! blocked G-account, suspends the agency's certificate, and its seal verifies as
//! suspended at the lookup.

use platform::auth::Role;
use reqwest::Method;
use serde_json::json;
use zegel_e2e::Suite;

#[tokio::test]
async fn banning_a_director_suspends_the_certificate_and_its_seal() {
    let suite = Suite::start().await;
    let (body, _) = suite.certified("11223344").await;
    let seal = suite.seal("11223344", &body).await["seal"].as_str().unwrap().to_string();
    assert_eq!(suite.verify(&seal).await["verdict"], "valid");

    let kvk = suite.token(Role::Kvk, None);
    suite
        .bans_call(
            Method::PUT,
            "/api/v1/agencies/11223344/officers",
            &kvk,
            json!({"officers": [{"bsn": "111222333", "name": "Alice Achterberg", "date_of_birth": "1970-03-04", "role": "director", "from": "2020-01-01"}]}),
        )
        .await;
    let inspectorate = suite.token(Role::Inspectorate, None);
    let started = std::time::Instant::now();
    suite
        .bans_call(
            Method::POST,
            "/api/v1/bans",
            &inspectorate,
            json!({"bsn": "111222333", "basis": "administrative", "roles_covered": ["director"], "starts_on": "2026-01-01", "reason": "underpayment"}),
        )
        .await;
    assert_eq!(suite.wait_for_certificate_status("11223344", "suspended").await, "suspended");
    let v = suite.verify(&seal).await;
    assert_eq!(v["verdict"], "suspended", "{v}");
    println!("ban recorded → seal suspended at the lookup: {:?}", started.elapsed());
    assert!(!v.to_string().contains("Alice"), "no names at the lookup");
}

#[tokio::test]
async fn blocking_the_g_account_suspends_the_certificate() {
    let suite = Suite::start().await;
    let (body, _) = suite.certified("11223344").await;
    let seal = suite.seal("11223344", &body).await["seal"].as_str().unwrap().to_string();
    let agency = suite.token(Role::Agency, Some("11223344"));
    let tax = suite.token(Role::Tax, None);
    let iban = zegel_gaccounts::domain::Iban::dutch("RABO", "0990000002");
    suite
        .gaccounts_call(
            Method::PUT,
            "/api/v1/agencies/11223344/g-account",
            &agency,
            json!({"iban": iban, "bank": "Rabobank"}),
        )
        .await;
    suite.gaccounts_call(Method::POST, "/api/v1/agencies/11223344/g-account/verification", &tax, json!({})).await;
    suite
        .gaccounts_call(
            Method::POST,
            "/api/v1/agencies/11223344/g-account/blocking",
            &tax,
            json!({"reason": "arrears"}),
        )
        .await;
    assert_eq!(suite.wait_for_certificate_status("11223344", "suspended").await, "suspended");
    assert_eq!(suite.verify(&seal).await["verdict"], "suspended");
}
