//! The mark lifecycle on a movable clock: applied → certified → suspended → revoked, the
//! year of validity, permits, and the norm transition.

use serde_json::json;
use zegel_testkit::wait_for_events;

use crate::helpers::{BAG, building, spawn_app, spawn_with};

#[tokio::test]
async fn an_inspection_certifies_deficiencies_suspend_and_an_overdue_one_revokes() {
    let app = spawn_app().await;
    let bag = app.registered(building()).await;
    let view = app.get(&format!("/api/v1/buildings/{bag}"), Some(&app.inspector())).await;
    assert_eq!(view.body["mark"]["status"], "applied");

    // Certified for a year from the inspection.
    let r = app.inspect(&bag, &[]).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["mark"]["status"], "certified");
    let year = (app.clock.today() + chrono::Months::new(12)).to_string();
    assert!(r.body["mark"]["valid_until"].as_str().unwrap().starts_with(&year), "{:?}", r.body);
    let view = app.get(&format!("/api/v1/buildings/{bag}"), Some(&app.inspector())).await;
    assert_eq!(view.body["mark"]["last_inspection"], app.clock.today().to_string());

    // A later inspection finds two deficiencies: suspended. One remedied: still suspended.
    let r = app.inspect(&bag, &[("Smoke detector missing on the landing", 7), ("Mould in the shower", 14)]).await;
    assert_eq!(r.body["mark"]["status"], "suspended", "{:?}", r.body);
    let first = r.body["deficiencies"][0]["deficiency_id"].as_str().unwrap().to_string();
    let second = r.body["deficiencies"][1]["deficiency_id"].as_str().unwrap().to_string();
    let resolve = |id: &str| format!("/api/v1/buildings/{bag}/deficiencies/{id}/resolve");
    let r = app.post(&resolve(&first), &app.inspector(), json!({})).await;
    assert_eq!((r.status, r.body["mark"]["status"].as_str()), (200, Some("suspended")), "{:?}", r.body);
    assert_eq!(app.post(&resolve(&first), &app.inspector(), json!({})).await.status, 409, "remedied twice");
    assert_eq!(app.post(&resolve(&second), &app.provider(), json!({})).await.status, 403, "the provider");

    // The second stays open. On its deadline nothing happens; the day after, revoked.
    app.clock.advance_days(14);
    assert_eq!(app.sweep().await.revoked, 0, "the deadline day itself is still in time");
    app.clock.advance_days(1);
    assert_eq!(app.sweep().await.revoked, 1);
    assert_eq!(app.sweep().await.revoked, 0, "acted on once");
    let revoked = wait_for_events(&app.prefix.0, "housing.mark_revoked", 1).await;
    assert_eq!(revoked[0].subject, bag);
    assert_eq!(revoked[0].addressed_to, vec!["municipality", "certificates"]);
    assert_eq!(revoked[0].payload["provider_kvk"], "12345678");
    assert_eq!(revoked[0].payload["municipality"], "0363");
    assert_eq!(app.post(&resolve(&second), &app.inspector(), json!({})).await.status, 409, "too late");

    // An ended mark takes a new application; the old mark's id is gone.
    let old = app.get(&format!("/api/v1/buildings/{bag}/mark"), Some(&app.provider())).await;
    assert_eq!(old.body["status"], "revoked");
    assert_eq!(app.inspect(&bag, &[]).await.status, 409, "no inspection on an ended mark");
    let r = app.post(&format!("/api/v1/buildings/{bag}/application"), &app.provider(), json!({})).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["mark"]["status"], "applied");
    let new = app.get(&format!("/api/v1/buildings/{bag}/mark"), Some(&app.inspector())).await;
    assert_ne!(new.body["mark_id"], old.body["mark_id"]);
    let history: Vec<&str> =
        new.body["history"].as_array().unwrap().iter().map(|h| h["to_status"].as_str().unwrap()).collect();
    assert_eq!(history, ["certified", "suspended", "revoked", "applied"]);
    let r = app.inspect(&bag, &[]).await;
    assert_eq!(r.body["mark"]["status"], "certified", "the new mark is judged afresh: {:?}", r.body);
    assert_eq!(
        app.post(&format!("/api/v1/buildings/{bag}/application"), &app.provider(), json!({})).await.status,
        409,
        "applying while a mark is in force"
    );
}

