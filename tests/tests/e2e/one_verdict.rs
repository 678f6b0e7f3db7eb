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
    // KvK, registering a staffing activity for it, asks only the certificate and the
    // entry test (advice 2.1 A, D): the same reasons, fewer of them.
    let today = platform::clock::dutch_date(chrono::Utc::now()).to_string();
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
    let blocking = codes
        .iter()
        .filter_map(|c| zegel_contracts::agency::Reason::parse(c))
        .any(zegel_contracts::agency::blocks_registration);
    assert_eq!(k["result"] == "allow", !blocking, "KvK {k}");
    if verdict == "valid" {
        assert_eq!(k["result"], "allow", "an agency a hirer may hire is registered: {k}");
    }
    (verdict, codes)
}

#[tokio::test]
async fn a_starters_seal_says_what_the_check_says_through_a_ban_and_its_lifting() {
    let suite = Suite::start().await;
    let kvk = "55667788";
    let body = suite.provisional(kvk).await;
    let seal = suite.seal(kvk, &body).await["seal"].as_str().unwrap().to_string();

    // Provisional after the entry test (officers, the starter deposit, a G-account asked
    // for), nothing else yet: the check says no, and so does the seal.
    let (verdict, codes) = agree(&suite, kvk, &seal).await;
    assert_eq!(verdict, "suspended");
    assert_eq!(codes, ["g_account_requested", "housing_undeclared"]);
    let page = suite.page(&seal, "pl").await;
    assert!(
        page.contains(&zegel_e2e::esc("Konto G agencji nie zostało jeszcze zweryfikowane.")),
        "the failing parts, in Polish: {page}"
    );
    // The hirer's page says the same, in Dutch.
    let hirer = suite.lookup_page(&format!("/check?kvk={kvk}&lang=nl")).await;
    assert!(hirer.contains("Waarom niet"), "{hirer}");
    assert!(hirer.contains("De G-rekening van het uitzendbureau is nog niet geverifieerd."), "{hirer}");
    assert!(hirer.contains("niet opgegeven waar het werknemers huisvest"), "{hirer}");

    // The G-account verified, housing declared: a starter on probation may be hired,
    // its seal is valid.
    suite.clear_officers_and_active_g_account(kvk).await;
    let (verdict, codes) = agree(&suite, kvk, &seal).await;
    assert_eq!((verdict.as_str(), codes.len()), ("valid", 0));

    // The inspectorate bans the owner: the very next scan says suspended, for that reason.
    let inspectorate = suite.token(Role::Inspectorate, None);
    let ban = suite.ban_the_owner(kvk).await;
    let (verdict, codes) = agree(&suite, kvk, &seal).await;
    assert_eq!((verdict.as_str(), codes), ("suspended", vec!["officer_banned".to_string()]));
    let page = suite.page(&seal, "nl").await;
    assert!(page.contains("Een eigenaar of bestuurder van het uitzendbureau heeft een verbod."), "{page}");
    assert!(!page.contains("Bakker") && !page.contains(&zegel_e2e::owner_bsn(kvk)), "no person at the door");

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

#[tokio::test]
async fn agencies_housing_workers_in_a_building_that_loses_its_mark_turn_and_their_seals_with_them() {
    let suite = Suite::start().await;
    // A specialised housing firm's building; two agencies place their workers there.
    let firm = "70000001";
    let bag = "0983010000007777";
    suite.certified_building(firm, bag).await;
    let mut seals = Vec::new();
    for kvk in ["31000001", "31000002"] {
        let (body, _) = suite.certified(kvk).await;
        seals.push((kvk, suite.seal(kvk, &body).await["seal"].as_str().expect("seal").to_string()));
    }
    // The declaration of housing no one stands in the way of a placement's truth: recording
    // one is allowed, and then the buildings decide.
    for (kvk, seal) in &seals {
        let agency = suite.token(Role::Agency, Some(kvk));
        let (status, body) = suite
            .housing_call(
                Method::POST,
                &format!("/api/v1/agencies/{kvk}/placements"),
                &agency,
                json!({"bag_id": bag, "from": "2026-01-01", "rent_withheld": true}),
            )
            .await;
        assert_eq!((status, body["certified"].as_bool()), (201, Some(true)), "{body}");
        let (verdict, _) = agree(&suite, kvk, seal).await;
        assert_eq!(verdict, "valid");
        let c = check(&suite, kvk).await;
        assert_eq!(c["parts"]["housing"]["status"], "all_certified", "{c}");
    }
    // Another agency may not read where these workers live.
    let other = suite.token(Role::Agency, Some("31000002"));
    let (status, _) =
        suite.housing_call(Method::GET, "/api/v1/agencies/31000001/placements", &other, json!(null)).await;
    assert_eq!(status, 403);

    // The building's mark is suspended: both agencies turn at the next scan, and each is told.
    suite.suspend_building(bag).await;
    for (kvk, seal) in &seals {
        let (verdict, codes) = agree(&suite, kvk, seal).await;
        assert_eq!((verdict.as_str(), codes), ("suspended", vec!["building_not_certified".to_string()]), "{kvk}");
    }
    let told = zegel_testkit::wait_for_events(&suite.prefix.0, "housing.placement_mark_lost", 2).await;
    let mut subjects: Vec<&str> = told.iter().map(|e| e.subject.as_str()).collect();
    subjects.sort();
    assert_eq!(subjects, ["31000001", "31000002"]);
    assert!(told.iter().all(|e| e.payload["bag_id"] == bag && e.payload["status"] == "suspended"));
    assert!(told.iter().all(|e| e.addressed_to == vec!["certificates"]), "no authority topic receives it");
    // Their certification bodies hear of it through the certificates register.
    let bodies = zegel_testkit::wait_for_events(&suite.prefix.0, "certificate.housing_mark_ended", 2).await;
    assert!(bodies.iter().all(|e| e.addressed_to == vec!["certification_body:cb-e2e"] && e.payload["bag_id"] == bag));

    // One agency moves its workers out and declares it houses no one: valid again; the
    // other stays suspended until the building is certified again.
    let (kvk, seal) = &seals[0];
    let agency = suite.token(Role::Agency, Some(kvk));
    let (_, listed) =
        suite.housing_call(Method::GET, &format!("/api/v1/agencies/{kvk}/placements"), &agency, json!(null)).await;
    let id = listed["placements"][0]["placement"]["placement_id"].as_str().expect("placement id").to_string();
    let declare = json!({"houses_no_one": true});
    let path = format!("/api/v1/agencies/{kvk}/housing-declaration");
    let (status, body) = suite.housing_call(Method::PUT, &path, &agency, declare.clone()).await;
    assert_eq!((status, body["type"].as_str()), (409, Some("urn:zegel:problem:houses-workers")), "{body}");
    let yesterday = (platform::clock::dutch_date(chrono::Utc::now()) - chrono::Days::new(1)).to_string();
    let (status, body) = suite
        .housing_call(Method::POST, &format!("/api/v1/placements/{id}/end"), &agency, json!({"to": yesterday}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(suite.housing_call(Method::PUT, &path, &agency, declare).await.0, 200);
    assert_eq!(agree(&suite, kvk, seal).await.0, "valid");
    assert_eq!(agree(&suite, seals[1].0, &seals[1].1).await.0, "suspended");
}
