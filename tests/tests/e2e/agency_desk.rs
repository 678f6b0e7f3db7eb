//! The agency's desk, as the agency's own staff use it without JavaScript: where it stands
//! as hirers see it, what it has to do next, a poster of its certificate and of its
//! G-account, and the claims against its deposit — their kind, status and amounts, never
//! the worker's name or words. Every register answers for the agency in the person's token
//! only.

use platform::auth::Role;
use serde_json::{Value, json};
use zegel_e2e::Suite;

use crate::body_desk::{Browser, session, workbench_for};

const KVK: &str = "61000201";
const REGISTERS: [&str; 4] = ["certificates", "deposits", "gaccounts", "housing"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agency_sees_where_it_stands_and_prints_its_posters() {
    let suite = Suite::start().await;
    suite.certified(KVK).await;
    suite.deposit_pay(KVK, 5_000_000).await;
    let claim = json!({"name": "Ioana Popescu", "period_from": "2025-08-01", "period_to": "2025-09-30",
        "paid_cents": 0, "description": "No wages for August and September.", "language": "ro"});
    let claims = format!("{}/api/v1/agencies/{KVK}/deposit/worker-claims", suite.deposits.address);
    let filed: Value = suite.http.post(claims).json(&claim).send().await.expect("claim").json().await.expect("json");
    assert!(filed["claim_id"].is_string(), "{filed}");

    let workbench = workbench_for(&suite).await;
    let (cookie, csrf) = session(&workbench, &suite, ("agency", Role::Agency, Some(KVK)), &REGISTERS).await;
    let browser = Browser::new(&workbench.address, &cookie);
    let (status, page) = browser.get("/agency?lang=en").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Hirers may hire through this agency now."), "{page}");
    assert!(page.contains("<dd>certified</dd>") && page.contains("in use ("), "certificate and G-account: {page}");
    assert!(page.contains("unpaid wages") && page.contains("filed"), "the claim's kind and status: {page}");
    assert!(!page.contains("Ioana") && !page.contains("No wages"), "never the worker's name or words: {page}");
    assert!(page.contains("/agency/seals/certificate") && page.contains("/agency/seals/g-account"), "{page}");

    for kind in ["certificate", "g-account"] {
        let (status, _, page) = browser.post(&format!("/agency/seals/{kind}?lang=en"), &[("csrf", &csrf)]).await;
        assert!(status == 200 && page.contains("data:image/png;base64,") && page.contains(KVK), "{kind}: {page}");
    }
    let (status, _, _) = browser.post("/agency/seals/building?lang=en", &[("csrf", &csrf)]).await;
    assert_eq!(status, 404);
    let (status, _, _) = browser.post("/agency/seals/certificate?lang=en", &[("csrf", "forged")]).await;
    assert_eq!(status, 403);

    // A hirer reports an accident: the agency records its report and the safety check.
    let hirer = suite.token(Role::Hirer, Some("50000001"));
    let today = platform::clock::dutch_date(chrono::Utc::now()).to_string();
    let accident = json!({"occurred_on": today, "kind": "hospital_admission", "what_happened": "A fall."});
    suite.certs_post(&format!("/api/v1/agencies/{KVK}/accidents"), &hirer, accident).await;
    let (_, page) = browser.get("/agency?lang=en").await;
    assert!(
        page.contains("Record the report to the Labour Authority: ") && page.contains("hospital admission"),
        "{page}"
    );
    let id = page.split("/agency/accidents/").nth(1).and_then(|s| s.split('/').next()).expect("accident").to_string();
    let at = format!("/agency/accidents/{id}");
    let report = [("csrf", csrf.as_str()), ("reference", "NLA-2026-0042")];
    let (status, to, _) = browser.post(&format!("{at}/authority-report?lang=en"), &report).await;
    assert_eq!((status, to.as_deref().map(|t| t.contains("done=authority-report"))), (303, Some(true)));
    let measures = [("csrf", csrf.as_str()), ("measures", "A railing on the loading platform.")];
    let (status, _, _) = browser.post(&format!("{at}/safety-check?lang=en"), &measures).await;
    assert_eq!(status, 303);
    let (_, page) = browser.get("/agency?lang=en").await;
    assert!(page.contains("Reported and checked.") && !page.contains("Record the safety check"), "{page}");

    // Where it houses workers: a building recorded at the desk, and the workers' leaving.
    suite.certified_building("34590001", "0983010000071401").await;
    suite.certified_building("34590001", "0983010000071402").await;
    suite.place(KVK, "0983010000071401").await;
    let placed = [("csrf", csrf.as_str()), ("bag_id", "0983010000071402"), ("from", today.as_str())];
    let (status, to, page) = browser.post("/agency/placements?lang=en", &placed).await;
    assert_eq!((status, to.as_deref().map(|t| t.contains("done=placed"))), (303, Some(true)), "{page}");
    let (_, page) = browser.get("/agency?lang=en").await;
    assert!(page.contains("0983010000071402") && page.contains("accepted by the provider: not yet"), "{page}");
    let id = page.split("/agency/placements/").nth(1).and_then(|s| s.split('/').next()).expect("placement").to_string();
    let left = [("csrf", csrf.as_str()), ("to", today.as_str())];
    let (status, to, _) = browser.post(&format!("/agency/placements/{id}/end?lang=en"), &left).await;
    assert_eq!((status, to.as_deref().map(|t| t.contains("done=left"))), (303, Some(true)));
    let (status, _, page) = browser.post("/agency/placements?lang=en", &[("csrf", &csrf), ("from", "soon")]).await;
    assert!(status == 422 && page.contains("date"), "{page}");

    // The certificates register's trail names the person who asked for the seal.
    let client = suite.certificates.state.core.pool.get().await.expect("connection");
    let row = client
        .query_one("select count(*) from audit_log where actor = 'e2e-agency' and org = $1", &[&KVK])
        .await
        .expect("the trail");
    assert!(row.get::<_, i64>(0) >= 1, "the seal is in the register's trail under the person");
}

/// An agency not registered is told so; a person without the role, or without a KvK
/// number in their token, is not let in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agency_desk_is_the_agency_s_own() {
    let suite = Suite::start().await;
    let workbench = workbench_for(&suite).await;
    let (cookie, _) = session(&workbench, &suite, ("newcomer", Role::Agency, Some("61000299")), &REGISTERS).await;
    let (status, page) = Browser::new(&workbench.address, &cookie).get("/agency?lang=en").await;
    assert!(status == 404 && page.contains("not registered yet"), "{page}");
    let (cookie, _) = session(&workbench, &suite, ("hirer", Role::Hirer, Some("61000298")), &REGISTERS).await;
    let (status, _) = Browser::new(&workbench.address, &cookie).get("/agency?lang=en").await;
    assert_eq!(status, 403);
    let (cookie, _) = session(&workbench, &suite, ("nobody", Role::Agency, None), &REGISTERS).await;
    let (status, page) = Browser::new(&workbench.address, &cookie).get("/agency?lang=en").await;
    assert!(status == 403 && page.contains("names no agency"), "{page}");
}
