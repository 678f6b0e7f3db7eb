//! Placements and the housing declaration (advice 4.4 B): the agency records where it
//! houses its workers in anyone's building, or that it houses no one; only it, the Labour
//! Authority and housing inspectors read that; every bad input is a clear problem.

use platform::auth::Role;
use serde_json::json;

use crate::helpers::spawn_app;

const AGENCY: &str = "55667788";

#[tokio::test]
async fn an_agency_records_ends_and_declares_and_only_those_who_need_to_know_read_it() {
    let app = spawn_app().await;
    let bag = app.certified().await;
    let agency = app.token(&[Role::Agency], Some(AGENCY));
    let path = format!("/api/v1/agencies/{AGENCY}/placements");
    app.held(AGENCY, "cb-one").await;

    let r = app.post(&path, &agency, json!({"bag_id": bag, "from": "2026-01-01", "rent_withheld": false})).await;
    assert_eq!((r.status, r.body["certified"].as_bool()), (201, Some(true)), "{:?}", r.body);
    let id = r.body["placement"]["placement_id"].as_str().expect("id").to_string();
    assert_eq!(r.body["placement"]["kvk_number"], AGENCY);
    assert_eq!(r.body["placement"]["accepted_at"], json!(null), "in another's building it waits for the provider");

    // The building's side: its provider sees the placement and accepts it; another provider
    // learns nothing of it; until then the agency's body does not see it.
    let body = app.token(&[Role::CertificationBody], Some("cb-one"));
    let in_building = format!("/api/v1/buildings/{bag}/placements");
    let seen = app.get(&in_building, Some(&app.provider())).await;
    assert_eq!((seen.status, seen.body["placements"][0]["kvk_number"].as_str()), (200, Some(AGENCY)));
    let stranger = app.token(&[Role::HousingProvider], Some("87654321"));
    let missing = app.get("/api/v1/buildings/0363010000999999/placements", Some(&stranger)).await;
    let hidden = app.get(&in_building, Some(&stranger)).await;
    assert_eq!((hidden.status, &hidden.body["type"]), (missing.status, &missing.body["type"]), "as if not registered");
    assert_eq!(hidden.status, 404);
    assert_eq!(app.get(&path, Some(&body)).await.body["placements"], json!([]), "not on the agency's word alone");
    let accept = format!("/api/v1/placements/{id}/acceptance");
    assert_eq!(app.post(&accept, &stranger, json!({})).await.status, 404, "another provider");
    assert_eq!(app.post(&accept, &agency, json!({})).await.status, 403, "the agency cannot accept its own");
    let r = app.post(&accept, &app.provider(), json!({})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(r.body["placement"]["accepted_at"].is_string());
    let listed = app.get(&path, Some(&body)).await;
    assert_eq!(listed.body["placements"][0]["placement"]["placement_id"], id.as_str(), "{:?}", listed.body);

    for (who, token, expected) in [
        ("the agency", agency.clone(), 200),
        ("the Labour Authority", app.token(&[Role::Inspectorate], None), 200),
        ("a housing inspector", app.inspector(), 200),
        ("another agency", app.token(&[Role::Agency], Some("11112222")), 403),
        ("the building's provider", app.provider(), 403),
        ("the agency's certification body", app.token(&[Role::CertificationBody], Some("cb-one")), 200),
        ("another certification body", app.token(&[Role::CertificationBody], Some("cb-two")), 403),
        ("a hirer", app.token(&[Role::Hirer], Some("99990000")), 403),
    ] {
        assert_eq!(app.get(&path, Some(&token)).await.status, expected, "{who}");
    }
    assert_eq!(app.get(&path, None).await.status, 401);
    // The standing's public view: the marks, never which building.
    let public = app.get(&format!("/api/v1/agencies/{AGENCY}/housing"), None).await;
    assert_eq!(public.status, 200);
    assert_eq!(
        public.body,
        json!({"houses_no_one": false, "buildings": [{"mark_status": "certified", "certified": true}]})
    );
    let listed = app.get(&path, Some(&agency)).await.body;
    assert_eq!(listed["placements"][0]["placement"]["rent_withheld"], false);
    assert_eq!(listed["houses_no_one"], false);

    // Declaring that it houses no one while workers live somewhere: refused.
    let declaration = format!("/api/v1/agencies/{AGENCY}/housing-declaration");
    let r = app.put(&declaration, &agency, json!({"houses_no_one": true})).await;
    assert_eq!((r.status, r.body["type"].as_str()), (409, Some("urn:zegel:problem:houses-workers")));
    for token in [app.token(&[Role::Agency], Some("11112222")), app.provider(), app.inspector()] {
        assert_eq!(app.put(&declaration, &token, json!({"houses_no_one": false})).await.status, 403, "only the agency");
    }

    // Ended yesterday; then the declaration stands, and a second ending is refused.
    let yesterday = (app.clock.today() - chrono::Days::new(1)).to_string();
    let end = format!("/api/v1/placements/{id}/end");
    assert_eq!(
        app.post(&end, &app.token(&[Role::Agency], Some("11112222")), json!({"to": yesterday})).await.status,
        404
    );
    let r = app.post(&end, &agency, json!({"to": yesterday})).await;
    assert_eq!((r.status, r.body["placement"]["to"].as_str()), (200, Some(yesterday.as_str())), "{:?}", r.body);
    let r = app.post(&end, &agency, json!({"to": yesterday})).await;
    assert_eq!((r.status, r.body["type"].as_str()), (409, Some("urn:zegel:problem:placement-ended")));
    assert_eq!(app.put(&declaration, &agency, json!({"houses_no_one": true})).await.status, 200);
    assert_eq!(app.get(&path, Some(&agency)).await.body["houses_no_one"], true);
    let public = app.get(&format!("/api/v1/agencies/{AGENCY}/housing"), None).await;
    assert_eq!(public.body, json!({"houses_no_one": true, "buildings": []}));
}

#[tokio::test]
async fn bad_placements_are_refused_with_the_field_that_is_wrong() {
    let app = spawn_app().await;
    let bag = app.certified().await;
    let agency = app.token(&[Role::Agency], Some(AGENCY));
    let path = format!("/api/v1/agencies/{AGENCY}/placements");
    let ok = json!({"bag_id": bag, "from": "2026-01-01", "rent_withheld": true});
    let r = app.post(&path, &agency, ok.clone()).await;
    assert_eq!(
        (r.status, r.body["errors"][0]["pointer"].as_str()),
        (422, Some("/path/kvk")),
        "an agency no certification body holds: {:?}",
        r.body
    );
    app.held(AGENCY, "cb-one").await;
    let today = app.clock.today();
    let cases = [
        (json!({"bag_id": bag, "from": "0001-01-01", "rent_withheld": false}), 422, Some("/from")),
        (
            json!({"bag_id": bag, "from": (today + chrono::Days::new(400)).to_string(), "rent_withheld": false}),
            422,
            Some("/from"),
        ),
        (
            json!({"bag_id": bag, "from": today.to_string(), "to": "9999-12-31", "rent_withheld": false}),
            422,
            Some("/to"),
        ),
        (json!({"bag_id": "12", "from": "2026-01-01", "rent_withheld": false}), 422, Some("/bag_id")),
        (json!({"bag_id": "0363010000999999", "from": "2026-01-01", "rent_withheld": false}), 422, Some("/bag_id")),
        (json!({"bag_id": bag, "from": "2026-02-01", "to": "2026-01-01", "rent_withheld": false}), 422, Some("/to")),
        (json!({"bag_id": bag, "from": "2026-02-01"}), 422, None),
        (json!({"bag_id": bag, "from": "yesterday", "rent_withheld": false}), 422, None),
    ];
    for (body, status, pointer) in cases {
        let r = app.post(&path, &agency, body.clone()).await;
        assert_eq!(r.status, status, "{body}: {:?}", r.body);
        if let Some(p) = pointer {
            assert_eq!(r.body["errors"][0]["pointer"], p, "{body}: {:?}", r.body);
        }
    }
    let other = app.token(&[Role::Agency], Some("11112222"));
    assert_eq!(app.post(&path, &other, ok.clone()).await.status, 403, "only the agency itself");
    assert_eq!(app.post("/api/v1/agencies/123/placements", &agency, ok).await.status, 400);
    let r = app.post("/api/v1/placements/not-a-uuid/end", &agency, json!({"to": "2026-01-01"})).await;
    assert_eq!(r.status, 400);
}
