//! The municipality's desk, as a civil servant of Venlo uses it without JavaScript: its
//! buildings (never another municipality's), the two pictures drawn on the server, the
//! permit requirement, a permit granted with a maximum and conditions — the building is
//! then over the number allowed — and refused, which opens a rehousing case for the
//! people living there. Every form goes to the housing register with the person's own
//! token; the register's trail names them.

use platform::auth::Role;
use serde_json::json;
use zegel_e2e::Suite;

use crate::body_desk::{Browser, session, workbench_for};

const VENLO: &str = "0983010000071201";
const AMSTERDAM: &str = "0363010000071202";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_municipality_decides_on_a_permit_and_sees_its_buildings_and_beds() {
    let suite = Suite::start().await;
    suite.certified_building("34570001", VENLO).await;
    suite.certified_building("34570002", AMSTERDAM).await;
    let provider = suite.token(Role::HousingProvider, Some("34570001"));
    let path = format!("/api/v1/buildings/{VENLO}/occupancy");
    let (status, _) = suite.housing_call(reqwest::Method::PUT, &path, &provider, json!({"people": 2})).await;
    assert_eq!(status, 200);

    let workbench = workbench_for(&suite).await;
    let (cookie, csrf) = session(&workbench, &suite, ("venlo", Role::Municipality, Some("0983")), &["housing"]).await;
    let browser = Browser::new(&workbench.address, &cookie);
    let (status, page) = browser.get("/municipality?lang=en").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(&format!("/municipality/buildings/{VENLO}")), "its own building: {page}");
    assert!(!page.contains(AMSTERDAM), "never another municipality's: {page}");
    assert!(page.contains("<svg") && page.contains("Buildings by the state of their quality mark"), "{page}");
    assert!(page.contains("<th scope=\"row\">certified</th><td>1</td>"), "one certified building: {page}");
    let month = platform::clock::dutch_date(chrono::Utc::now()).format("%Y-%m").to_string();
    assert!(
        page.contains(&format!("<th scope=\"row\">{month}</th><td>2</td><td>2</td><td>1</td>")),
        "this month: two beds, two people, one certified building: {page}"
    );
    assert!(page.contains("2 / 2") && page.contains("No permit decided."), "{page}");

    // The municipality requires landlord permits: the building's permit now blocks its mark.
    let (status, to, _) =
        browser.post("/municipality/requirement?lang=en", &[("csrf", &csrf), ("required", "yes")]).await;
    assert_eq!((status, to.as_deref().map(|t| t.contains("done=requirement"))), (303, Some(true)));
    let (_, page) = browser.get(&to.expect("back")).await;
    assert!(page.contains("The permit requirement was saved.") && page.contains("no valid permit"), "{page}");

    let at = format!("/municipality/buildings/{VENLO}");
    let (status, page) = browser.get(&format!("{at}?lang=en")).await;
    assert!(status == 200 && page.contains("Kerkstraat 7") && page.contains("Decide on the permit"), "{page}");
    let today = platform::clock::dutch_date(chrono::Utc::now()).to_string();
    // What the workbench cannot read stays on the form with a sentence; what the register
    // refuses too, with its own.
    let unreadable = [("csrf", csrf.as_str()), ("status", "granted"), ("valid_from", &today), ("max_people", "one")];
    let (status, _, page) = browser.post(&format!("{at}/permit?lang=en"), &unreadable).await;
    assert!(status == 422 && page.contains("must be a whole number") && page.contains("value=\"one\""), "{page}");
    let (status, _, page) =
        browser.post(&format!("{at}/permit?lang=en"), &[("csrf", &csrf), ("status", "refused")]).await;
    assert!(status == 422 && page.contains("reason"), "a refusal gives its reason: {page}");

    let granted = [
        ("csrf", csrf.as_str()),
        ("status", "granted"),
        ("valid_from", &today),
        ("max_people", "1"),
        ("conditions", "Fire alarm on every floor\r\nA second exit"),
    ];
    let (status, to, page) = browser.post(&format!("{at}/permit?lang=en"), &granted).await;
    assert_eq!((status, to.as_deref().map(|t| t.contains("done=permit"))), (303, Some(true)), "{page}");
    let (_, page) = browser.get(&to.expect("back")).await;
    assert!(page.contains("The permit decision was saved.") && page.contains("<li>A second exit</li>"), "{page}");
    assert!(page.contains("More people live here than allowed."), "two people, one allowed: {page}");

    let refused = [("csrf", csrf.as_str()), ("status", "refused"), ("reason", "The second exit was never built.")];
    let (status, _, _) = browser.post(&format!("{at}/permit?lang=en"), &refused).await;
    assert_eq!(status, 303);
    let (_, page) = browser.get(&format!("{at}?lang=nl")).await;
    assert!(page.contains("geweigerd") && page.contains("geen geldige verhuurvergunning"), "a rehousing case: {page}");
    let (_, page) = browser.get("/municipality?lang=en").await;
    assert!(page.contains("no landlord permit in force") && page.contains("<td>2</td>"), "{page}");

    // The register's trail names the person; no form is taken without the session's token.
    let client = suite.housing.state.core.pool.get().await.expect("connection");
    let row = client
        .query_one(
            "select count(*) from audit_log where actor = 'e2e-municipality' and org = '0983' and action like 'permit.%'",
            &[],
        )
        .await
        .expect("the trail");
    assert_eq!(row.get::<_, i64>(0), 3, "the requirement, the grant and the refusal");
    let (status, _, _) = browser.post(&format!("{at}/permit?lang=en"), &[("status", "granted")]).await;
    assert_eq!(status, 403);
}

/// Need to know at this desk: another municipality's building is "no building here", as
/// one not registered; a person without the role is not let in; a token without a
/// municipality code shows nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_municipality_sees_its_own_buildings_only() {
    let suite = Suite::start().await;
    suite.certified_building("34570003", AMSTERDAM).await;
    let workbench = workbench_for(&suite).await;
    let (cookie, csrf) = session(&workbench, &suite, ("venlo", Role::Municipality, Some("0983")), &["housing"]).await;
    let venlo = Browser::new(&workbench.address, &cookie);
    let (status, page) = venlo.get(&format!("/municipality/buildings/{AMSTERDAM}?lang=en")).await;
    assert!(status == 404 && !page.contains("Kerkstraat"), "{page}");
    let (status, page) = venlo.get("/municipality/buildings/0983010000099999?lang=en").await;
    assert!(status == 404, "{page}");
    let granted = [("csrf", csrf.as_str()), ("status", "granted"), ("valid_from", "2026-01-01")];
    let (status, _, page) = venlo.post(&format!("/municipality/buildings/{AMSTERDAM}/permit?lang=en"), &granted).await;
    assert!(status == 403 || status == 404, "{status} {page}");
    assert!(!page.contains("Kerkstraat"), "{page}");

    let (cookie, _) = session(&workbench, &suite, ("inspector", Role::HousingInspector, None), &["housing"]).await;
    let (status, _) = Browser::new(&workbench.address, &cookie).get("/municipality?lang=en").await;
    assert_eq!(status, 403);
    let (cookie, _) = session(&workbench, &suite, ("nowhere", Role::Municipality, None), &["housing"]).await;
    let (status, page) = Browser::new(&workbench.address, &cookie).get("/municipality?lang=en").await;
    assert!(status == 403 && page.contains("names no municipality"), "{page}");
}
