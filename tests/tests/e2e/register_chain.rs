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
    // certified() registered and verified the agency's G-account; the tax authority blocks it.
    suite.g_account_step("11223344", "blocking", "arrears").await;
    assert_eq!(suite.wait_for_certificate_status("11223344", "suspended").await, "suspended");
    assert_eq!(suite.verify(&seal).await["verdict"], "suspended");
}

#[tokio::test]
async fn certification_asks_the_bans_g_account_and_deposit_registers_live() {
    let suite = Suite::start().await;
    let admin = suite.token(Role::Admin, None);
    let client = reqwest::Client::new();
    client
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
            json!({"kvk_number": "22334455", "name": "Live Check BV", "seat_country": "NL", "sbi_codes": ["7820"], "established_on": "2020-01-01"}),
        )
        .await;
    let body = suite.token(Role::CertificationBody, Some("cb-e2e"));
    suite.passes_entry_test("22334455").await;
    let id = suite.certs_post("/api/v1/agencies/22334455/certificates", &body, json!({})).await["certificate_id"]
        .as_str()
        .unwrap()
        .to_string();
    // Every checkbox ticked, including the two that are now checked live.
    for code in zegel_certificates::domain::RequirementCode::ALL {
        client
            .put(format!("{}/api/v1/certificates/{id}/requirements/{}", suite.certificates.address, code.as_str()))
            .bearer_auth(&body)
            .json(&json!({"outcome": "met", "evidence_ref": "e2e"}))
            .send()
            .await
            .unwrap();
    }
    let certify = || {
        client
            .post(format!("{}/api/v1/certificates/{id}/certification", suite.certificates.address))
            .bearer_auth(&body)
            .json(&json!({}))
            .send()
    };
    let r: serde_json::Value = certify().await.unwrap().json().await.unwrap();
    assert_eq!(r["status"], 422, "{r}");
    let unmet: Vec<_> = r["unmet"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(unmet, ["housing_certified", "g_account_in_use"], "the checkboxes no longer decide these: {r}");

    suite.clear_officers_and_active_g_account("22334455").await;
    // The agency withdraws its declaration that it houses no one: the housing register now
    // knows nothing of its housing, and the requirement fails live, whatever was ticked.
    let agency = suite.token(Role::Agency, Some("22334455"));
    let declaration = "/api/v1/agencies/22334455/housing-declaration";
    let (status, _) = suite.housing_call(Method::PUT, declaration, &agency, json!({"houses_no_one": false})).await;
    assert_eq!(status, 200);
    let r: serde_json::Value = certify().await.unwrap().json().await.unwrap();
    assert_eq!(r["unmet"], json!(["housing_certified"]), "nothing said about housing: {r}");
    // It houses no one after all, and says so in the housing register: the live answer agrees.
    let (status, _) = suite.housing_call(Method::PUT, declaration, &agency, json!({"houses_no_one": true})).await;
    assert_eq!(status, 200);
    let r = certify().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn a_suspension_for_a_ban_is_lifted_only_once_the_bans_register_agrees() {
    let suite = Suite::start().await;
    let (body, id) = suite.certified("11223344").await;
    let kvk = suite.token(Role::Kvk, None);
    let officers = |bsn: &str| json!({"officers": [{"bsn": bsn, "name": "N", "date_of_birth": "1970-03-04", "role": "director", "from": "2020-01-01"}]});
    suite.bans_call(Method::PUT, "/api/v1/agencies/11223344/officers", &kvk, officers("111222333")).await;
    let inspectorate = suite.token(Role::Inspectorate, None);
    suite
        .bans_call(Method::POST, "/api/v1/bans", &inspectorate, json!({"bsn": "111222333", "basis": "administrative", "roles_covered": ["director"], "starts_on": "2026-01-01", "reason": "r"}))
        .await;
    assert_eq!(suite.wait_for_certificate_status("11223344", "suspended").await, "suspended");
    let client = reqwest::Client::new();
    let reinstate = || {
        client
            .post(format!("{}/api/v1/certificates/{id}/reinstatement", suite.certificates.address))
            .bearer_auth(&body)
            .json(&json!({"reason": "sorted"}))
            .send()
    };
    let r: serde_json::Value = reinstate().await.unwrap().json().await.unwrap();
    assert_eq!(r["status"], 422, "{r}");
    assert_eq!(r["unmet"], json!(["no_banned_director"]));
    suite.bans_call(Method::PUT, "/api/v1/agencies/11223344/officers", &kvk, officers("123456782")).await;
    assert_eq!(reinstate().await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_deposit_seal_follows_the_deposit_and_a_payout_leaves_the_certificate_in_force_until_the_deadline() {
    let suite = Suite::start().await;
    let (body, _) = suite.certified("11223344").await;
    let agency = suite.token(Role::Agency, Some("11223344"));
    let seal = suite.deposits_call(Method::POST, "/api/v1/agencies/11223344/deposit/seal", &agency, json!({})).await;
    let seal = seal["seal"].as_str().unwrap().to_string();
    assert_eq!(suite.verify(&seal).await["verdict"], "valid");

    let claim = suite.file_claim("11223344", json!({"claim_type": "unpaid_wages", "description": "no payslips"})).await;
    let id = claim["claim_id"].as_str().unwrap();
    let r = suite
        .http
        .post(format!("{}/api/v1/claims/{id}/payout", suite.deposits.address))
        .bearer_auth(suite.token(Role::AdmissionAuthority, None))
        .header("idempotency-key", "payout-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(suite.verify(&seal).await["verdict"], "suspended", "a deposit short after a payout");
    assert_eq!(
        suite.wait_for_certificate_status("11223344", "certified").await,
        "certified",
        "the agency has until the deadline"
    );
    // Inside the top-up term the agency may be hired (advice 2.1 C): the deposit part says
    // so, with the deadline, in the API, in the deposits register and on the page.
    let check = suite.get_json(format!("{}/api/v1/agencies/11223344/check", suite.lookup.address)).await;
    assert_eq!(check["may_hire"], true, "{check}");
    let deposit = &check["parts"]["deposit"];
    assert_eq!((deposit["status"].as_str(), &deposit["ok"]), (Some("top_up_due"), &json!(true)), "{check}");
    let by = deposit["detail"]["top_up_by"].as_str().expect("the deadline").to_string();
    let public = suite.get_json(format!("{}/api/v1/agencies/11223344/deposit", suite.deposits.address)).await;
    assert_eq!((public["status"].as_str(), public["top_up_by"].as_str()), (Some("top_up_due"), Some(by.as_str())));
    let page = suite.lookup_page("/check?kvk=11223344&lang=en").await;
    assert!(page.contains("short after a payout, top-up due by"), "{page}");
    let certificate_seal = suite.seal("11223344", &body).await["seal"].as_str().unwrap().to_string();
    assert_eq!(suite.verify(&certificate_seal).await["verdict"], "valid", "one verdict: the seal agrees");
}

#[tokio::test]
async fn a_certification_body_reads_the_officers_of_the_agencies_it_certifies_and_no_others() {
    let suite = Suite::start().await;
    let kvk = suite.token(Role::Kvk, None);
    for agency in ["33445566", "44556677"] {
        suite
            .bans_call(
                Method::PUT,
                &format!("/api/v1/agencies/{agency}/officers"),
                &kvk,
                json!({"officers": [{"bsn": "111222333", "name": "Alice Achterberg", "date_of_birth": "1970-03-04", "role": "director", "from": "2020-01-01"}]}),
            )
            .await;
    }
    let body = suite.provisional("33445566").await;
    // The certificates register tells the bans register who holds the application.
    let read = |agency: &'static str| {
        let url = format!("{}/api/v1/agencies/{agency}/officers?purpose=certification", suite.bans.address);
        let request = suite.http.get(url).bearer_auth(&body);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let mut status = 0;
    for _ in 0..200 {
        status = read("33445566").await;
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(status, 200, "the body's own applicant");
    assert_eq!(read("44556677").await, 403, "an agency the body has nothing to do with");
}

/// The starter's entry test (advice 2.1 A): a provisional certificate only once KvK has
/// registered the officers and none is banned, the deposit's starter part is paid and a
/// G-account is asked for — each missing part named in the 422, nothing issued before.
#[tokio::test]
async fn a_starter_gets_a_provisional_certificate_only_once_the_entry_test_passes() {
    let suite = Suite::start().await;
    let kvk = "22446688";
    let admin = suite.token(Role::Admin, None);
    suite
        .call(
            Method::PUT,
            format!("{}/api/v1/certification-bodies/cb-e2e", suite.certificates.address),
            &admin,
            json!({"name": "E2E body", "accredited": true}),
        )
        .await;
    suite
        .certs_post(
            "/api/v1/agencies",
            &suite.token(Role::Kvk, None),
            json!({"kvk_number": kvk, "name": "Starter BV", "seat_country": "NL", "sbi_codes": ["7820"], "established_on": "2026-11-01"}),
        )
        .await;
    let body = suite.token(Role::CertificationBody, Some("cb-e2e"));
    let ask = async || {
        let r = suite
            .http
            .post(format!("{}/api/v1/agencies/{kvk}/certificates", suite.certificates.address))
            .bearer_auth(&body)
            .json(&json!({}))
            .send()
            .await
            .expect("provisional");
        let status = r.status().as_u16();
        let v: serde_json::Value = r.json().await.expect("json");
        (status, v)
    };
    let missing = |v: &serde_json::Value| v["reason_codes"].as_array().cloned().unwrap_or_default();

    // Nothing anywhere: every part of the test is missing, and said so.
    let (status, r) = ask().await;
    assert_eq!(status, 422, "{r}");
    assert_eq!(r["type"], "urn:zegel:problem:requirements-unmet");
    assert_eq!(r["unmet"], json!(["no_banned_director", "deposit_paid", "g_account_in_use"]), "{r}");
    assert_eq!(missing(&r), [json!("officers_unknown"), json!("no_deposit"), json!("no_g_account")]);
    assert!(r["errors"][0]["detail"].as_str().unwrap().contains("bans register"), "{r}");

    // KvK registers the owner, who is under a ban.
    let inspectorate = suite.token(Role::Inspectorate, None);
    let officers = json!({"officers": [{"bsn": zegel_e2e::owner_bsn(kvk), "name": "Bob Bakker", "date_of_birth": "1980-05-06", "role": "owner", "from": "2026-11-01"}]});
    suite
        .bans_call(Method::PUT, &format!("/api/v1/agencies/{kvk}/officers"), &suite.token(Role::Kvk, None), officers)
        .await;
    let ban = suite.ban_the_owner(kvk).await;
    let (status, r) = ask().await;
    assert_eq!((status, missing(&r)[0].clone()), (422, json!("officer_banned")), "{r}");
    let lifted = format!("/api/v1/bans/{}/lifting", ban["ban_id"].as_str().expect("ban id"));
    suite.bans_call(Method::POST, &lifted, &inspectorate, json!({"reason": "court ruling"})).await;

    // Less than the starter part (EUR 50,000) paid: a shortfall.
    suite.deposit_pay(kvk, 1_000_000).await;
    let (status, r) = ask().await;
    assert_eq!(status, 422);
    assert_eq!(missing(&r), [json!("deposit_shortfall"), json!("no_g_account")], "{r}");
    suite.deposit_pay(kvk, 4_000_000).await;
    let (status, r) = ask().await;
    assert_eq!((status, missing(&r)), (422, vec![json!("no_g_account")]), "{r}");
    let certificate: serde_json::Value = suite
        .http
        .get(format!("{}/api/v1/agencies/{kvk}/certificate", suite.certificates.address))
        .send()
        .await
        .expect("public view")
        .json()
        .await
        .expect("json");
    assert_eq!(certificate["status"], "none", "nothing issued while the test fails: {certificate}");

    // A G-account asked for (not yet verified by the tax authority) completes the test.
    let iban = zegel_gaccounts::domain::Iban::dutch("INGB", "0990446688");
    suite
        .gaccounts_call(
            Method::PUT,
            &format!("/api/v1/agencies/{kvk}/g-account"),
            &suite.token(Role::Agency, Some(kvk)),
            json!({"iban": iban, "bank": "ING"}),
        )
        .await;
    let (status, r) = ask().await;
    assert_eq!((status, r["status"].as_str()), (201, Some("provisional")), "{r}");
}

#[tokio::test]
async fn withdrawing_with_a_claim_on_the_deposit_open_is_an_escape_that_waits_like_a_revocation() {
    let suite = Suite::start().await;
    let (_, id) = suite.certified("11223344").await;
    // An inspector's wage claim on the deposit, accepted and not yet paid out.
    suite.file_claim("11223344", json!({"claim_type": "unpaid_wages", "description": "no payslips"})).await;
    let agency = suite.token(Role::Agency, Some("11223344"));
    let r = suite
        .http
        .post(format!("{}/api/v1/certificates/{id}/withdrawal", suite.certificates.address))
        .bearer_auth(&agency)
        .json(&json!({"reason": "closing down"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let withdrawn: serde_json::Value = r.json().await.unwrap();
    assert_eq!(withdrawn["escaped"], "escaped_claim", "{withdrawn}");
    let signal = zegel_testkit::wait_for_events(&suite.prefix.0, "certificate.withdrawn_to_escape", 1).await;
    assert_eq!(signal[0].payload["ground"], "escaped_claim");
    // Another body, the same day: it waits like a revocation.
    let r = suite
        .http
        .post(format!("{}/api/v1/agencies/11223344/certificates", suite.certificates.address))
        .bearer_auth(suite.token(Role::CertificationBody, Some("cb-e2e")))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let refusal: serde_json::Value = r.json().await.unwrap();
    assert_eq!(refusal["earlier_certificate"]["ground"], "escaped_claim", "{refusal}");
    let until = zegel_certificates::domain::lifecycle::add_months(platform::clock::dutch_date(chrono::Utc::now()), 24);
    assert_eq!(refusal["may_apply_from"], json!(until));
}
