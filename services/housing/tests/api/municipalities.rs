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

#[tokio::test]
async fn the_list_says_each_permit_and_what_it_does_to_the_mark() {
    let app = spawn_app().await;
    let certified = app.certified().await;
    let amsterdam = app.municipality("0363");
    let r = app.get("/api/v1/municipalities/0363/buildings", Some(&amsterdam)).await;
    assert_eq!(
        (r.body["permit_required"].as_bool(), r.body["buildings"][0]["permit_status"].is_null()),
        (Some(false), true)
    );
    app.put("/api/v1/municipalities/0363/permit-requirement", &amsterdam, json!({"required": true})).await;
    let r = app.get("/api/v1/municipalities/0363/buildings", Some(&amsterdam)).await;
    assert_eq!(r.body["permit_required"], true);
    assert_eq!(r.body["buildings"][0]["permit_problem"], "no_permit", "{:?}", r.body);
    let permit = json!({"status": "granted", "valid_from": app.clock.today().to_string(), "max_people": 1});
    let put = app.put(&format!("/api/v1/buildings/{certified}/permit"), &amsterdam, permit).await;
    assert_eq!(put.status, 200, "{:?}", put.body);
    let r = app.get("/api/v1/municipalities/0363/buildings", Some(&amsterdam)).await;
    let row = &r.body["buildings"][0];
    assert_eq!(
        (row["permit_status"].as_str(), row["permit_problem"].is_null(), row["allowed"].as_i64()),
        (Some("granted"), true, Some(1))
    );
}

/// The beds of a municipality month by month: what the history says at each month's end,
/// nothing for a month before the history began, and a history that only grows.
#[tokio::test]
async fn a_municipality_sees_its_beds_month_by_month_from_when_they_are_counted() {
    let app = spawn_app().await;
    let bag = app.certified().await;
    let amsterdam = app.municipality("0363");
    app.put(&format!("/api/v1/buildings/{bag}/occupancy"), &app.provider(), json!({"people": 2})).await;
    // The history began 100 days ago; 62 days ago the building allowed 4 and housed 3.
    app.db.sql("update housing.beds_counted_since set since = now() - interval '100 days'").await;
    app.db
        .sql(&format!(
            "insert into housing.bed_count (bag_id, municipality, at, allowed, occupancy, mark_status, mark_valid_until)
             values ('{bag}', '0363', now() - interval '62 days', 4, 3, 'certified', now() + interval '200 days')"
        ))
        .await;
    let r = app.get("/api/v1/municipalities/0363/beds?months=6", Some(&amsterdam)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let months = r.body["months"].as_array().expect("months");
    assert_eq!(months.len(), 6);
    let now = chrono::Utc::now();
    let at = |m: &serde_json::Value| m["at"].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    for m in &months[..5] {
        let age = now - at(m);
        let expected = if age > chrono::Duration::days(100) {
            json!([false, null, null])
        } else if age > chrono::Duration::days(62) {
            json!([true, 0, 0])
        } else {
            json!([true, 4, 3])
        };
        assert_eq!(json!([m["counted"], m["beds"], m["people"]]), expected, "{m:?}");
    }
    // The month running: the building as it is now (capacity 2, two people).
    let current = &months[5];
    assert_eq!(json!([current["beds"], current["people"], current["certified_buildings"]]), json!([2, 2, 1]));

    // A permit that allows fewer is a new row of history, and no row is ever changed.
    let permit = json!({"status": "granted", "valid_from": app.clock.today().to_string(), "max_people": 1});
    app.put(&format!("/api/v1/buildings/{bag}/permit"), &amsterdam, permit).await;
    let r = app.get("/api/v1/municipalities/0363/beds?months=1", Some(&amsterdam)).await;
    assert_eq!(r.body["months"][0]["beds"], 1, "{:?}", r.body);
    // A change made from another session (an operator's, with its own search path) is
    // counted too: the triggers name their schema.
    app.db.sql(&format!("update housing.building set occupancy = 1 where bag_id = '{bag}'")).await;
    let r = app.get("/api/v1/municipalities/0363/beds?months=1", Some(&amsterdam)).await;
    assert_eq!(r.body["months"][0]["people"], 1, "{:?}", r.body);
    let client = app.state.core.pool.get().await.expect("connection");
    let err = client.batch_execute("update bed_count set allowed = 9").await.expect_err("append only");
    assert!(format!("{err:?}").contains("permission denied"), "{err:?}");

    // Its own code only; the number of months is bounded.
    assert_eq!(app.get("/api/v1/municipalities/0363/beds", Some(&app.municipality("0599"))).await.status, 403);
    assert_eq!(app.get("/api/v1/municipalities/0363/beds", Some(&app.inspector())).await.status, 403);
    for bad in ["?months=0", "?months=37"] {
        assert_eq!(
            app.get(&format!("/api/v1/municipalities/0363/beds{bad}"), Some(&amsterdam)).await.status,
            422,
            "{bad}"
        );
    }
    assert_eq!(app.get("/api/v1/municipalities/0363/beds?months=x", Some(&amsterdam)).await.status, 400);
}