#[tokio::test]
async fn a_remedy_restores_the_mark_and_an_application_with_deficiencies_waits() {
    let app = spawn_app().await;
    let bag = app.certified().await;
    let r = app.inspect(&bag, &[("Fire door blocked", 3)]).await;
    assert_eq!(r.body["mark"]["status"], "suspended");
    let id = r.body["deficiencies"][0]["deficiency_id"].as_str().unwrap();
    let r = app.post(&format!("/api/v1/buildings/{bag}/deficiencies/{id}/resolve"), &app.inspector(), json!({})).await;
    assert_eq!(r.body["mark"]["status"], "certified", "{:?}", r.body);

    let other = app.registered(json!({"bag_id": "0363010000654321", "street": "Kade", "number": 1, "postcode": "1011 AA", "place": "Amsterdam", "building_type": "group_housing"})).await;
    let r = app.inspect(&other, &[("Heating broken", 5)]).await;
    assert_eq!(r.body["mark"]["status"], "applied", "an application waits for the remedy");
    app.clock.advance_days(6);
    assert_eq!(app.sweep().await.revoked, 1, "an application's overdue deficiency ends it too");
}

#[tokio::test]
async fn a_mark_lasts_a_year_unless_an_inspection_renews_it() {
    let app = spawn_app().await;
    let bag = app.certified().await;
    app.clock.advance_days(300);
    assert_eq!(app.inspect(&bag, &[]).await.body["mark"]["status"], "certified", "renewed");
    app.clock.advance_days(300);
    assert_eq!(app.sweep().await.expired, 0, "the renewal counts from its own day");
    app.clock.advance_days(70);
    assert_eq!(app.sweep().await.expired, 1);
    let expired = wait_for_events(&app.prefix.0, "housing.mark_expired", 1).await;
    assert_eq!(expired[0].subject, bag);
    assert_eq!(
        app.get(&format!("/api/v1/buildings/{bag}"), Some(&app.inspector())).await.body["mark"]["status"],
        "expired"
    );
}

