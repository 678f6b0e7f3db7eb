//! Seals, QR codes, the poster, and the read contract the lookup verifies against.

use serde_json::{Value, json};
use zegel_housing::domain::mobile_season_ok;

use crate::helpers::{TestApp, building, spawn_app};

async fn live(app: &TestApp, seal_id: &str) -> (String, Value) {
    app.live(seal_id).await
}

#[tokio::test]
async fn a_certified_building_gets_a_seal_a_qr_code_and_a_poster() {
    let app = spawn_app().await;
    let bag = app.registered(building()).await;
    let seal = format!("/api/v1/buildings/{bag}/seal");
    let poster = format!("/api/v1/buildings/{bag}/poster.svg");
    let r = app.post(&seal, &app.provider(), json!({})).await;
    assert_eq!((r.status, r.body["type"].as_str()), (409, Some("urn:zegel:problem:building-not-certified")));
    assert_eq!(app.get(&poster, Some(&app.provider())).await.status, 409, "no seal yet");
    app.inspect(&bag, &[]).await;

    let other = app.token(&[platform::auth::Role::HousingProvider], Some("87654321"));
    assert_eq!(app.post(&seal, &other, json!({})).await.status, 404, "another provider: as if not registered");
    assert_eq!(app.post(&seal, &app.municipality("0363"), json!({})).await.status, 403, "the municipality");
    let r = app.post(&seal, &app.inspector(), json!({})).await;
    assert_eq!(r.status, 201, "the inspector may: {:?}", r.body);
    let r = app.post(&seal, &app.provider(), json!({})).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert!(r.body["qr_version"].as_i64().unwrap() <= 13, "{:?}", r.body["qr_version"]);
    assert!(r.body["url"].as_str().unwrap().starts_with("http://127.0.0.1:8080/v/"));
    let seal_id = r.body["seal_id"].as_str().unwrap().to_string();
    let claims = r.body["seal"].as_str().unwrap().split('.').nth(1).unwrap().to_string();
    let claims: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, claims).unwrap(),
    )
    .unwrap();
    assert_eq!((claims["iss"].as_str(), claims["sub"].as_str()), (Some("hsg"), Some(bag.as_str())));
    assert_eq!(claims["f"]["cap"], 2, "the capacity as a display fact");

    let png = app.http.get(format!("{}/api/v1/seals/{seal_id}/qr.png", app.address)).send().await.unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");
    assert_eq!(app.get(&poster, None).await.status, 401, "not for whoever knows a BAG id");
    let other = app.token(&[platform::auth::Role::HousingProvider], Some("87654321"));
    assert_eq!(app.get(&poster, Some(&other)).await.status, 404, "not for another provider, who learns nothing");
    let svg = app.http.get(format!("{}{poster}", app.address)).bearer_auth(app.provider()).send().await.unwrap();
    assert_eq!(svg.status(), 200);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    let svg = svg.text().await.unwrap();
    for needle in [
        "Oudezijds Achterburgwal 12 2-hoog",
        "1012 DN Amsterdam",
        "Max. 2",
        "Scan om te controleren",
        "Zeskanuj, aby sprawdzić",
        "Scanați pentru a verifica",
        "Сканирайте",
        "Escanee para comprobar",
        "Nuskenuokite",
        "Szkennelje be",
        "<path",
    ] {
        assert!(svg.contains(needle), "the poster shows {needle}");
    }
    assert!(svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"));
    // The same poster as a PDF, for the same readers only (the address is on it).
    let pdf = format!("/api/v1/buildings/{bag}/poster.pdf");
    assert_eq!(app.get(&pdf, None).await.status, 401, "not for whoever knows a BAG id");
    assert_eq!(app.get(&pdf, Some(&other)).await.status, 404, "not for another provider, who learns nothing");
    let printed = app.http.get(format!("{}{pdf}", app.address)).bearer_auth(app.provider()).send().await.unwrap();
    assert_eq!(
        (printed.status().as_u16(), &printed.headers()["content-type"]),
        (200, &"application/pdf".parse().unwrap())
    );
    assert!(printed.bytes().await.unwrap().starts_with(b"%PDF-"));
    let (status, facts) = live(&app, &seal_id).await;
    assert_eq!(status, "good");
    assert_eq!((facts["capacity"].as_i64(), facts["reason"].is_null()), (Some(2), true), "{facts}");
}

