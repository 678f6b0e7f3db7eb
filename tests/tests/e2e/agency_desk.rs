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
