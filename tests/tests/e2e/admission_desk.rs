//! The admission authority's desk, without JavaScript: a worker's claim against an
//! agency's deposit waits on the list; its page shows the claim but not who filed it; the
//! assessment with a presumption shows what the register would accept and how the
//! presumption computes it before anything is saved; saved, the claim leaves the list; the
//! deposit's payout is shown split before it is booked, and booked once.

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
    assert!(page.contains("lang=\"ro\">No wages"), "the worker's words are marked with their language: {page}");

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

    // The deposit: the accepted claim waits for its payout; the split is shown before it
    // is booked, and the same form posted twice books once.
    let (_, page) = browser.get("/admission?lang=en").await;
    let deposit = format!("/admission/deposits/{KVK}");
    assert!(page.contains(&format!("href=\"{deposit}?lang=en\"")), "the deposit is listed to pay: {page}");
    let (status, page) = browser.get(&format!("{deposit}?lang=en")).await;
    assert!(status == 200 && page.contains("€ 50000,00") && page.contains("accepted"), "{page}");
    let (status, _, page) = browser.post(&format!("{deposit}/preview?lang=en"), &[("csrf", &csrf)]).await;
    assert!(status == 200 && page.contains("Paid now") && page.contains("Still owed after it: € 0,00"), "{page}");
    let nonce =
        page.split("name=\"nonce\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("nonce").to_string();
    let book = [("csrf", csrf.as_str()), ("nonce", nonce.as_str())];
    let (status, to, _) = browser.post(&format!("{deposit}/payout?lang=en"), &book).await;
    assert!(status == 303 && to.as_deref().is_some_and(|t| t.contains("done=payout")), "{status} {to:?}");
    let (status, _, _) = browser.post(&format!("{deposit}/payout?lang=en"), &book).await;
    assert_eq!(status, 303, "the same form again is the same payout");
    let ledger = format!("/api/v1/agencies/{KVK}/deposit/ledger");
    let ledger = suite
        .deposits_call(reqwest::Method::GET, &ledger, &suite.token(Role::AdmissionAuthority, None), Value::Null)
        .await;
    let payouts = ledger["entries"].as_array().expect("entries").iter().filter(|e| e["kind"] == "payout").count();
    assert_eq!(payouts, 1, "booked once: {ledger}");
    let (_, page) = browser.get(&format!("{deposit}?lang=en")).await;
    assert!(page.contains("No accepted claims wait."), "{page}");

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
        (Some("paid"), Some("administration_unusable")),
        "{claim}"
    );
    let (cookie, _) = session(&workbench, &suite, ("labour", Role::Inspectorate, None), &["deposits"]).await;
    let (status, _) = Browser::new(&workbench.address, &cookie).get(&at).await;
    assert_eq!(status, 403);
}
