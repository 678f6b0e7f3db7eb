//! Agencies seated abroad (advice 2.1 H), end to end: a Polish agency without a Dutch
//! branch is named by its country and home register number, certified under NEN 4400-2,
//! passes the same entry test and live checks, and its seal verifies and its check reads
//! like any other; a Romanian one with a Dutch branch is named by the branch's KvK number.

use platform::auth::Role;
use serde_json::{Value, json};
use zegel_e2e::Suite;

async fn register(suite: &Suite, token: &str, body: Value) -> (u16, Value) {
    suite
        .send(reqwest::Method::POST, format!("{}/api/v1/agencies", suite.certificates.address), Some(token), body)
        .await
}

#[tokio::test]
async fn a_polish_agency_is_certified_under_nen_4400_2_and_checked_like_any_other() {
    let suite = Suite::start().await;
    let body = suite.accredited_body().await;
    let polish = json!({"name": "Praca Polska Sp. z o.o.", "seat_country": "pl", "sbi_codes": ["7820"],
                        "established_on": "2019-03-01", "home_register_number": "0000123456",
                        "vat_number": "PL 526-104-08-28"});

    // What an agency abroad must name, and what only it may.
    let mut without_vat = polish.clone();
    without_vat.as_object_mut().unwrap().remove("vat_number");
    let (status, r) = register(&suite, &body, without_vat).await;
    assert_eq!((status, r["errors"][0]["pointer"].as_str()), (422, Some("/vat_number")), "{r}");
    let mut wrong_vat = polish.clone();
    wrong_vat["vat_number"] = json!("DE123456789");
    let (status, r) = register(&suite, &body, wrong_vat).await;
    assert_eq!((status, r["errors"][0]["pointer"].as_str()), (422, Some("/vat_number")), "{r}");
    let dutch_with_home = json!({"kvk_number": "12345678", "name": "NL BV", "seat_country": "NL", "sbi_codes": ["7820"],
                                 "established_on": "2019-03-01", "home_register_number": "123"});
    let (status, r) = register(&suite, &body, dutch_with_home).await;
    assert_eq!((status, r["errors"][0]["pointer"].as_str()), (422, Some("/home_register_number")), "{r}");
    let mut other_id = polish.clone();
    other_id["kvk_number"] = json!("PL-999");
    let (status, _) = register(&suite, &body, other_id).await;
    assert_eq!(status, 422, "a foreign number is the agency's own country and home number");

    let vat_with_dots = {
        let mut p = polish.clone();
        p["vat_number"] = json!("PL5261040828");
        p
    };
    let (status, agency) = register(&suite, &body, polish.clone()).await;
    assert_eq!(status, 201, "{agency}");
    let kvk = agency["kvk_number"].as_str().unwrap().to_string();
    assert_eq!(kvk, "PL-0000123456");
    assert_eq!((agency["norm"].as_str(), agency["vat_number"].as_str()), (Some("NEN 4400-2"), Some("PL5261040828")));
    let (status, _) = register(&suite, &body, vat_with_dots).await;
    assert_eq!(status, 409, "registered once");

    // The same entry test, live checks and certification as a Dutch agency.
    let (body, id) = suite.ready_once_registered(&kvk).await;
    let certified = suite.certs_post(&format!("/api/v1/certificates/{id}/certification"), &body, json!({})).await;
    assert_eq!((certified["status"].as_str(), certified["norm"].as_str()), (Some("certified"), Some("NEN 4400-2")));

    // Its seal verifies at the lookup, and the hirer check reads it by the same number.
    let seal = suite.seal(&kvk, &body).await["seal"].as_str().expect("seal").to_string();
    let verdict = suite.verify(&seal).await;
    assert_eq!(
        (verdict["verdict"].as_str(), verdict["subject"].as_str()),
        (Some("valid"), Some(kvk.as_str())),
        "{verdict}"
    );
    let check: Value = suite.get_json(format!("{}/api/v1/agencies/pl-0000123456/check", suite.lookup.address)).await;
    assert_eq!(
        (check["kvk_number"].as_str(), check["may_hire"].as_bool()),
        (Some(kvk.as_str()), Some(true)),
        "{check}"
    );
    assert_eq!(check["parts"]["certificate"]["detail"]["norm"], "NEN 4400-2", "{check}");
    let page = suite.lookup_page(&format!("/check?kvk={kvk}&lang=en")).await;
    assert!(page.contains("Praca Polska Sp. z o.o."), "{page}");
    let door = suite.page(&seal, "pl").await;
    assert!(door.contains("NEN 4400-2"), "the page at the door names the norm: {door}");

    // The public certificate view names where it is seated and its numbers there.
    let public: Value =
        suite.get_json(format!("{}/api/v1/agencies/{kvk}/certificate", suite.certificates.address)).await;
    assert_eq!(
        (public["seat_country"].as_str(), public["home_register_number"].as_str(), public["status"].as_str()),
        (Some("PL"), Some("0000123456"), Some("certified"))
    );

    // KvK's registration check is about Dutch numbers only.
    let r = suite
        .http
        .post(format!("{}/api/v1/kvk/registration-checks", suite.lookup.address))
        .bearer_auth(suite.token(Role::Kvk, None))
        .json(&json!({"kvk_number": kvk, "sbi_codes": ["7820"], "officers": [], "vog_issued_on": "2026-01-01"}))
        .send()
        .await
        .expect("kvk");
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn an_agency_abroad_with_a_dutch_branch_is_named_by_the_branch() {
    let suite = Suite::start().await;
    let body = suite.accredited_body().await;
    let romanian = json!({"kvk_number": "71234567", "name": "Munca SRL", "seat_country": "RO", "sbi_codes": ["7820"],
                          "established_on": "2018-05-01", "home_register_number": "J40/12345/2018",
                          "vat_number": "RO12345678"});
    let (status, r) = register(&suite, &body, romanian.clone()).await;
    assert_eq!(
        (status, r["errors"][0]["pointer"].as_str()),
        (422, Some("/home_register_number")),
        "letters and digits: {r}"
    );
    let mut romanian = romanian;
    romanian["home_register_number"] = json!("J40123452018");
    let (status, agency) = register(&suite, &body, romanian).await;
    assert_eq!(status, 201, "{agency}");
    assert_eq!((agency["kvk_number"].as_str(), agency["norm"].as_str()), (Some("71234567"), Some("NEN 4400-2")));
    assert_eq!(agency["home_register_number"], "J40123452018");
}
