//! A worker from Romania claims unpaid wages from a phone: the form on the lookup in
//! Romanian, no JavaScript, no account; the claim followed by its private link; assessed
//! with the presumption of two months of minimum wage; paid pro rata when the agency's
//! deposit is short.

use platform::auth::Role;
use serde_json::json;
use zegel_e2e::Suite;

/// An agency whose deposit holds EUR 3,000 only.
const AGENCY: &str = "22334455";

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).map(|i| i + start.len()).expect("start");
    let to = text[from..].find(end).map(|i| from + i).expect("end");
    &text[from..to]
}

#[tokio::test]
async fn a_worker_claims_in_romanian_follows_the_claim_and_sees_it_paid_pro_rata() {
    let suite = Suite::start().await;
    suite.deposit_pay(AGENCY, 300_000).await;
    let phone = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Mobile";
    let browser = reqwest::Client::builder()
        .user_agent(phone)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");

    // The rights page leads to the form, which asks the agency first, then the claim.
    let rights =
        browser.get(format!("{}/rights?lang=ro", suite.lookup.address)).send().await.unwrap().text().await.unwrap();
    assert!(rights.contains("href=\"/claim?lang=ro\"") && rights.contains("Cereți salariul neplătit"), "{rights}");
    let first =
        browser.get(format!("{}/claim?lang=ro", suite.lookup.address)).send().await.unwrap().text().await.unwrap();
    assert!(first.contains("Numărul KvK al agenției") && !first.contains("<script"), "{first}");
    let form = browser.get(format!("{}/claim?lang=ro&kvk={AGENCY}", suite.lookup.address)).send().await.unwrap();
    let csp = form.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(
        csp.contains(&format!("form-action 'self' {}", suite.deposits.address)),
        "the form may post to the deposits register: {csp}"
    );
    let form = form.text().await.unwrap();
    assert!(form.contains(&format!("/api/v1/agencies/{AGENCY}/deposit/worker-claims")), "{form}");
    assert!(form.contains("Numele și datele de contact ajung doar la autoritatea de admitere"));
    let nonce = between(&form, "name=\"nonce\" value=\"", "\"").to_string();

    // The browser posts the form to the deposits register and lands on the private page.
    let fields = [
        ("lang", "ro"),
        ("nonce", nonce.as_str()),
        ("name", "Ioana Popescu"),
        ("contact", "+40 712 345 678"),
        ("bsn", ""),
        ("period_from", "2025-08-01"),
        ("period_to", "2025-09-30"),
        ("paid_eur", "0"),
        ("description", "Nu am primit salariul pentru august și septembrie."),
        ("evidence", "mesaje WhatsApp"),
    ];
    let posted = browser
        .post(format!("{}/api/v1/agencies/{AGENCY}/deposit/worker-claims", suite.deposits.address))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 303);
    let location = posted.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with(&format!("{}/claims/", suite.lookup.address)), "{location}");
    let page = browser.get(&location).send().await.unwrap();
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let page = page.text().await.unwrap();
    assert!(page.contains("Cererea dumneavoastră a fost primită."), "{page}");
    assert!(page.contains("autoritatea de admitere o va evalua"), "what happens next, in Romanian");
    let claim_id = between(&location, "/claims/", "?").to_string();
    let wrong = location.replace("t=", "t=0");
    assert_eq!(browser.get(&wrong).send().await.unwrap().status(), 404, "the link is the key");

    // The admission authority assesses (two months of minimum wage) and pays what the
    // deposit holds: EUR 3,000 of EUR 4,992.
    let na = suite.token(Role::AdmissionAuthority, None);
    let r = suite
        .http
        .post(format!("{}/api/v1/claims/{claim_id}/assessment", suite.deposits.address))
        .bearer_auth(&na)
        .json(&json!({"decision": "accept", "presumption": "administration_unusable"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = suite
        .http
        .post(format!("{}/api/v1/agencies/{AGENCY}/deposit/payouts", suite.deposits.address))
        .bearer_auth(&na)
        .header("idempotency-key", "payouts-1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = browser.get(location.replace("&filed=1", "")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Plătită parțial"), "{page}");
    assert!(page.contains("EUR 4992.00") && page.contains("EUR 3000.00"), "{page}");
    assert!(!page.contains("Popescu"), "the page shows no personal data");
}
