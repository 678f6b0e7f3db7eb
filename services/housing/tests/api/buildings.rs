//! Buildings, rooms and capacity through the API.

use platform::auth::Role;
use serde_json::json;

use crate::helpers::{BAG, building, spawn_app};

#[tokio::test]
async fn the_capacity_comes_from_what_the_inspector_measured_not_from_what_the_provider_reports() {
    let app = spawn_app().await;
    let provider = app.token(&[Role::HousingProvider], Some("12345678"));
    let r = app.post("/api/v1/buildings", &provider, building()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["address"]["postcode"], "1012 DN");
    assert_eq!(r.body["municipality"], "0363");
    assert_eq!(r.body["norm"], "integrated", "a building registered now is on the integrated norm");
    assert!(r.body["capacity"].is_null(), "nothing measured yet");

    // The provider proposes generous rooms: a proposal, no capacity.
    let r = app
        .put(&format!("/api/v1/buildings/{BAG}/rooms"), &provider, json!({"bedrooms": [10, 10, 10], "living_area": 60}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(r.body["capacity"].is_null(), "a proposal gives no capacity: {:?}", r.body);
    assert_eq!(r.body["proposed"]["bedrooms"], json!([10.0, 10.0, 10.0]));

    // (bedrooms, living area, capacity, case) as the inspector measures them.
    let cases = [
        (json!([5.5, 5.5]), json!(30), 2, "two bedrooms of 5.5 m², 15 m² each"),
        (json!([5.49, 5.5]), json!(30), 1, "a 5.49 m² bedroom does not count"),
        (json!([5.5, 5.5]), json!(29.99), 1, "14.99 m² per person is too little"),
        (json!([]), json!(40), 0, "zero bedrooms"),
    ];
    let inspector = app.inspector();
    for (bedrooms, living, expected, case) in cases {
        let r = app.inspect_with(BAG, json!({"measured": {"bedrooms": bedrooms, "living_area": living}})).await;
        assert_eq!(r.status, 201, "{case}: {:?}", r.body);
        assert_eq!(r.body["capacity"], expected, "{case}");
        let seen = app.get(&format!("/api/v1/buildings/{BAG}"), Some(&inspector)).await.body;
        assert_eq!(seen["capacity"], expected, "{case}: the building's view");
        assert_eq!(seen["proposed"]["living_area"], 60.0, "{case}: the proposal stays a proposal");
    }
    let r = app.inspect_with(BAG, json!({"measured": {"bedrooms": [5, 5], "living_area": 5}})).await;
    assert_eq!(r.status, 422, "a living area smaller than its bedrooms, measured: {:?}", r.body);
    assert_eq!(r.body["errors"][0]["pointer"], "/measured/living_area");
}

#[tokio::test]
async fn rooms_changed_after_certification_suspend_the_mark_until_measured_again() {
    let app = spawn_app().await;
    let bag = app.certified().await;
    let seal = app.seal(&bag).await;
    let provider = app.provider();
    let rooms = |bedrooms: serde_json::Value, living: i32| json!({"bedrooms": bedrooms, "living_area": living});
    let r = app.put(&format!("/api/v1/buildings/{bag}/rooms"), &provider, rooms(json!([6, 6]), 35)).await;
    assert_eq!(r.body["mark"]["status"], "certified", "the rooms as measured: nothing changed");
    assert!(r.body["rooms_changed_since_measured"].is_null());

    let r = app.put(&format!("/api/v1/buildings/{bag}/rooms"), &provider, rooms(json!([6, 6, 6]), 35)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["mark"]["status"], "suspended", "a third bedroom nobody measured");
    assert!(r.body["rooms_changed_since_measured"].is_string());
    assert_eq!(r.body["capacity"], 2, "the capacity stays what was measured");
    let door = app.live(&seal).await;
    assert_eq!((door.0.as_str(), door.1["reason"].as_str()), ("suspended", Some("rooms_changed")), "{:?}", door.1);

    // An inspection that does not measure cannot bring it back.
    let r = app.inspect_with(&bag, json!({})).await;
    assert_eq!(r.body["mark"]["status"], "suspended", "{:?}", r.body);
    assert!(
        r.body["not_certified_because"][0].as_str().is_some_and(|s| s.contains("measure them again")),
        "{:?}",
        r.body
    );
    // Measured again: certified, with the capacity of what is there now.
    let r = app.inspect_with(&bag, json!({"measured": {"bedrooms": [6, 6, 6], "living_area": 50}})).await;
    assert_eq!(
        (r.body["mark"]["status"].as_str(), &r.body["capacity"]),
        (Some("certified"), &json!(3)),
        "{:?}",
        r.body
    );
    assert_eq!(app.live(&seal).await.0, "good");
}

#[tokio::test]
async fn bad_inputs_and_wrong_callers_get_the_right_problem() {
    let app = spawn_app().await;
    let provider = app.token(&[Role::HousingProvider], Some("12345678"));
    let other = app.token(&[Role::HousingProvider], Some("87654321"));
    let inspector = app.token(&[Role::HousingInspector], None);
    let with = |key: &str, value: serde_json::Value| {
        let mut b = building();
        b[key] = value;
        b
    };
    let cases = [
        (with("bag_id", json!("036301000012345")), "/bag_id", "BAG id of the wrong length"),
        (with("bag_id", json!("0363020000123456")), "/bag_id", "wrong type code"),
        (with("postcode", json!("1012 D")), "/postcode", "postcode format"),
        (with("number", json!(0)), "/number", "house number 0"),
    ];
    for (body, pointer, case) in cases {
        let r = app.post("/api/v1/buildings", &provider, body).await;
        assert_eq!(r.status, 422, "{case}: {:?}", r.body);
        assert_eq!(r.body["errors"][0]["pointer"], pointer, "{case}");
    }
    assert_eq!(app.post("/api/v1/buildings", &inspector, building()).await.status, 403, "wrong role");
    assert_eq!(app.post("/api/v1/buildings", &provider, building()).await.status, 201);
    assert_eq!(app.post("/api/v1/buildings", &provider, building()).await.status, 409, "registered twice");
    let rooms =
        |bedrooms: serde_json::Value, living: serde_json::Value| json!({"bedrooms": bedrooms, "living_area": living});
    for (body, case) in [
        (rooms(json!([-5.5]), json!(30)), "negative area"),
        (rooms(json!([5.5]), json!(0)), "zero living area"),
        (rooms(json!([10, 10]), json!(15)), "living area smaller than its bedrooms"),
    ] {
        assert_eq!(app.put(&format!("/api/v1/buildings/{BAG}/rooms"), &provider, body).await.status, 422, "{case}");
    }
    assert_eq!(
        app.put(&format!("/api/v1/buildings/{BAG}/rooms"), &other, rooms(json!([6]), json!(20))).await.status,
        404,
        "another provider learns nothing, not even that the building is registered"
    );
    assert_eq!(
        app.put("/api/v1/buildings/0363010000999999/rooms", &provider, rooms(json!([6]), json!(20))).await.status,
        404,
        "unknown building"
    );
    assert_eq!(app.get("/api/v1/buildings/12345", Some(&inspector)).await.status, 400, "malformed BAG id in the path");
    assert_eq!(app.get("/api/v1/buildings/0363010000999999", Some(&inspector)).await.status, 404);
}
