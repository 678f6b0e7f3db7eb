//! One verdict (issue 11): an agency's certificate seal verifies `valid` exactly while the
//! hirer check says it may be hired — for a starter on probation as for a certified
//! agency — and the page at the door says, in the visitor's language, what fails.

use platform::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};
use zegel_e2e::Suite;

async fn check(suite: &Suite, kvk: &str) -> Value {
    let r =
        suite.http.get(format!("{}/api/v1/agencies/{kvk}/check", suite.lookup.address)).send().await.expect("check");
    assert_eq!(r.status(), 200);
    r.json().await.expect("json")
}

/// The seal's verdict and the check agree, and the seal names the check's failing parts.
async fn agree(suite: &Suite, kvk: &str, seal: &str) -> (String, Vec<String>) {
    let v = suite.verify(seal).await;
    let c = check(suite, kvk).await;
    let verdict = v["verdict"].as_str().expect("verdict").to_string();
    assert_eq!(verdict == "valid", c["may_hire"] == true, "seal {v}\ncheck {c}");
    let words = |v: &Value| -> Vec<String> {
        v.as_array().map(|a| a.iter().filter_map(|r| r.as_str().map(str::to_string)).collect()).unwrap_or_default()
    };
    let codes = words(&c["reason_codes"]);
    let on_seal = words(&v["facts"]["standing"]);
    assert_eq!(on_seal, codes, "the seal names the check's reasons");
    // KvK, registering a staffing activity for it, gets the same answer.
    let today = chrono::Utc::now().date_naive().to_string();
    let registration = json!({"kvk_number": kvk, "sbi_codes": ["7820"], "officers": [], "vog_issued_on": today});
    let r = suite
        .http
        .post(format!("{}/api/v1/kvk/registration-checks", suite.lookup.address))
        .bearer_auth(suite.token(Role::Kvk, None))
        .json(&registration)
        .send()
        .await
        .expect("registration check");
    let k: Value = r.json().await.expect("json");
    assert_eq!(k["result"] == "allow", verdict == "valid", "KvK {k}");
    (verdict, codes)
}

#[tokio::test]
async fn a_starters_seal_says_what_the_check_says_through_a_ban_and_its_lifting() {
    let suite = Suite::start().await;
    let kvk = "55667788";
    let admin = suite.token(Role::Admin, None);
    suite
        .http
        .put(format!("{}/api/v1/certification-bodies/cb-e2e", suite.certificates.address))
        .bearer_auth(&admin)
        .json(&json!({"name": "E2E body", "accredited": true}))
        .send()
        .await
        .unwrap();
    suite
        .certs_post(
            "/api/v1/agencies",
            &suite.token(Role::Kvk, None),
            json!({"kvk_number": kvk, "name": "Starter Flex", "seat_country": "NL", "sbi_codes": ["7820"], "established_on": "2026-06-01"}),
        )
        .await;
    let body = suite.token(Role::CertificationBody, Some("cb-e2e"));
    let cert = suite.certs_post(&format!("/api/v1/agencies/{kvk}/certificates"), &body, json!({})).await;
    assert_eq!(cert["status"], "provisional", "{cert}");
    let seal = suite.seal(kvk, &body).await["seal"].as_str().unwrap().to_string();

    // Provisional, nothing else yet: the check says no, and so does the seal.
    let (verdict, codes) = agree(&suite, kvk, &seal).await;
    assert_eq!(verdict, "suspended");
    assert_eq!(codes, ["officers_unknown", "no_deposit", "no_g_account"]);
    let page = suite.page(&seal, "pl").await;
    assert!(page.contains("Agencja nie wpłaciła kaucji gwarancyjnej."), "the failing parts, in Polish: {page}");
    assert!(page.contains("Agencja nie ma konta G."), "{page}");

    // Deposit, officers, G-account: a starter on probation may be hired, its seal is valid.
    suite.clear_officers_and_active_g_account(kvk).await;
    let (verdict, codes) = agree(&suite, kvk, &seal).await;
    assert_eq!((verdict.as_str(), codes.len()), ("valid", 0));

    // The inspectorate bans the owner: the very next scan says suspended, for that reason.
    let inspectorate = suite.token(Role::Inspectorate, None);
    let ban = suite
        .bans_call(
            Method::POST,
            "/api/v1/bans",
            &inspectorate,
            json!({"bsn": "123456782", "basis": "administrative", "roles_covered": ["owner"], "starts_on": "2026-01-01", "reason": "underpayment"}),
        )
        .await;
    let (verdict, codes) = agree(&suite, kvk, &seal).await;
    assert_eq!((verdict.as_str(), codes), ("suspended", vec!["officer_banned".to_string()]));
    let page = suite.page(&seal, "nl").await;
    assert!(page.contains("Een eigenaar of bestuurder van het uitzendbureau heeft een verbod."), "{page}");
    assert!(!page.contains("Bakker") && !page.contains("123456782"), "no person at the door");

    // The ban is lifted: valid again (the certificate itself was never revoked).
    let id = ban["ban_id"].as_str().unwrap();
    suite
        .bans_call(
            Method::POST,
            &format!("/api/v1/bans/{id}/lifting"),
            &inspectorate,
            json!({"reason": "court ruling"}),
        )
        .await;
    let (verdict, _) = agree(&suite, kvk, &seal).await;
    assert_eq!(verdict, "valid");
}