#[tokio::test]
async fn no_certificate_without_rooms_or_without_a_permit_where_one_is_required() {
    let app = spawn_app().await;
    let r = app.post("/api/v1/buildings", &app.provider(), building()).await;
    assert_eq!(r.status, 201);
    let r = app.inspect_with(BAG, json!({})).await;
    assert_eq!(r.status, 201, "the inspection is recorded");
    assert_eq!(r.body["mark"]["status"], "applied");
    assert!(r.body["not_certified_because"][0].as_str().unwrap().contains("measured the rooms"), "{:?}", r.body);

    app.put(&format!("/api/v1/buildings/{BAG}/rooms"), &app.provider(), json!({"bedrooms": [6], "living_area": 20}))
        .await;
    let amsterdam = app.municipality("0363");
    let r = app.put("/api/v1/municipalities/0363/permit-requirement", &amsterdam, json!({"required": true})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app.inspect(BAG, &[]).await;
    assert_eq!(r.body["mark"]["status"], "applied");
    assert!(r.body["not_certified_because"][0].as_str().unwrap().contains("permit"), "{:?}", r.body);

    // Another municipality decides nothing here, nor about Amsterdam's requirement.
    let rotterdam = app.municipality("0599");
    let grant = json!({"status": "granted", "valid_from": app.clock.today().to_string()});
    let permit = format!("/api/v1/buildings/{BAG}/permit");
    assert_eq!(app.put(&permit, &rotterdam, grant.clone()).await.status, 403, "another municipality");
    assert_eq!(app.put(&permit, &app.provider(), grant.clone()).await.status, 403, "the provider");
    assert_eq!(
        app.put("/api/v1/municipalities/0363/permit-requirement", &rotterdam, json!({"required": false})).await.status,
        403
    );
    for (body, case) in [
        (json!({"status": "granted"}), "granted without a start"),
        (json!({"status": "refused"}), "refused without a reason"),
        (
            json!({"status": "granted", "valid_from": "2026-05-01", "valid_until": "2026-04-01"}),
            "ends before it starts",
        ),
        (json!({"status": "pending", "valid_from": "2026-05-01"}), "unknown status"),
    ] {
        assert_eq!(app.put(&permit, &amsterdam, body).await.status, 422, "{case}");
    }
    assert_eq!(
        app.put(&permit, &amsterdam, json!({"status": "withdrawn", "reason": "x"})).await.status,
        409,
        "nothing to withdraw"
    );
    let r = app.put(&permit, &amsterdam, grant).await;
    assert_eq!((r.status, &r.body["blocks_the_mark"]), (200, &json!(null)), "{:?}", r.body);
    assert_eq!(app.inspect(BAG, &[]).await.body["mark"]["status"], "certified");
}

#[tokio::test]
async fn inspections_take_an_inspector_and_sound_dates() {
    let app = spawn_app().await;
    let bag = app.registered(building()).await;
    let path = format!("/api/v1/buildings/{bag}/inspections");
    let ok = json!({"kind": "announced", "findings": "fine"});
    assert_eq!(app.post(&path, &app.provider(), ok.clone()).await.status, 403, "the provider");
    assert_eq!(app.post(&path, &app.municipality("0363"), ok.clone()).await.status, 403, "the municipality");
    assert_eq!(app.send("POST", &path, None, Some(ok.clone()), None).await.status, 401);
    let tomorrow = (app.clock.today() + chrono::Days::new(1)).to_string();
    let today = app.clock.today().to_string();
    for (body, pointer, case) in [
        (json!({"kind": "announced", "findings": "x", "inspected_on": tomorrow}), "/inspected_on", "in the future"),
        (json!({"kind": "announced", "findings": ""}), "/findings", "no findings"),
        (
            json!({"kind": "announced", "findings": "x", "deficiencies": [{"description": "d", "deadline": today}]}),
            "/deficiencies/0/deadline",
            "deadline on the day itself",
        ),
        (
            json!({"kind": "announced", "findings": "x", "deficiencies": [{"description": "d", "deadline": "soon"}]}),
            "/deficiencies/0/deadline",
            "not a date",
        ),
        (
            json!({"kind": "announced", "findings": "x", "complaint_id": uuid::Uuid::new_v4()}),
            "/kind",
            "a complaint is followed up unannounced",
        ),
    ] {
        let r = app.post(&path, &app.inspector(), body).await;
        assert_eq!(r.status, 422, "{case}: {:?}", r.body);
        assert_eq!(r.body["errors"][0]["pointer"], pointer, "{case}");
    }
    assert_eq!(app.post(&path, &app.inspector(), json!({"kind": "sometimes", "findings": "x"})).await.status, 422);
    assert_eq!(
        app.post("/api/v1/buildings/0363010000999999/inspections", &app.inspector(), ok).await.status,
        404,
        "unknown building"
    );
}

#[tokio::test]
async fn existing_buildings_move_to_the_integrated_norm_when_the_transition_ends() {
    // Registered "before" the integrated norm, with the transition ending in 10 days.
    let today = platform::clock::dutch_date(chrono::Utc::now());
    let app = spawn_with(move |s| {
        s.own.integrated_from = today + chrono::Days::new(1);
        s.own.transition_ends = today + chrono::Days::new(10);
    })
    .await;
    let r = app.post("/api/v1/buildings", &app.provider(), building()).await;
    assert_eq!(r.body["norm"], "snf");
    // Two 7 m² bedrooms, 40 m², measured: SNF allows 3 in a dwelling (40/12), the integrated norm 2.
    let r = app.inspect_with(BAG, json!({"measured": {"bedrooms": [7, 7], "living_area": 40}})).await;
    assert_eq!(r.body["capacity"], 3, "{:?}", r.body);
    app.clock.advance_days(9);
    assert_eq!(app.sweep().await.renormed, 0);
    app.clock.advance_days(1);
    assert_eq!(app.sweep().await.renormed, 1);
    let view = app.get(&format!("/api/v1/buildings/{BAG}"), Some(&app.inspector())).await;
    assert_eq!((view.body["norm"].as_str(), view.body["capacity"].as_i64()), (Some("integrated"), Some(2)));
}

/// The inspectors' worklist: a mark applied for, a complaint to follow up, an open
/// deficiency with its deadline — and only inspectors read it.
#[tokio::test]
async fn the_worklist_holds_what_waits_for_an_inspector() {
    let app = spawn_app().await;
    let bag = app.registered(building()).await;
    let r = app.get("/api/v1/inspections/worklist", Some(&app.inspector())).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        (r.body["items"][0]["kind"].as_str(), r.body["items"][0]["bag_id"].as_str()),
        (Some("applied"), Some(BAG))
    );
    assert!(r.body["items"][0]["address"].as_str().unwrap().contains("Oudezijds Achterburgwal 12"), "{:?}", r.body);

    let complaint = json!({"category": "overcrowding", "text": "Ten in two rooms.", "lang": "pl"});
    let r = app.send("POST", &format!("/api/v1/buildings/{bag}/complaints"), None, Some(complaint), None).await;
    assert_eq!(r.status, 202);
    let r = app.inspect(&bag, &[("No fire blanket in the kitchen.", 14)]).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let r = app.get("/api/v1/inspections/worklist", Some(&app.inspector())).await;
    let kinds: Vec<&str> = r.body["items"].as_array().unwrap().iter().filter_map(|i| i["kind"].as_str()).collect();
    // A deficiency on a mark applied for keeps it applied for.
    assert_eq!(kinds, ["deficiency", "applied", "complaint"], "the deadline first, then what waits: {:?}", r.body);
    let deadline = (app.clock.today() + chrono::Days::new(14)).to_string();
    assert_eq!(r.body["items"][0]["due"], deadline.as_str());
    assert_eq!(r.body["items"][2]["category"], "overcrowding");
    assert!(!r.body.to_string().contains("Ten in two rooms"), "the complaint's text stays on the building's page");

    for token in [app.provider(), app.municipality("0363")] {
        assert_eq!(app.get("/api/v1/inspections/worklist", Some(&token)).await.status, 403);
    }
    assert_eq!(app.get("/api/v1/inspections/worklist", None).await.status, 401);
}

