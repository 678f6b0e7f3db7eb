//! The admission authority's desk, without JavaScript: a worker's claim against an
//! agency's deposit waits on the list; its page shows the claim but not who filed it; the
//! assessment with a presumption shows what the register would accept and how the
//! presumption computes it before anything is saved; saved, the claim leaves the list and
//! the worker's own status link says accepted.

use platform::auth::Role;
use serde_json::{Value, json};
use zegel_e2e::Suite;

use crate::body_desk::{Browser, session, workbench_for};

const KVK: &str = "62000001";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_authority_assesses_a_claim_with_a_presumption_it_saw_first() {
    let suite = Suite::start().await;
    suite.deposit_pay(KVK, 5_000_000).await;
    let claim = json!({"name": "Ioana Popescu", "contact": "+40 712 345 678", "period_from": "2025-08-01",
        "period_to": "2025-09-30", "paid_cents": 0, "description": "No wages for August and September.",
        "evidence": ["time sheets"], "language": "ro"});
    let url = format!("{}/api/v1/agencies/{KVK}/deposit/worker-claims", suite.deposits.address);
    let filed: Value = suite.http.post(url).json(&claim).send().await.expect("claim").json().await.expect("json");
    let id = filed["claim_id"].as_str().expect("claim id").to_string();

    let workbench = workbench_for(&suite).await;
    let (cookie, csrf) =
        session(&workbench, &suite, ("admission", Role::AdmissionAuthority, None), &["deposits"]).await;
    let browser = Browser::new(&workbench.address, &cookie);
    let (status, page) = browser.get("/admission?lang=en").await;
    assert!(status == 200 && page.contains(KVK) && page.contains("unpaid wages"), "{page}");
    let at = format!("/admission/claims/{id}");
    let (status, page) = browser.get(&format!("{at}?lang=en")).await;
    assert!(
        status == 200 && page.contains("No wages for August and September.") && page.contains("time sheets"),
        "{page}"
    );
    assert!(!page.contains("Ioana") && !page.contains("+40"), "who filed it is not on the desk: {page}");

    let form = [("csrf", csrf.as_str()), ("decision", "accept"), ("presumption", "administration_unusable")];
    let (status, _, page) = browser.post(&format!("{at}/preview?lang=en"), &form).await;
    assert!(status == 200 && page.contains("Would be accepted: € "), "{status} {page}");
    assert!(page.contains("minimum wage in force from") && page.contains("selected>administration unusable"), "{page}");
    let (_, page) = browser.get(&format!("{at}?lang=en")).await;
    assert!(page.contains("Save the assessment"), "the preview kept nothing: still to assess");

    // What the register refuses comes back on the page: accepting in part needs a reason.
    let part = [("csrf", csrf.as_str()), ("decision", "accept_in_part"), ("amount", "1200,50")];
    let (status, _, page) = browser.post(&format!("{at}/assessment?lang=en"), &part).await;
    assert!(status == 422 && page.contains("reason") && page.contains("value=\"1200,50\""), "{status} {page}");
    let (status, _, page) = browser
        .post(&format!("{at}/assessment?lang=en"), &[("csrf", &csrf), ("decision", "accept"), ("amount", "12.345")])
        .await;
    assert!(status == 422 && page.contains("The amount must be euros"), "{page}");

    let (status, to, _) = browser.post(&format!("{at}/assessment?lang=en"), &form).await;
    let to = to.expect("back to the list");
    assert!(status == 303 && to.contains("done=assessment"), "{to}");
    let (_, page) = browser.get(&to).await;
    assert!(page.contains("The assessment was recorded.") && page.contains("No claims wait."), "{page}");
    let (_, page) = browser.get(&format!("{at}?lang=en")).await;
    assert!(page.contains("This claim has been assessed.") && page.contains("accepted"), "{page}");

    // The register keeps who assessed it; another role has no such desk.
    let claim = suite
        .deposits_call(
            reqwest::Method::GET,
            &format!("/api/v1/claims/{id}"),
            &suite.token(Role::AdmissionAuthority, None),
            Value::Null,
        )
        .await;
    assert_eq!(
        (claim["status"].as_str(), claim["presumption"].as_str()),
        (Some("accepted"), Some("administration_unusable")),
        "{claim}"
    );
    let (cookie, _) = session(&workbench, &suite, ("labour", Role::Inspectorate, None), &["deposits"]).await;
    let (status, _) = Browser::new(&workbench.address, &cookie).get(&at).await;
    assert_eq!(status, 403);
}