#[tokio::test]
async fn the_seal_follows_the_mark_the_permit_and_the_occupancy_live() {
    let app = spawn_app().await;
    let bag = app.certified().await;
    let seal_id = app.post(&format!("/api/v1/buildings/{bag}/seal"), &app.provider(), json!({})).await.body["seal_id"]
        .as_str()
        .unwrap()
        .to_string();

    // More people than allowed: flagged to the municipality and the inspector, said at the door.
    let occupancy = format!("/api/v1/buildings/{bag}/occupancy");
    assert_eq!(app.put(&occupancy, &app.inspector(), json!({"people": 3})).await.status, 403);
    assert_eq!(app.put(&occupancy, &app.provider(), json!({"people": -1})).await.status, 422);
    let r = app.put(&occupancy, &app.provider(), json!({"people": 3})).await;
    assert_eq!((r.status, &r.body["over_capacity"]), (200, &json!(true)), "{:?}", r.body);
    let flagged = zegel_testkit::wait_for_events(&app.prefix.0, "housing.over_capacity", 1).await;
    assert_eq!(flagged[0].addressed_to, vec!["municipality", "housing_inspector"]);
    assert_eq!((flagged[0].payload["occupancy"].as_i64(), flagged[0].payload["capacity"].as_i64()), (Some(3), Some(2)));
    // Over capacity is not valid (issue 31): suspended, with that reason, until the number
    // is back within the limit.
    let (status, facts) = live(&app, &seal_id).await;
    assert_eq!((status.as_str(), &facts["over_capacity"]), ("suspended", &json!(true)));
    assert_eq!(facts["reason"], "over_capacity");
    app.put(&occupancy, &app.provider(), json!({"people": 2})).await;
    let (status, facts) = live(&app, &seal_id).await;
    assert_eq!((status.as_str(), &facts["over_capacity"], &facts["reason"]), ("good", &json!(false), &json!(null)));

    // A permit required and missing: not valid, with the reason; granted: valid again.
    let amsterdam = app.municipality("0363");
    app.put("/api/v1/municipalities/0363/permit-requirement", &amsterdam, json!({"required": true})).await;
    let (status, facts) = live(&app, &seal_id).await;
    assert_eq!((status.as_str(), facts["reason"].as_str()), ("suspended", Some("no_permit")));
    let grant = json!({"status": "granted", "valid_from": app.clock.today().to_string()});
    app.put(&format!("/api/v1/buildings/{bag}/permit"), &amsterdam, grant).await;
    assert_eq!(live(&app, &seal_id).await.0, "good");

    // Deficiencies suspend; an overdue one revokes; a new application never revives the old seal.
    app.inspect(&bag, &[("Broken window", 2)]).await;
    let (status, facts) = live(&app, &seal_id).await;
    assert_eq!((status.as_str(), facts["reason"].as_str()), ("suspended", Some("mark_suspended")));
    app.clock.advance_days(3);
    app.sweep().await;
    assert_eq!(live(&app, &seal_id).await.0, "revoked");
    app.post(&format!("/api/v1/buildings/{bag}/application"), &app.provider(), json!({})).await;
    app.inspect(&bag, &[]).await;
    let (status, facts) = live(&app, &seal_id).await;
    assert_eq!((status.as_str(), facts["reason"].as_str()), ("revoked", Some("mark_replaced")));
}

#[tokio::test]
async fn a_mobile_unit_seal_holds_only_in_its_season() {
    let app = spawn_app().await;
    let mut body = building();
    body["building_type"] = json!("mobile_unit");
    let bag = app.registered(body).await;
    app.inspect(&bag, &[]).await;
    let seal_id = app.post(&format!("/api/v1/buildings/{bag}/seal"), &app.provider(), json!({})).await.body["seal_id"]
        .as_str()
        .unwrap()
        .to_string();
    // The view decides on the database's date; the rule is the same as the domain's.
    let today = platform::clock::dutch_date(chrono::Utc::now());
    let (status, facts) = live(&app, &seal_id).await;
    match mobile_season_ok(today, None) {
        Ok(()) => assert_eq!(status, "good", "{facts}"),
        Err(_) => assert_eq!((status.as_str(), facts["reason"].as_str()), ("suspended", Some("out_of_season"))),
    }
}
