//! Complaints: anonymous, rate limited, never public, never to the provider.

use serde_json::json;

use crate::helpers::{BAG, building, spawn_app, spawn_with};

#[tokio::test]
async fn complaints_reach_the_inspector_and_the_municipality_only() {
    let app = spawn_app().await;
    let bag = app.registered(building()).await;
    let path = format!("/api/v1/buildings/{bag}/complaints");
    let secret = "Twelve people sleep in two rooms; the boss takes 120 euro a week.";
    let r = app
        .send("POST", &path, None, Some(json!({"category": "overcrowding", "text": secret, "lang": "pl"})), None)
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    assert!(r.body["detail"].as_str().unwrap().contains("does not see"), "the resident is told");

    // Readers: the inspector and Amsterdam. Not the provider, not another municipality, not the public.
    let r = app.get(&path, Some(&app.inspector())).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["complaints"][0]["text"], secret);
    assert_eq!(r.body["complaints"][0]["language"], "pl");
    assert_eq!(app.get(&path, Some(&app.municipality("0363"))).await.status, 200);
    assert_eq!(app.get(&path, Some(&app.provider())).await.status, 403, "the provider");
    assert_eq!(app.get(&path, Some(&app.municipality("0599"))).await.status, 403, "another municipality");
    assert_eq!(app.get(&path, None).await.status, 401, "the public");
    for public in [format!("/api/v1/buildings/{bag}"), "/api/v1/providers/12345678/buildings".to_string()] {
        let text = app.get(&public, None).await.body.to_string();
        assert!(!text.contains("Twelve") && !text.contains("overcrowding"), "{public} shows nothing of it");
    }
    let mark = app.get(&format!("/api/v1/buildings/{bag}/mark"), Some(&app.provider())).await.body.to_string();
    assert!(!mark.contains("Twelve"), "nor the provider's record of the mark");

    // The event says a complaint came in, not what it says.
    let events = zegel_testkit::wait_for_events(&app.prefix.0, "housing.complaint_received", 1).await;
    assert_eq!(events[0].payload["category"], "overcrowding");
    assert!(!events[0].payload.to_string().contains("Twelve"));

    // The inspector follows it up unannounced; the municipality hears that it was taken up.
    let id = app.get(&path, Some(&app.inspector())).await.body["complaints"][0]["complaint_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post(
            &format!("/api/v1/buildings/{bag}/inspections"),
            &app.inspector(),
            json!({"kind": "unannounced", "findings": "Nine people present.", "complaint_id": id,
                   "deficiencies": [{"description": "Overcrowded", "deadline": (app.clock.today() + chrono::Days::new(14)).to_string()}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let accepted = zegel_testkit::wait_for_events(&app.prefix.0, "housing.complaint_accepted", 1).await;
    assert_eq!(accepted[0].addressed_to, vec!["municipality"]);
    assert_eq!(app.get(&path, Some(&app.inspector())).await.body["complaints"][0]["status"], "inspected");
}

#[tokio::test]
async fn a_browser_form_lands_on_the_thank_you_page_in_its_language() {
    let app = spawn_app().await;
    let bag = app.registered(building()).await;
    let url = format!("{}/api/v1/buildings/{bag}/complaints", app.address);
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let post = |form: &'static str| {
        no_redirects.post(&url).header("content-type", "application/x-www-form-urlencoded").body(form).send()
    };
    let r = post("category=hygiene&text=Geen+warm+water&lang=pl").await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "http://127.0.0.1:8080/complaint/sent?lang=pl");
    let r = post("category=noise&text=x&lang=ro").await.unwrap();
    assert_eq!(r.headers()["location"], "http://127.0.0.1:8080/complaint/sent?lang=ro&error=invalid");
    let r = post("category=other&lang=xx").await.unwrap();
    assert_eq!(r.headers()["location"], "http://127.0.0.1:8080/complaint/sent?lang=nl", "an empty text is allowed");
    let stored = app.get(&format!("/api/v1/buildings/{bag}/complaints"), Some(&app.inspector())).await;
    assert_eq!(stored.body["complaints"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn complaints_are_validated_and_rate_limited_per_client() {
    let app = spawn_with(|s| s.own.complaints_per_hour = 6).await;
    app.registered(building()).await;
    let path = format!("/api/v1/buildings/{BAG}/complaints");
    let send = |body: serde_json::Value| app.send("POST", &path, None, Some(body), None);
    let long = "x".repeat(2001);
    for (body, case) in [
        (json!({"category": "noise", "text": "x"}), "unknown category"),
        (json!({"category": "other", "text": long}), "text too long"),
        (json!({"category": "other", "text": "safe\u{202E}efas"}), "a direction override"),
        (json!({"category": "other", "text": "no\u{200B}heating"}), "a zero-width space"),
        (json!({"category": "other", "text": "\u{FEFF}mould"}), "a byte order mark"),
    ] {
        assert_eq!(send(body).await.status, 422, "{case}");
    }
    assert_eq!(send(json!({"category": "other", "name": "Jan"})).await.status, 422, "no field for a name");
    assert_eq!(
        app.send(
            "POST",
            "/api/v1/buildings/0363010000999999/complaints",
            None,
            Some(json!({"category": "other"})),
            None
        )
        .await
        .status,
        429,
        "the limit counts every attempt of this client"
    );
    let r = send(json!({"category": "other"})).await;
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").is_some());
}

#[tokio::test]
async fn a_complaint_about_an_address_the_register_does_not_hold_is_kept_and_answered_alike() {
    let app = spawn_app().await;
    app.registered(building()).await;
    let send = |bag: &'static str| {
        let path = format!("/api/v1/buildings/{bag}/complaints");
        let app = &app;
        async move { app.send("POST", &path, None, Some(json!({"category": "overcrowding"})), None).await }
    };
    let (known, unknown) = (send(BAG).await, send("0363010000999999").await);
    assert_eq!((known.status, unknown.status), (202, 202), "{:?}", unknown.body);
    assert_eq!(known.body, unknown.body, "the answer never says whether an address houses migrants");
    // The inspector hears of it and reads it, marked as an address nobody registered.
    let told = zegel_testkit::wait_for_events(&app.prefix.0, "housing.complaint_received", 2).await;
    assert!(told.iter().any(|e| e.payload["bag_id"] == "0363010000999999" && e.payload["registered"] == false));
    let read = app.get("/api/v1/buildings/0363010000999999/complaints", Some(&app.inspector())).await;
    assert_eq!((read.status, read.body["registered"].as_bool()), (200, Some(false)), "{:?}", read.body);
    assert_eq!(read.body["complaints"][0]["category"], "overcrowding");
    let stranger = app.municipality("0599");
    assert_eq!(app.get("/api/v1/buildings/0363010000999999/complaints", Some(&stranger)).await.status, 403);
}
