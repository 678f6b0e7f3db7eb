//! The hirer's journey: check an agency (one verdict, a part per register, a signed
//! receipt), check a whole supplier list, print the page; the receipt shows what was true
//! then next to what is true now. No BSN and no name of a person in any answer.

use platform::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};
use zegel_e2e::Suite;

async fn check(suite: &Suite, kvk: &str) -> (u16, Value) {
    get(suite, &format!("/api/v1/agencies/{kvk}/check")).await
}

async fn get(suite: &Suite, path: &str) -> (u16, Value) {
    let r = suite.http.get(format!("{}{path}", suite.lookup.address)).send().await.expect("get");
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

/// POST /api/v1/agencies/{kvk}/receipts: the check with a kept receipt.
async fn keep_receipt(suite: &Suite, kvk: &str) -> (u16, Value) {
    let url = format!("{}/api/v1/agencies/{kvk}/receipts", suite.lookup.address);
    let r = suite.http.post(url).send().await.expect("post");
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

async fn receipts_kept(suite: &Suite) -> i64 {
    let client = suite.lookup.state.core.pool.get().await.expect("lookup database");
    client.query_one("select count(*) from receipt", &[]).await.expect("count").get(0)
}

#[tokio::test]
async fn a_hirer_checks_an_agency_keeps_the_receipt_and_sees_the_change() {
    let suite = Suite::start().await;
    let kvk = "11223344";
    suite.certified(kvk).await;

    let (status, v) = check(&suite, kvk).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["may_hire"], true, "{v}");
    assert_eq!(v["reasons"], json!([]));
    for (part, expected) in [
        ("certificate", "certified"),
        ("officers", "clear"),
        ("deposit", "adequate"),
        ("g_account", "active"),
        ("housing", "none"),
    ] {
        assert_eq!(v["parts"][part]["status"], expected, "{part}: {v}");
        assert_eq!(v["parts"][part]["ok"], true, "{part}");
    }
    assert!(v["parts"]["certificate"]["changed_at"].is_string(), "each part says when it last changed");
    assert!(v["parts"]["g_account"]["detail"]["iban"].as_str().unwrap().contains("099"), "the G-account's IBAN");
    assert_eq!(v["parts"]["certificate"]["detail"]["agency_name"], "E2E Flex");
    let doc = zegel_testkit::openapi(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/lookup.yaml"));
    let shape = zegel_testkit::shape_violations(&doc, "AgencyCheck", &v);
    assert!(shape.is_empty(), "{shape:?}");
    let text = v.to_string();
    assert!(!text.contains(&zegel_e2e::owner_bsn(kvk)) && !text.contains("Bakker"), "no BSN, no name: {text}");

    // A check stores nothing; a receipt is made when asked for.
    assert!(v.get("receipt").is_none(), "no receipt unasked: {v}");
    assert_eq!(receipts_kept(&suite).await, 0);
    // A GET never stores: any page on the web can make its visitors' browsers send one.
    let (status, v) = get(&suite, &format!("/api/v1/agencies/{kvk}/check?receipt=true")).await;
    assert_eq!(status, 400, "{v}");
    assert!(v["detail"].as_str().unwrap_or_default().contains("/receipts"), "{v}");
    assert_eq!(receipts_kept(&suite).await, 0);
    // Nor does a browser's post that another site made.
    let cross = suite
        .http
        .post(format!("{}/api/v1/agencies/{kvk}/receipts", suite.lookup.address))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .expect("post");
    assert_eq!(cross.status(), 403);
    assert_eq!(receipts_kept(&suite).await, 0);
    let (status, v) = keep_receipt(&suite, kvk).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(receipts_kept(&suite).await, 1);

    // The receipt verifies like any seal: signed by the lookup, what was true at the check.
    let receipt = v["receipt"]["seal"].as_str().unwrap().to_string();
    assert!(v["receipt"]["url"].as_str().unwrap().ends_with(&receipt));
    let r = suite.verify(&receipt).await;
    assert_eq!((r["verdict"].as_str(), r["register"].as_str()), (Some("valid"), Some("lookup")), "{r}");
    assert_eq!(r["facts"]["may_hire"], true);
    assert_eq!(r["facts"]["receipt"]["parts"]["officers"]["status"], "clear");

    // The owner is banned: the check now says do not hire, and why.
    suite.ban_the_owner(kvk).await;
    let (_, v) = check(&suite, kvk).await;
    assert_eq!(v["may_hire"], false);
    assert_eq!(v["parts"]["officers"]["status"], "not_clear");
    assert!(v["reasons"].as_array().unwrap().iter().any(|r| r.as_str().unwrap().contains("under a ban")), "{v}");
    assert!(!v.to_string().contains("Bakker"), "still no name");

    // The old receipt still says what was true then, and its page shows now next to it.
    let page = suite.lookup_page(&format!("/v/{receipt}?lang=en")).await;
    let then = page.find("At the time of the check").expect("then");
    let now = page.find("<dt>Now</dt>").expect("now");
    assert!(page[then..now].contains("You may hire through this agency"), "{page}");
    assert!(page[now..].contains("Do not hire through this agency"), "{page}");
}

#[tokio::test]
async fn unknown_agencies_unhoused_buildings_and_bad_numbers() {
    let suite = Suite::start().await;
    let (status, v) = check(&suite, "99887766").await;
    assert_eq!(status, 200);
    assert_eq!(v["may_hire"], false);
    assert_eq!(v["parts"]["certificate"]["status"], "none");
    assert_eq!(v["parts"]["officers"]["status"], "unknown");
    assert_eq!(v["parts"]["housing"]["status"], "undeclared", "nothing said about housing is not 'none'");
    assert_eq!(v["reasons"].as_array().unwrap().len(), 5, "{v}");
    assert_eq!(check(&suite, "1234").await.0, 400);
    // No receipt for a number nobody registered: it would prove nothing, and costs storage.
    let (status, v) = keep_receipt(&suite, "99887766").await;
    assert_eq!((status, v["type"].as_str()), (404, Some("urn:zegel:problem:not-found")), "{v}");
    assert_eq!(receipts_kept(&suite).await, 0);

    // An agency that houses workers in a building that lost its mark.
    let kvk = "22334455";
    suite.certified(kvk).await;
    suite.certified_building(kvk, "0983010000004444").await;
    assert_eq!(check(&suite, kvk).await.1["parts"]["housing"]["status"], "all_certified");
    let provider = suite.token(Role::HousingProvider, Some(kvk));
    let body = json!({"bag_id": "0983010000005555", "street": "Markt", "number": 2, "postcode": "5911 AA", "place": "Venlo", "building_type": "dwelling"});
    assert_eq!(suite.housing_call(Method::POST, "/api/v1/buildings", &provider, body).await.0, 201);
    let (_, v) = check(&suite, kvk).await;
    assert_eq!(
        (v["may_hire"].as_bool(), v["parts"]["housing"]["status"].as_str()),
        (Some(false), Some("not_all_certified"))
    );
    assert_eq!(v["parts"]["housing"]["detail"]["buildings"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_whole_supplier_list_in_one_request_and_a_printable_page() {
    let suite = Suite::start().await;
    suite.certified("33445566").await;
    let hirer = suite.token(Role::Hirer, Some("87654321"));
    let bulk = |numbers: Value| {
        suite
            .http
            .post(format!("{}/api/v1/agency-checks", suite.lookup.address))
            .bearer_auth(&hirer)
            .json(&json!({"kvk_numbers": numbers}))
            .send()
    };
    let r = bulk(json!(["33445566", "99887766", "33445566"])).await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!((v["count"].as_i64(), v["may_hire"].as_i64()), (Some(3), Some(2)));
    let order: Vec<&str> = v["results"].as_array().unwrap().iter().map(|r| r["kvk_number"].as_str().unwrap()).collect();
    assert_eq!(order, ["33445566", "99887766", "33445566"], "one result per number, in order");
    assert!(v["results"].as_array().unwrap().iter().all(|r| r.get("receipt").is_none()), "none unasked");
    assert_eq!(receipts_kept(&suite).await, 0);
    let r = suite
        .http
        .post(format!("{}/api/v1/agency-checks", suite.lookup.address))
        .bearer_auth(&hirer)
        .json(&json!({"kvk_numbers": ["33445566", "99887766", "33445566", "33445566"], "receipts": true}))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert!(v["results"][0]["receipt"]["seal"].is_string(), "a receipt for the known agency: {v}");
    assert!(v["results"][1].get("receipt").is_none(), "none for a number nobody registered: {v}");
    assert_eq!(v["results"][2]["receipt"], v["results"][0]["receipt"], "a number named again: the same receipt");
    assert_eq!(receipts_kept(&suite).await, 1, "one receipt per agency, however often the list names it");

    // Only a hirer checks lists: without a token 401, with another role's token 403.
    let url = format!("{}/api/v1/agency-checks", suite.lookup.address);
    let anonymous = suite.http.post(&url).json(&json!({"kvk_numbers": ["33445566"]})).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let agency = suite.token(Role::Agency, Some("33445566"));
    let other = suite.http.post(&url).bearer_auth(agency).json(&json!({"kvk_numbers": ["33445566"]})).send();
    assert_eq!(other.await.unwrap().status(), 403);
    let r = bulk(json!(["33445566", "12"])).await.unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["pointer"], "/kvk_numbers/1");
    let too_many: Vec<String> = (0..501).map(|i| format!("{:08}", 10_000_000 + i)).collect();
    assert_eq!(bulk(json!(too_many)).await.unwrap().status(), 422);
    assert_eq!(bulk(json!([])).await.unwrap().status(), 422);

    let page = |q: &str| {
        let url = format!("{}/check{q}", suite.lookup.address);
        let http = suite.http.clone();
        async move { http.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let en = page("?kvk=33445566&lang=en").await;
    assert!(en.contains("You may hire through this agency") && en.contains("E2E Flex (KvK 33445566)"), "{en}");
    assert!(!en.contains("href=\"/v/") && !en.contains("<script"), "no receipt unasked, no JavaScript");
    assert_eq!(receipts_kept(&suite).await, 1, "the page stored nothing");
    let en = page("?kvk=33445566&lang=en&receipt=1").await;
    assert!(!en.contains("href=\"/v/"), "a GET of the page never keeps a receipt");
    assert_eq!(receipts_kept(&suite).await, 1);
    let keep = |site: &'static str| {
        suite
            .http
            .post(format!("{}/check", suite.lookup.address))
            .header("sec-fetch-site", site)
            .form(&[("kvk", "33445566"), ("lang", "en")])
            .send()
    };
    let refused = keep("cross-site").await.unwrap();
    assert_eq!(refused.status(), 403, "another site's page cannot keep receipts in its visitors' browsers");
    let en = keep("same-origin").await.unwrap().text().await.unwrap();
    assert!(en.contains("href=\"/v/"), "a receipt link from the page's own button: {en}");
    assert_eq!(receipts_kept(&suite).await, 2);
    // In every language of the suite, with the switch to each.
    let pl = page("?kvk=33445566&lang=pl").await;
    assert!(pl.contains("<html lang=\"pl\">") && pl.contains("Możesz korzystać z pracowników tej agencji"), "{pl}");
    for lang in ["nl", "en", "pl", "ro", "bg", "es", "lt", "hu"] {
        assert!(pl.contains(&format!("href=\"?lang={lang}\"")), "switch to {lang}");
    }
    let ro = page("?kvk=33445566&lang=ro").await;
    assert!(ro.contains("Puteți lucra cu această agenție"), "{ro}");
    let nl = page("?kvk=99887766&lang=nl").await;
    assert!(nl.contains("Leen niet in via dit uitzendbureau"), "{nl}");
    assert!(
        page("?kvk=12x&lang=en")
            .await
            .contains("A KvK number has 8 digits; an agency abroad is named by its country and register number")
    );
    assert!(page("").await.contains("<form method=\"get\" action=\"/check\">"), "the form, in Dutch by default");
}

#[tokio::test]
async fn a_subscribed_hirer_hears_of_the_ban_by_a_signed_webhook_and_the_check_turns() {
    let suite = Suite::start().await;
    let kvk = "44556677";
    suite.certified(kvk).await;
    assert_eq!(check(&suite, kvk).await.1["may_hire"], true);

    // The hirer subscribes to the agency it uses, with its own small webhook receiver.
    let receiver = zegel_testkit::Receiver::start().await;
    let hirer = suite.token(Role::Hirer, Some("12121212"));
    let r = suite
        .http
        .post(format!("{}/api/v1/subscriptions", suite.notifier.address))
        .bearer_auth(&hirer)
        .json(&json!({"url": receiver.url, "agencies": [kvk]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let secret = r.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_string();

    // The owner is banned: the certificate is suspended; the hirer hears of it.
    suite.ban_the_owner(kvk).await;
    let got = receiver
        .wait_until(|r| {
            r.iter()
                .any(|w| serde_json::from_slice::<Value>(&w.body).is_ok_and(|b| b["type"] == "certificate.suspended"))
        })
        .await;
    let now = chrono::Utc::now().timestamp();
    for w in &got {
        let ts: i64 = w.headers["zegel-timestamp"].parse().unwrap();
        assert!(zegel_notifier::webhook::verify(&secret, ts, &w.body, &w.headers["zegel-signature"], now), "signed");
        let body: Value = serde_json::from_slice(&w.body).unwrap();
        assert_eq!(body["agencies"], json!([kvk]), "{body}");
        assert!(body.get("payload").is_none(), "a follower hears that a part changed, not why: {body}");
        let text = String::from_utf8_lossy(&w.body);
        assert!(!text.contains(&zegel_e2e::owner_bsn(kvk)) && !text.contains("Bakker"), "no BSN, no name: {text}");
        assert!(!text.contains("underpayment"), "never the inspector's reason: {text}");
        // ... and the public check of the agency as it was when the webhook went out.
        let verdict = &body["checks"][0];
        assert_eq!(verdict["kvk_number"], kvk, "{body}");
        assert!(verdict["parts"]["certificate"]["status"].is_string(), "{body}");
        assert!(verdict["parts"]["g_account"].get("detail").is_none(), "no part's detail (an IBAN): {body}");
    }
    let suspended = got
        .iter()
        .map(|w| serde_json::from_slice::<Value>(&w.body).unwrap())
        .find(|b| b["type"] == "certificate.suspended")
        .unwrap();
    assert_eq!(suspended["checks"][0]["may_hire"], false, "{suspended}");
    assert!(
        suspended["checks"][0]["reason_codes"].as_array().unwrap().iter().any(|r| r == "officer_banned"),
        "the same reasons as the check: {suspended}"
    );
    assert_eq!(check(&suite, kvk).await.1["may_hire"], false, "the check now says do not hire");
}
