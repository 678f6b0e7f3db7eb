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
