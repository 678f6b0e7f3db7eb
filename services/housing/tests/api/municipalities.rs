//! The municipality's list, with filters and as CSV; its own code only.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_municipality_lists_its_buildings_filters_them_and_exports_csv() {
    let app = spawn_app().await;
    let certified = app.certified().await;
    let waiting = app
        .registered(json!({"bag_id": "0363010000000002", "street": "=HYPERLINK(\"x\")", "number": 3, "postcode": "1011 AB", "place": "Amsterdam", "building_type": "group_housing"}))
        .await;
    app.registered(json!({"bag_id": "0599010000000001", "street": "Coolsingel", "number": 40, "postcode": "3011 AD", "place": "Rotterdam", "building_type": "dwelling"}))
        .await;
    // Measured (capacity 2), still waiting for a remedy, and nine people live there.
    app.inspect(&waiting, &[("Heating broken", 5)]).await;
    app.put(&format!("/api/v1/buildings/{waiting}/occupancy"), &app.provider(), json!({"people": 9})).await;

    let amsterdam = app.municipality("0363");
    let list = |q: &'static str| {
        let amsterdam = amsterdam.clone();
        let app = &app;
        async move { app.get(&format!("/api/v1/municipalities/0363/buildings{q}"), Some(&amsterdam)).await }
    };
    let all = list("").await;
    assert_eq!(all.status, 200, "{:?}", all.body);
    assert_eq!(all.body["count"], 2, "only its own buildings");
    let r = list("?mark_status=certified").await;
    assert_eq!(r.body["buildings"][0]["bag_id"], certified.as_str());
    assert_eq!(r.body["count"], 1);
    let r = list("?over_capacity=true").await;
    assert_eq!(
        (r.body["count"].as_i64(), r.body["buildings"][0]["bag_id"].as_str()),
        (Some(1), Some(waiting.as_str()))
    );
    assert_eq!(list("?building_type=mobile_unit").await.body["count"], 0);
    for bad in ["?mark_status=great", "?colour=red", "?format=xml", "?provider_kvk=12"] {
        assert_eq!(list(bad).await.status, 400, "{bad}");
    }

    let csv = app
        .http
        .get(format!("{}/api/v1/municipalities/0363/buildings?format=csv", app.address))
        .bearer_auth(&amsterdam)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("bag_id,street,number"));
    assert!(text.contains("Oudezijds Achterburgwal,12,2-hoog,1012 DN,Amsterdam,dwelling,12345678,certified"), "{text}");
    assert!(text.contains("\"'=HYPERLINK"), "a formula is quoted: {text}");

    assert_eq!(app.get("/api/v1/municipalities/0363/buildings", Some(&app.municipality("0599"))).await.status, 403);
    assert_eq!(app.get("/api/v1/municipalities/0363/buildings", Some(&app.inspector())).await.status, 403);
    assert_eq!(app.get("/api/v1/municipalities/363/buildings", Some(&amsterdam)).await.status, 400);
}
