//! Complaints about work (advice 7.2 D): a worker reports anonymously from the page at the
//! door or the rights page, in their language; the Labour Authority and the agency's
//! certification body read it, the agency never; the worker follows it by a private link.

use platform::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};
use zegel_e2e::Suite;

const AGENCY: &str = "11223344";

#[tokio::test]
async fn a_worker_complains_anonymously_and_only_the_labour_authority_and_the_body_read_it() {
    let suite = Suite::start().await;
    let (_body, _) = suite.certified(AGENCY).await;
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");

    // From the rights page to the form, in Polish, without JavaScript.
    let rights =
        browser.get(format!("{}/rights?lang=pl", suite.lookup.address)).send().await.unwrap().text().await.unwrap();
    assert!(
        rights.contains("href=\"/work-complaint?lang=pl\"") && rights.contains("Zgłoś problem w pracy"),
        "{rights}"
    );
    let form = browser
        .get(format!("{}/work-complaint?lang=pl&kvk={AGENCY}", suite.lookup.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        form.contains(&format!("/api/v1/agencies/{AGENCY}/work-complaints"))
            && form.contains("Zatrzymano mój paszport"),
        "{form}"
    );
    assert!(!form.contains("<script"));

    let posted = browser
        .post(format!("{}/api/v1/agencies/{AGENCY}/work-complaints", suite.certificates.address))
        .form(&[("lang", "pl"), ("category", "documents_withheld"), ("text", "Kierownik trzyma nasze paszporty.")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 303);
    let location = posted.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with(&format!("{}/work-complaints/", suite.lookup.address)) && location.ends_with("&lang=pl"),
        "{location}"
    );
    let page = browser.get(&location).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("Twoje zgłoszenie zostało przyjęte.") && page.contains("Inspekcja Pracy je przeczyta"),
        "{page}"
    );

    // The Labour Authority and the agency's certification body read it; never the agency.
    let list = format!("{}/api/v1/agencies/{AGENCY}/work-complaints", suite.certificates.address);
    let read = |token: String| {
        let suite = &suite;
        let list = list.clone();
        async move {
            let r = suite.http.get(list).bearer_auth(token).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap_or_default())
        }
    };
    let (status, body) = read(suite.token(Role::Inspectorate, None)).await;
    assert_eq!((status, body["complaints"][0]["category"].as_str()), (200, Some("documents_withheld")), "{body}");
    assert_eq!(read(suite.token(Role::CertificationBody, Some("cb-e2e"))).await.0, 200, "the agency's body");
    assert_eq!(read(suite.token(Role::CertificationBody, Some("cb-other"))).await.0, 403, "another body");
    assert_eq!(read(suite.token(Role::Agency, Some(AGENCY))).await.0, 403, "never the agency");
    assert_eq!(read(suite.token(Role::Hirer, Some("87654321"))).await.0, 403);
    let received = zegel_testkit::wait_for_events(&suite.prefix.0, "certificate.work_complaint_received", 1).await;
    assert_eq!(received[0].addressed_to, ["inspectorate", "certification_body:cb-e2e"]);
    assert!(!received[0].payload.to_string().contains("paszport"), "the text stays in the register");

    // The Labour Authority moves it on; the worker sees it.
    let id = body["complaints"][0]["complaint_id"].as_str().unwrap().to_string();
    let r = suite
        .http
        .request(Method::POST, format!("{}/api/v1/work-complaints/{id}/status", suite.certificates.address))
        .bearer_auth(suite.token(Role::Inspectorate, None))
        .json(&json!({"status": "under_investigation"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = browser.get(&location).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Inspekcja Pracy wyjaśnia sprawę"), "{page}");
    assert_eq!(browser.get(location.replace("t=", "t=0")).send().await.unwrap().status(), 404, "the link is the key");

    // Bad input: JSON answers with the field; a form lands back on the form with the error.
    let json_post = |body: Value| {
        let suite = &suite;
        async move {
            let r = suite
                .http
                .post(format!("{}/api/v1/agencies/{AGENCY}/work-complaints", suite.certificates.address))
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap_or_default())
        }
    };
    let (status, body) = json_post(json!({"category": "noise"})).await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (422, Some("/category")), "{body}");
    let (status, body) = json_post(json!({"category": "other", "text": "x".repeat(2001)})).await;
    assert_eq!((status, body["errors"][0]["pointer"].as_str()), (422, Some("/text")), "{body}");
    let (status, body) = json_post(json!({"category": "intimidation", "lang": "ro"})).await;
    assert_eq!(status, 201, "{body}");
    assert!(body["status_url"].as_str().unwrap().ends_with("&lang=ro"));
    let bad = browser
        .post(format!("{}/api/v1/agencies/{AGENCY}/work-complaints", suite.certificates.address))
        .form(&[("lang", "pl"), ("category", "noise")])
        .send()
        .await
        .unwrap();
    let back = bad.headers()["location"].to_str().unwrap();
    assert!(back.ends_with(&format!("/work-complaint?kvk={AGENCY}&lang=pl&error=invalid")), "{back}");

    // Like housing complaints: ten an hour from one address (five were posted above).
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(json_post(json!({"category": "other"})).await.0);
    }
    assert_eq!(statuses, [201, 201, 201, 201, 201, 429], "the eleventh within the hour");
}
