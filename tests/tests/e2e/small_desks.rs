//! The housing provider's and the tax authority's desks without JavaScript: a provider
//! reports how many people live in its building (more than allowed is at once on the page
//! at the door) and prints the poster for the door; the tax authority reads an agency's
//! G-account number to verify it, verifies it, and is refused a block without a reason.
//! Each desk acts with the person's own token, for their own organisation only.

use platform::auth::Role;
use serde_json::json;
use zegel_e2e::Suite;

use crate::body_desk::{Browser, session, workbench_for};

const PROVIDER: &str = "34580001";
const BAG: &str = "0983010000071301";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_reports_its_residents_and_prints_the_poster() {
    let suite = Suite::start().await;
    let seal = suite.certified_building(PROVIDER, BAG).await;
    suite.certified_building("34580002", "0983010000071302").await;
    let workbench = workbench_for(&suite).await;
    let who = ("provider", Role::HousingProvider, Some(PROVIDER));
    let (cookie, csrf) = session(&workbench, &suite, who, &["housing"]).await;
    let browser = Browser::new(&workbench.address, &cookie);
    let (status, page) = browser.get("/provider?lang=en").await;
    assert!(status == 200 && page.contains("Kerkstraat 7") && page.contains(BAG), "{page}");
    assert!(!page.contains("0983010000071302"), "never another provider's building: {page}");

    let at = format!("/provider/buildings/{BAG}");
    let (status, _, page) = browser.post(&format!("{at}/seal?lang=en"), &[("csrf", &csrf)]).await;
    assert!(status == 200 && page.contains("data:image/png;base64,") && page.contains("Building (BAG)"), "{page}");
    let (status, _, page) =
        browser.post(&format!("{at}/occupancy?lang=en"), &[("csrf", &csrf), ("people", "three")]).await;
    assert!(status == 422 && page.contains("must be a whole number"), "{page}");
    let (status, to, _) = browser.post(&format!("{at}/occupancy?lang=en"), &[("csrf", &csrf), ("people", "3")]).await;
    assert_eq!((status, to.as_deref().map(|t| t.contains("done=occupancy"))), (303, Some(true)));
    let (_, page) = browser.get(&to.expect("back")).await;
    assert!(page.contains("The number of residents was saved.") && page.contains("<dd>3</dd>"), "{page}");
    let door = format!("{}/v/{seal}?lang=en", suite.lookup.address);
    let door = suite.http.get(&door).send().await.expect("door").text().await.expect("page");
    assert!(door.contains("not valid now"), "three people where two may live: {door}");

    let other = "/provider/buildings/0983010000071302/occupancy?lang=en";
    let (status, _, page) = browser.post(other, &[("csrf", &csrf), ("people", "1")]).await;
    assert!(status == 404 && !page.contains("saved"), "{status} {page}");

    // A new building registered and its rooms reported at the desk.
    let new = "0983010000071303";
    let building = [
        ("csrf", csrf.as_str()),
        ("bag_id", new),
        ("street", "Kerkstraat"),
        ("number", "9"),
        ("postcode", "5911 BC"),
        ("place", "Venlo"),
        ("building_type", "group_housing"),
    ];
    let (status, to, page) = browser.post("/provider/buildings?lang=en", &building).await;
    assert_eq!((status, to.as_deref().map(|t| t.contains("done=registered"))), (303, Some(true)), "{page}");
    let rooms = [("csrf", csrf.as_str()), ("bedroom_0", "6"), ("bedroom_1", "6,5"), ("living_area", "35")];
    let (status, to, _) = browser.post(&format!("/provider/buildings/{new}/rooms?lang=en"), &rooms).await;
    assert_eq!((status, to.as_deref().map(|t| t.contains("done=rooms"))), (303, Some(true)));
    let (_, page) = browser.get(&to.expect("back")).await;
    assert!(
        page.contains("The rooms were saved.") && page.contains(&format!("/provider/buildings/{new}/rooms")),
        "{page}"
    );
    let (status, _, _) = browser.post("/provider/buildings?lang=en", &building).await;
    assert_eq!(status, 409, "a building is registered once");

    // An agency records that it houses workers in the building; the provider accepts it.
    suite.certified("61000601").await;
    suite.place("61000601", BAG).await;
    let (_, page) = browser.get("/provider?lang=en").await;
    assert!(page.contains("Agency 61000601 houses workers here from"), "{page}");
    let id =
        page.split("/provider/placements/").nth(1).and_then(|s| s.split('/').next()).expect("placement").to_string();
    let (status, to, _) =
        browser.post(&format!("/provider/placements/{id}/acceptance?lang=en"), &[("csrf", &csrf)]).await;
    assert_eq!((status, to.as_deref().map(|t| t.contains("done=accepted"))), (303, Some(true)));
    let (_, page) = browser.get(&to.expect("back")).await;
    assert!(page.contains("The placement was accepted.") && !page.contains("houses workers here from"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tax_authority_verifies_a_g_account_at_its_desk() {
    let suite = Suite::start().await;
    let kvk = "61000301";
    let iban = zegel_gaccounts::domain::Iban::dutch("INGB", "0991000301");
    let agency = suite.token(Role::Agency, Some(kvk));
    let g = format!("/api/v1/agencies/{kvk}/g-account");
    suite.gaccounts_call(reqwest::Method::PUT, &g, &agency, json!({"iban": iban, "bank": "ING"})).await;

    let workbench = workbench_for(&suite).await;
    let (cookie, csrf) = session(&workbench, &suite, ("tax", Role::Tax, None), &["gaccounts"]).await;
    let browser = Browser::new(&workbench.address, &cookie);
    let (status, page) = browser.get(&format!("/tax?lang=en&kvk={kvk}")).await;
    assert!(status == 200 && page.contains(iban.as_str()) && page.contains("registered, not yet verified"), "{page}");
    let at = format!("/tax/agencies/{kvk}");
    let (status, to, _) = browser.post(&format!("{at}/verification?lang=en"), &[("csrf", &csrf), ("reason", "")]).await;
    assert_eq!((status, to.as_deref().map(|t| t.contains("done=verification"))), (303, Some(true)));
    let (_, page) = browser.get(&to.expect("back")).await;
    assert!(page.contains("The account was verified.") && page.contains("<dd>in use</dd>"), "{page}");
    let (status, _, page) = browser.post(&format!("{at}/blocking?lang=en"), &[("csrf", &csrf), ("reason", "")]).await;
    assert!(status == 422 && page.contains("reason"), "a block gives its reason: {page}");
    let (status, _, _) = browser.post(&format!("{at}/verification?lang=en"), &[("csrf", &csrf)]).await;
    assert_eq!(status, 409, "an active account is not verified again: the register's rule");
    let (status, page) = browser.get("/tax?lang=en&kvk=12").await;
    assert!(status == 422 && page.contains("8 digits"), "{page}");
    let (status, _, _) = browser.post(&format!("{at}/closure?lang=en"), &[("reason", "x")]).await;
    assert_eq!(status, 403, "no form without the session's token");

    let (cookie, _) = session(&workbench, &suite, ("hirer", Role::Hirer, Some("50000001")), &["gaccounts"]).await;
    let (status, _) = Browser::new(&workbench.address, &cookie).get(&format!("/tax?kvk={kvk}")).await;
    assert_eq!(status, 403);
}

/// The hirer's desk: a check with a signed receipt, an accident reported and listed, and a
/// subscription made (its secret shown once) and ended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hirer_keeps_a_receipt_reports_an_accident_and_follows_an_agency() {
    let suite = Suite::start().await;
    let agency = "61000401";
    suite.certified(agency).await;
    let workbench = workbench_for(&suite).await;
    let who = ("hirer", Role::Hirer, Some("50000001"));
    let (cookie, csrf) = session(&workbench, &suite, who, &["certificates", "lookup", "notifier"]).await;
    let browser = Browser::new(&workbench.address, &cookie);
    let (status, page) = browser.get("/hirer?lang=en").await;
    assert!(status == 200 && page.contains("You follow no agencies."), "{page}");

    let (status, _, page) = browser.post("/hirer/receipts?lang=en", &[("csrf", &csrf), ("kvk", agency)]).await;
    assert!(status == 200 && page.contains("Hirers may hire through this agency now."), "{page}");
    assert!(page.contains("Receipt of the check of") && page.contains("readonly>ey"), "a signed receipt: {page}");
    let (status, _, _) = browser.post("/hirer/receipts?lang=en", &[("csrf", &csrf), ("kvk", "12")]).await;
    assert_eq!(status, 422);

    let today = platform::clock::dutch_date(chrono::Utc::now()).to_string();
    let accident = [
        ("csrf", csrf.as_str()),
        ("kvk", agency),
        ("occurred_on", today.as_str()),
        ("kind", "hospital_admission"),
        ("what_happened", "A fall from a loading platform."),
    ];
    let (status, to, _) = browser.post("/hirer/accidents?lang=en", &accident).await;
    assert_eq!((status, to.as_deref().map(|t| t.contains("done=accident"))), (303, Some(true)));
    let (_, page) = browser.get(&to.expect("back")).await;
    assert!(page.contains("The accident was reported.") && page.contains("hospital admission"), "{page}");
    let mut late = accident.to_vec();
    late[2] = ("occurred_on", "2001-01-01");
    let (status, _, page) = browser.post("/hirer/accidents?lang=en", &late).await;
    assert!(status == 422 && page.contains("occurred_on"), "the register's refusal: {page}");

    let follow = [("csrf", csrf.as_str()), ("url", "http://127.0.0.1:9/zegel"), ("agencies", agency)];
    let (status, _, page) = browser.post("/hirer/subscriptions?lang=en", &follow).await;
    assert!(status == 201 && page.contains("Copy the secret now"), "{page}");
    let secret = page.split("id=\"secret\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("secret");
    let (_, page) = browser.get("/hirer?lang=en").await;
    assert!(page.contains("http://127.0.0.1:9/zegel") && !page.contains(secret), "shown once: {page}");
    let id = page.split("/hirer/subscriptions/").nth(1).and_then(|s| s.split('/').next()).expect("id").to_string();
    let (status, to, _) = browser.post(&format!("/hirer/subscriptions/{id}/end?lang=en"), &[("csrf", &csrf)]).await;
    assert_eq!(status, 303);
    let (_, page) = browser.get(&to.expect("back")).await;
    assert!(page.contains("The subscription ended.") && page.contains("You follow no agencies."), "{page}");
}

/// The KvK's desk: checks asked by hand and read back; a BSN typed is never shown again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kvk_checks_a_registration_and_a_deregistration_by_hand() {
    let suite = Suite::start().await;
    let agency = "61000501";
    suite.certified(agency).await;
    let workbench = workbench_for(&suite).await;
    let (cookie, csrf) = session(&workbench, &suite, ("kvk", Role::Kvk, None), &["lookup"]).await;
    let browser = Browser::new(&workbench.address, &cookie);
    let (status, page) = browser.get("/kvk?lang=en").await;
    assert!(status == 200 && page.contains("Check a registration"), "{page}");

    let today = platform::clock::dutch_date(chrono::Utc::now()).to_string();
    let dereg = [("csrf", csrf.as_str()), ("kvk", agency), ("date", today.as_str())];
    let (status, _, page) = browser.post("/kvk/checks/deregistration?lang=en", &dereg).await;
    assert!(status == 200 && page.contains("The answer") && page.contains("no signal"), "{page}");

    let registration = [
        ("csrf", csrf.as_str()),
        ("kvk", "61000502"),
        ("sbi_codes", "7820"),
        ("vog_issued_on", today.as_str()),
        ("bsn_0", "111222333"),
        ("role_0", "director"),
    ];
    let (status, _, page) = browser.post("/kvk/checks/registration?lang=en", &registration).await;
    assert!(status == 200 && page.contains("The answer") && page.contains("61000502"), "{page}");
    assert!(!page.contains("111222333"), "the BSN is never shown again: {page}");
    let mut no_vog = registration.to_vec();
    no_vog[3] = ("vog_issued_on", "");
    let (status, _, page) = browser.post("/kvk/checks/registration?lang=en", &no_vog).await;
    assert!(status == 422 && !page.contains("111222333"), "{page}");

    let (_, page) = browser.get(&format!("/kvk?lang=en&kvk={agency}")).await;
    assert!(page.contains("<td>deregistration</td>") && !page.contains("61000502"), "one agency's checks: {page}");
    let (cookie, _) = session(&workbench, &suite, ("hirer", Role::Hirer, Some("50000001")), &["lookup"]).await;
    assert_eq!(Browser::new(&workbench.address, &cookie).get("/kvk").await.0, 403);
}