/// The preview says what recording the inspection would say — the capacity of the
/// measured rooms and the mark — and keeps nothing.
#[tokio::test]
async fn a_preview_says_what_the_inspection_will_do_and_keeps_nothing() {
    let app = spawn_app().await;
    let bag = app.registered(building()).await;
    let body = json!({"kind": "announced", "findings": "Three bedrooms now.", "measured": {"bedrooms": [6, 6, 5.5], "living_area": 46}});
    let preview =
        app.post(&format!("/api/v1/buildings/{bag}/inspection-previews"), &app.inspector(), body.clone()).await;
    assert_eq!(preview.status, 200, "{:?}", preview.body);
    assert_eq!((preview.body["preview"].as_bool(), preview.body["inspection_id"].is_null()), (Some(true), true));
    assert_eq!(
        (preview.body["capacity"].as_i64(), preview.body["mark"]["status"].as_str()),
        (Some(3), Some("certified"))
    );

    // Nothing was kept: the mark still waits, and the worklist still holds it.
    let mark = app.get(&format!("/api/v1/buildings/{bag}"), Some(&app.inspector())).await;
    assert_eq!(mark.body["mark"]["status"], "applied", "{:?}", mark.body);
    let r = app.get("/api/v1/inspections/worklist", Some(&app.inspector())).await;
    assert_eq!(r.body["items"][0]["kind"], "applied");

    // Recording the same gives what the preview said.
    let r = app.post(&format!("/api/v1/buildings/{bag}/inspections"), &app.inspector(), body).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    for field in ["capacity", "allowed", "mark", "not_certified_because", "open_deficiencies"] {
        assert_eq!(r.body[field], preview.body[field], "{field}");
    }
    let blocked = json!({"kind": "announced", "findings": "x"});
    let r = app.post(&format!("/api/v1/buildings/{bag}/inspection-previews"), &app.provider(), blocked).await;
    assert_eq!(r.status, 403, "only an inspector");
}

/// A preview runs the write path, so it counts against the inspector's budget of writes:
/// previews cannot be sent without end.
#[tokio::test]
async fn previews_are_charged_as_writes() {
    let app = spawn_with(|s| s.common.writes_per_hour = 3).await;
    let bag = app.registered(building()).await;
    let body = json!({"kind": "announced", "findings": "x", "measured": {"bedrooms": [6], "living_area": 20}});
    let path = format!("/api/v1/buildings/{bag}/inspection-previews");
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(app.post(&path, &app.inspector(), body.clone()).await.status);
    }
    assert_eq!(statuses, [200, 200, 200, 429], "the fourth write of the hour is refused");
}
