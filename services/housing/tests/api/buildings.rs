//! Buildings, rooms and capacity through the API.

use platform::auth::Role;
use serde_json::json;

use crate::helpers::{BAG, building, spawn_app};

#[tokio::test]
async fn a_provider_registers_a_building_and_its_rooms_decide_the_capacity() {
    let app = spawn_app().await;
    let provider = app.token(&[Role::HousingProvider], Some("12345678"));
    let r = app.post("/api/v1/buildings", &provider, building()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["address"]["postcode"], "1012 DN");
    assert_eq!(r.body["municipality"], "0363");
    assert_eq!(r.body["norm"], "integrated", "a building registered now is on the integrated norm");
    assert!(r.body["capacity"].is_null(), "no rooms reported yet");

    // (bedrooms, living area, capacity, case)
    let cases = [
        (json!([5.5, 5.5]), json!(30), 2, "two bedrooms of 5.5 m², 15 m² each"),
        (json!([5.49, 5.5]), json!(30), 1, "a 5.49 m² bedroom does not count"),
        (json!([5.5, 5.5]), json!(29.99), 1, "14.99 m² per person is too little"),
        (json!([]), json!(40), 0, "zero bedrooms"),
    ];
    for (bedrooms, living, expected, case) in cases {
        let r = app
            .put(
                &format!("/api/v1/buildings/{BAG}/rooms"),
                &provider,
                json!({"bedrooms": bedrooms, "living_area": living}),
            )
            .await;
        assert_eq!(r.status, 200, "{case}: {:?}", r.body);
        assert_eq!(r.body["capacity"], expected, "{case}");
        assert_eq!(
            app.get(&format!("/api/v1/buildings/{BAG}"), None).await.body["capacity"],
            expected,
            "{case}: public view"
        );
    }
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
        403,
        "another provider"
    );
    assert_eq!(
        app.put("/api/v1/buildings/0363010000999999/rooms", &provider, rooms(json!([6]), json!(20))).await.status,
        404,
        "unknown building"
    );
    assert_eq!(app.get("/api/v1/buildings/12345", None).await.status, 400, "malformed BAG id in the path");
    assert_eq!(app.get("/api/v1/buildings/0363010000999999", None).await.status, 404);
}
