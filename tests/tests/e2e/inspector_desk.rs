//! The housing inspector's desk, as an inspector uses it on a tablet without JavaScript: the
//! worklist, a building's page, the inspection form with measured rooms, a tenancy contract
//! sampled and a deficiency, the result before saving (computed by the housing register,
//! nothing kept), then the inspection saved — and the page at the door shows the new
//! capacity. The session is opened in the workbench's store with the tokens a login gives.

use platform::auth::Role;
use serde_json::Value;
use zegel_e2e::Suite;

use crate::body_desk::{Browser, session, workbench_for};

const BAG: &str = "0983010000071101";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inspector_measures_rooms_and_the_door_shows_the_new_capacity() {
    let suite = Suite::start().await;
    let seal = suite.certified_building("34560001", BAG).await;
    let door = format!("{}/v/{seal}?lang=en", suite.lookup.address);
    let page = suite.http.get(&door).send().await.expect("door").text().await.expect("page");
    assert!(page.contains("at most \u{2068}2\u{2069} people"), "{page}");
    let complaint = serde_json::json!({"category": "overcrowding", "text": "Three of us now.", "lang": "pl"});
    let path = format!("/api/v1/buildings/{BAG}/complaints");
    let r =
        suite.http.post(format!("{}{path}", suite.housing.address)).json(&complaint).send().await.expect("complaint");
    assert_eq!(r.status(), 202);

    let workbench = workbench_for(&suite).await;
    let (cookie, csrf) = session(&workbench, &suite, ("inspector", Role::HousingInspector, None), &["housing"]).await;
    let browser = Browser::new(&workbench.address, &cookie);
    let (status, page) = browser.get("/inspector?lang=en").await;
    assert!(
        status == 200 && page.contains("Complaint to follow up: overcrowding") && page.contains("Kerkstraat 7"),
        "{page}"
    );
    let (status, page) = browser.get(&format!("/inspector/buildings/{BAG}?lang=en")).await;
    assert!(status == 200 && page.contains("Three of us now.") && page.contains("name=\"bedroom_3\""), "{page}");
    assert!(
        page.contains("<span lang=\"pl\">Three of us now.</span>"),
        "the resident's words in their language: {page}"
    );
    let complaint_id = page
        .split("name=\"complaint_id\">")
        .nth(1)
        .and_then(|s| s.split("<option value=\"").nth(2))
        .and_then(|s| s.split('"').next())
        .expect("the complaint to link")
        .to_string();

    let today = platform::clock::dutch_date(chrono::Utc::now());
    let deadline = (today + chrono::Days::new(30)).to_string();
    let starts = (today - chrono::Days::new(10)).to_string();
    let form = [
        ("csrf", csrf.as_str()),
        ("kind", "unannounced"),
        ("complaint_id", complaint_id.as_str()),
        ("findings", "A third bedroom was made from the storage room."),
        ("bedroom_0", "6"),
        ("bedroom_1", "6"),
        ("bedroom_2", "6,25"),
        ("living_area", "46"),
        ("contract_0_form", "indefinite"),
        ("contract_0_own", "yes"),
        ("contract_0_self_contained", "yes"),
        ("contract_0_starts_on", starts.as_str()),
        ("contract_0_notice_months", "1"),
        ("deficiency_0", "No smoke detector in the new bedroom."),
        ("deadline_0", deadline.as_str()),
    ];
    let at = format!("/inspector/buildings/{BAG}");
    let (status, _, page) = browser.post(&format!("{at}/preview?lang=en"), &form).await;
    assert!(status == 200 && page.contains("The result before saving"), "{status} {page}");
    assert!(
        page.contains("<dd>3</dd>") && page.contains("value=\"6,25\"") && page.contains("Three of us now."),
        "{page}"
    );
    let page = suite.http.get(&door).send().await.expect("door").text().await.expect("page");
    assert!(page.contains("at most \u{2068}2\u{2069} people"), "the preview kept nothing: {page}");

    // A number the workbench cannot read stays on the form with a sentence.
    let mut wrong = form.to_vec();
    wrong[6] = ("bedroom_2", "six");
    let (status, _, page) = browser.post(&format!("{at}/inspection?lang=en"), &wrong).await;
    assert!(status == 422 && page.contains("must be a number of m²") && page.contains("value=\"six\""), "{page}");

    let (status, to, page) = browser.post(&format!("{at}/inspection?lang=en"), &form).await;
    assert_eq!((status, to.as_deref().map(|t| t.contains("done=inspection"))), (303, Some(true)), "{page}");
    let (_, page) = browser.get(&to.expect("back to the building")).await;
    assert!(page.contains("The inspection was recorded.") && page.contains("No smoke detector"), "{page}");
    assert!(page.contains("<dd>suspended</dd>"), "a deficiency suspends the mark until it is remedied: {page}");
    assert!(!page.contains("Three of us now."), "the complaint was followed up: {page}");

    // The remedy, confirmed at the desk: the mark is certified again, and the door shows
    // the capacity of the rooms as measured.
    let deficiency = page
        .split("name=\"deficiency_id\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("open deficiency")
        .to_string();
    let (status, _, _) =
        browser.post(&format!("{at}/resolution?lang=en"), &[("csrf", &csrf), ("deficiency_id", &deficiency)]).await;
    assert_eq!(status, 303);
    let (_, page) = browser.get(&format!("{at}?lang=nl")).await;
    assert!(page.contains("Geen tekortkomingen") && page.contains("<dd>gecertificeerd</dd>"), "{page}");
    let page = suite.http.get(&door).send().await.expect("door").text().await.expect("page");
    assert!(page.contains("at most \u{2068}3\u{2069} people"), "the door shows the measured capacity: {page}");

    // The register's trail names the inspector.
    let mark = format!("/api/v1/buildings/{BAG}/mark");
    let (_, body) =
        suite.housing_call(reqwest::Method::GET, &mark, &suite.token(Role::HousingInspector, None), Value::Null).await;
    assert_eq!(body["status"], "certified", "{body}");
}
