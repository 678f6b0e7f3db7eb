//! Housing that tells the truth (advice 4.1 B, 4.3 E, 4.4 A and B): tenancy contracts at
//! inspection, permits with a maximum and a date to comply by, the season clock of a mobile
//! unit, and rehousing when a mark ends with people living there.

use serde_json::{Value, json};
use zegel_testkit::wait_for_events;

use crate::helpers::{BAG, TestApp, building, spawn_app};

fn contract(form: &str, starts_on: &str, ends_on: Option<&str>) -> Value {
    let mut c = json!({"form": form, "own_contract": true, "tied_to_work": false, "self_contained": true,
        "starts_on": starts_on, "notice": {"months": 1}});
    if let Some(end) = ends_on {
        c["ends_on"] = json!(end);
    }
    c
}

fn measured() -> Value {
    json!({"bedrooms": [6, 6], "living_area": 35})
}

#[tokio::test]
async fn contracts_that_break_a_tenancy_rule_keep_the_building_from_being_certified_and_the_answer_says_which() {
    let app = spawn_app().await;
    let bag = app.registered(building()).await;
    let sample = json!([
        contract("indefinite", "2026-01-01", None),
        contract("short_stay", "2026-05-01", Some("2026-08-31")),
        {"form": "temporary", "own_contract": false, "tied_to_work": true, "self_contained": true,
         "starts_on": "2026-01-01", "ends_on": "2028-01-01", "notice": {"days": 30}},
    ]);
    let r = app.inspect_with(&bag, json!({"measured": measured(), "tenancy": sample})).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["mark"]["status"], "applied", "{:?}", r.body);
    let broken = |i: usize| -> Vec<String> {
        r.body["tenancy"][i]["broken"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["rule"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(broken(0), Vec::<String>::new());
    assert_eq!(broken(1), ["short_stay_under_4_months"], "exactly four months is not under four");
    assert_eq!(
        broken(2),
        ["own_contract", "separate_from_work", "temporary_at_most_2_or_5_years", "notice_at_least_1_month"]
    );
    let because: Vec<&str> =
        r.body["not_certified_because"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(because.iter().any(|b| b.contains("only for a stay under 4 months")), "{because:?}");
    assert!(because.iter().any(|b| b.contains("not in the same contract as work")), "{because:?}");

    // What the inspector saw is what the municipality sees, as forms and broken rules.
    let view = app.get(&format!("/api/v1/buildings/{bag}"), Some(&app.municipality("0363"))).await;
    assert_eq!(view.body["tenancy"]["contract_forms"], json!(["short_stay", "temporary", "indefinite"]));
    assert_eq!(view.body["tenancy"]["broken"].as_array().unwrap().len(), 5);

    // A record that cannot be a contract is refused, naming the field.
    let bad = json!([contract("short_stay", "2026-05-01", None)]);
    let r = app.inspect_with(&bag, json!({"tenancy": bad})).await;
    assert_eq!((r.status, r.body["errors"][0]["pointer"].as_str()), (422, Some("/tenancy/0/ends_on")), "{:?}", r.body);

    // Contracts set right: a new sample that breaks nothing, and the building is certified.
    let good = json!([
        contract("short_stay", "2026-05-01", Some("2026-08-30")),
        contract("temporary", "2026-01-01", Some("2027-12-31")),
    ]);
    let r = app.inspect_with(&bag, json!({"tenancy": good})).await;
    assert_eq!(r.body["mark"]["status"], "certified", "{:?}", r.body);
}

#[tokio::test]
async fn a_permit_caps_the_people_and_its_conditions_must_be_met_by_their_date() {
    let app = spawn_app().await;
    let bag = app.certified().await;
    let seal = app.seal(&bag).await;
    let amsterdam = app.municipality("0363");
    let permit = format!("/api/v1/buildings/{bag}/permit");
    let today = platform::clock::dutch_date(chrono::Utc::now());
    let occupancy = format!("/api/v1/buildings/{bag}/occupancy");

    // The rooms allow two; the permit one. One person: fine.
    let grant = json!({"status": "granted", "valid_from": today.to_string(), "max_people": 1,
        "conditions": ["A second escape route on the first floor"], "comply_by": today.to_string()});
    let r = app.put(&permit, &amsterdam, grant.clone()).await;
    assert_eq!((r.status, &r.body["allowed"]), (200, &json!(1)), "{:?}", r.body);
    assert_eq!(r.body["blocks_the_mark"], json!(null), "the last day to comply is still in time");
    let r = app.put(&occupancy, &app.provider(), json!({"people": 1})).await;
    assert_eq!(r.body["over_capacity"], false);
    let (status, facts) = app.live(&seal).await;
    assert_eq!((status.as_str(), &facts["capacity"]), ("good", &json!(1)), "the door shows the lower limit");

    // Two people: within the rooms' capacity, over the permit's maximum — flagged alike.
    let r = app.put(&occupancy, &app.provider(), json!({"people": 2})).await;
    assert_eq!(r.body["over_capacity"], true, "{:?}", r.body);
    let flagged = wait_for_events(&app.prefix.0, "housing.over_capacity", 1).await;
    assert_eq!((flagged[0].payload["allowed"].as_i64(), flagged[0].payload["capacity"].as_i64()), (Some(1), Some(2)));
    let (status, facts) = app.live(&seal).await;
    assert_eq!(
        (status.as_str(), &facts["over_capacity"], &facts["reason"]),
        ("suspended", &json!(true), &json!("over_capacity"))
    );
    let list = app.get("/api/v1/municipalities/0363/buildings?over_capacity=true", Some(&amsterdam)).await;
    assert_eq!(list.body["count"], 1, "{:?}", list.body);
    // Back within the permit's limit: valid again.
    app.put(&occupancy, &app.provider(), json!({"people": 1})).await;
    assert_eq!(app.live(&seal).await.0, "good");

    // The date to comply by passed without compliance: the mark is blocked, with that reason.
    let late = json!({"status": "granted", "valid_from": today.to_string(), "max_people": 1,
        "conditions": ["A second escape route on the first floor"], "comply_by": (today - chrono::Days::new(1)).to_string()});
    let r = app.put(&permit, &amsterdam, late.clone()).await;
    assert_eq!(r.body["blocks_the_mark"], "permit_conditions_unmet", "{:?}", r.body);
    let (status, facts) = app.live(&seal).await;
    assert_eq!((status.as_str(), facts["reason"].as_str()), ("suspended", Some("permit_conditions_unmet")));
    let r = app.inspect(&bag, &[]).await;
    assert!(
        r.body["not_certified_because"][0].as_str().is_some_and(|s| s.contains("conditions were not met")),
        "a renewal is blocked too: {:?}",
        r.body
    );
    // The municipality finds them met: the mark holds again.
    let mut met = late;
    met["complied_on"] = json!(today.to_string());
    assert_eq!(app.put(&permit, &amsterdam, met).await.body["blocks_the_mark"], json!(null));
    assert_eq!(app.live(&seal).await.0, "good");

    for (body, pointer, case) in [
        (json!({"status": "granted", "valid_from": today.to_string(), "max_people": 0}), "/max_people", "no one"),
        (
            json!({"status": "granted", "valid_from": today.to_string(), "comply_by": today.to_string()}),
            "/comply_by",
            "a date without conditions",
        ),
        (json!({"status": "refused", "reason": "no", "max_people": 3}), "/conditions", "a refusal with a maximum"),
        (
            json!({"status": "granted", "valid_from": today.to_string(), "conditions": ["x"], "complied_on": today.to_string()}),
            "/complied_on",
            "compliance without a date",
        ),
    ] {
        let r = app.put(&permit, &amsterdam, body).await;
        assert_eq!((r.status, r.body["errors"][0]["pointer"].as_str()), (422, Some(pointer)), "{case}: {:?}", r.body);
    }
}

async fn occupied_since(app: &TestApp, bag: &str) -> Option<chrono::NaiveDate> {
    let client = app.state.core.pool.get().await.expect("connection");
    zegel_housing::store::building(&client, bag, false).await.expect("read").expect("building").occupied_since
}

#[tokio::test]
async fn reporting_nobody_mid_season_does_not_restart_the_four_months_of_a_mobile_unit() {
    let app = spawn_app().await;
    let mut unit = building();
    unit["building_type"] = json!("mobile_unit");
    let bag = app.registered(unit).await;
    let occupancy = format!("/api/v1/buildings/{bag}/occupancy");
    let first = app.clock.today();
    app.put(&occupancy, &app.provider(), json!({"people": 4})).await;
    assert_eq!(occupied_since(&app, &bag).await, Some(first));
    app.clock.advance_days(20);
    app.put(&occupancy, &app.provider(), json!({"people": 0})).await;
    app.clock.advance_days(1);
    app.put(&occupancy, &app.provider(), json!({"people": 4})).await;
    assert_eq!(occupied_since(&app, &bag).await, Some(first), "the season's clock kept running");
}

#[tokio::test]
async fn a_mark_that_ends_with_people_inside_opens_a_rehousing_case_until_they_are_rehoused() {
    let app = spawn_app().await;
    let bag = app.certified().await;
    let amsterdam = app.municipality("0363");
    app.put(&format!("/api/v1/buildings/{bag}/occupancy"), &app.provider(), json!({"people": 3})).await;
    app.inspect(&bag, &[("Fire escape blocked", 2)]).await;
    app.clock.advance_days(3);
    assert_eq!(app.sweep().await.revoked, 1);

    let opened = wait_for_events(&app.prefix.0, "housing.rehousing_opened", 1).await;
    assert_eq!(opened[0].addressed_to, ["municipality", "housing_inspector"]);
    assert_eq!(
        (opened[0].payload["people"].as_i64(), opened[0].payload["reason"].as_str()),
        (Some(3), Some("mark_revoked"))
    );
    let deadline = (app.clock.today() + chrono::Months::new(1)).to_string();
    assert_eq!(opened[0].payload["deadline"], deadline.as_str(), "a month: the shortest notice a resident is owed");
    let cases = app.get("/api/v1/municipalities/0363/rehousing", Some(&amsterdam)).await;
    assert_eq!(cases.body["open"], 1, "{:?}", cases.body);
    assert_eq!(cases.body["cases"][0]["address"], "Oudezijds Achterburgwal 12 2-hoog, 1012 DN Amsterdam");
    assert_eq!(cases.body["cases"][0]["provider_kvk"], "12345678");
    assert_eq!(app.get("/api/v1/municipalities/0363/rehousing", Some(&app.inspector())).await.status, 200);
    assert_eq!(app.get("/api/v1/municipalities/0363/rehousing", Some(&app.municipality("0599"))).await.status, 403);
    assert_eq!(app.get("/api/v1/municipalities/0363/rehousing", Some(&app.provider())).await.status, 403);
    let own = app.get(&format!("/api/v1/buildings/{bag}/rehousing"), Some(&app.provider())).await;
    assert_eq!(own.body["cases"][0]["people"], 3, "the provider sees what it owes");

    // Past the deadline and still open: signalled once.
    app.clock.advance_days(31);
    assert_eq!(app.sweep().await.rehousing_overdue, 0, "the deadline day itself is still in time");
    app.clock.advance_days(1);
    assert_eq!(app.sweep().await.rehousing_overdue, 1);
    assert_eq!(app.sweep().await.rehousing_overdue, 0, "signalled once");
    wait_for_events(&app.prefix.0, "housing.rehousing_overdue", 1).await;
    assert_eq!(
        app.get("/api/v1/municipalities/0363/rehousing", Some(&amsterdam)).await.body["cases"][0]["overdue"],
        true
    );

    // Everyone rehoused: the provider reports the building empty, and the case closes.
    app.put(&format!("/api/v1/buildings/{bag}/occupancy"), &app.provider(), json!({"people": 0})).await;
    let closed = wait_for_events(&app.prefix.0, "housing.rehousing_closed", 1).await;
    assert_eq!(closed[0].payload["closed_because"], "empty");
    assert_eq!(app.get("/api/v1/municipalities/0363/rehousing", Some(&amsterdam)).await.body["open"], 0);
}

#[tokio::test]
async fn a_case_closes_when_the_building_is_certified_again_and_an_empty_building_opens_none() {
    let app = spawn_app().await;
    let bag = app.certified().await;
    app.put(&format!("/api/v1/buildings/{bag}/occupancy"), &app.provider(), json!({"people": 2})).await;
    app.clock.advance_days(366);
    assert_eq!(app.sweep().await.expired, 1);
    let opened = wait_for_events(&app.prefix.0, "housing.rehousing_opened", 1).await;
    assert_eq!(opened[0].payload["reason"], "mark_expired");
    app.post(&format!("/api/v1/buildings/{bag}/application"), &app.provider(), json!({})).await;
    assert_eq!(app.inspect(&bag, &[]).await.body["mark"]["status"], "certified");
    let closed = wait_for_events(&app.prefix.0, "housing.rehousing_closed", 1).await;
    assert_eq!(closed[0].payload["closed_because"], "mark_returned");

    // Nobody lives in the other building: its mark ends without a case.
    let empty = app
        .registered(json!({"bag_id": "0363010000654321", "street": "Kade", "number": 1,
        "postcode": "1011 AA", "place": "Amsterdam", "building_type": "group_housing"}))
        .await;
    app.inspect(&empty, &[("Heating broken", 1)]).await;
    app.clock.advance_days(2);
    assert_eq!(app.sweep().await.revoked, 1);
    let cases = app.get(&format!("/api/v1/buildings/{empty}/rehousing"), Some(&app.inspector())).await;
    assert_eq!(cases.body["cases"], json!([]));
    assert_eq!(BAG, bag);
}

#[tokio::test]
async fn the_certification_body_of_an_agency_housed_there_sees_where_the_building_is_and_no_other_body_does() {
    let app = spawn_app().await;
    let bag = app.certified().await;
    // An agency places its workers here; body cb-one holds its certificate application.
    let agency = "11223344";
    let certificate_id = app.held(agency, "cb-one").await;
    let learned = format!("select count(*) from housing.certifier where certificate_id = '{certificate_id}'");
    let placement = json!({"bag_id": bag, "from": app.clock.today().to_string(), "rent_withheld": true});
    let token = app.token(&[platform::auth::Role::Agency], Some(agency));
    let placed = app.post(&format!("/api/v1/agencies/{agency}/placements"), &token, placement).await;
    assert_eq!(placed.status, 201);
    let body = |org: &str| app.token(&[platform::auth::Role::CertificationBody], Some(org));
    let building = format!("/api/v1/buildings/{bag}");
    let missing = app.get("/api/v1/buildings/0363010000999999", Some(&body("cb-one"))).await;
    let unseen = app.get(&building, Some(&body("cb-one"))).await;
    assert_eq!(
        (unseen.status, &unseen.body["type"], &unseen.body["detail"]),
        (
            404,
            &missing.body["type"],
            &json!(missing.body["detail"].as_str().map(|d| d.replace("0363010000999999", &bag)))
        ),
        "before the provider accepts the placement, the body learns not even that the building is registered"
    );
    let id = placed.body["placement"]["placement_id"].as_str().expect("id");
    let accepted = app.post(&format!("/api/v1/placements/{id}/acceptance"), &app.inspector(), json!({})).await;
    assert_eq!(accepted.status, 200, "an inspector confirms it: {:?}", accepted.body);

    let seen = app.get(&building, Some(&body("cb-one"))).await;
    assert_eq!((seen.status, seen.body["address"]["street"].as_str()), (200, Some("Oudezijds Achterburgwal")));
    assert_eq!(app.get(&building, Some(&body("cb-two"))).await.status, 404, "another body: as if not registered");
    let placements = format!("/api/v1/agencies/{agency}/placements");
    assert_eq!(app.get(&placements, Some(&body("cb-one"))).await.status, 200);
    assert_eq!(app.get(&placements, Some(&body("cb-two"))).await.status, 403);

    // Its rights end with its accreditation.
    let accreditation = |accredited: bool| zegel_testkit::accreditation("cb-one", accredited);
    zegel_testkit::publish(&app.prefix.0, &accreditation(false)).await;
    app.until("select count(*) from housing.body_accreditation where not accredited", 1).await;
    assert_eq!(app.get(&building, Some(&body("cb-one"))).await.status, 404, "accreditation withdrawn");
    assert_eq!(app.get(&placements, Some(&body("cb-one"))).await.status, 403);
    zegel_testkit::publish(&app.prefix.0, &accreditation(true)).await;
    app.until("select count(*) from housing.body_accreditation where accredited", 1).await;
    assert_eq!(app.get(&building, Some(&body("cb-one"))).await.status, 200, "accredited again");

    // The certificate ends: the body no longer sees it.
    let kind = platform::event::EventType::CertificateRevoked;
    let revoked = zegel_testkit::events::ended(kind, certificate_id, agency, "cb-one", None, None);
    zegel_testkit::publish(&app.prefix.0, &revoked).await;
    for _ in 0..100 {
        if app.db.value::<i64>(&learned).await == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(app.get(&format!("/api/v1/buildings/{bag}"), Some(&body("cb-one"))).await.status, 404);
}

#[tokio::test]
async fn people_where_nobody_may_live_are_told_at_once_and_open_a_rehousing_case() {
    let app = spawn_app().await;
    let bag = app.certified().await;
    let amsterdam = app.municipality("0363");
    app.put(&format!("/api/v1/buildings/{bag}/occupancy"), &app.provider(), json!({"people": 3})).await;
    let r = app.put("/api/v1/municipalities/0363/permit-requirement", &amsterdam, json!({"required": true})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // The municipality refuses the permit: told at once (the case goes to it and the
    // housing inspectors), and the provider owes the three people other housing.
    let permit = format!("/api/v1/buildings/{bag}/permit");
    let today = platform::clock::dutch_date(chrono::Utc::now());
    let refused = json!({"status": "refused", "reason": "no fire-safe escape route"});
    let r = app.put(&permit, &amsterdam, refused).await;
    assert_eq!((r.status, r.body["blocks_the_mark"].as_str()), (200, Some("no_permit")), "{:?}", r.body);
    let opened = wait_for_events(&app.prefix.0, "housing.rehousing_opened", 1).await;
    assert_eq!(opened[0].addressed_to, ["municipality", "housing_inspector"]);
    assert_eq!(
        (opened[0].payload["people"].as_i64(), opened[0].payload["reason"].as_str()),
        (Some(3), Some("no_permit"))
    );
    assert_eq!(app.sweep().await.unlawful_settled, 0, "the case is open already");
    // Granted after all: the building may be lived in again, and the case closes.
    let grant = json!({"status": "granted", "valid_from": today.to_string(), "reason": "escape route built"});
    assert_eq!(app.put(&permit, &amsterdam, grant).await.status, 200);
    let closed = wait_for_events(&app.prefix.0, "housing.rehousing_closed", 1).await;
    assert_eq!(closed[0].payload["closed_because"], "lawful_again");

    // A mobile unit whose season is over (four months of people, or the winter), with
    // people inside: the sweep finds it, once. (Amsterdam asks no permit again.)
    let r = app.put("/api/v1/municipalities/0363/permit-requirement", &amsterdam, json!({"required": false})).await;
    assert_eq!(r.status, 200);
    let mut unit = building();
    unit["bag_id"] = json!("0363010000000077");
    unit["building_type"] = json!("mobile_unit");
    let unit_bag = app.registered(unit).await;
    app.put(&format!("/api/v1/buildings/{unit_bag}/occupancy"), &app.provider(), json!({"people": 2})).await;
    app.db
        .sql(&format!("update housing.building set occupied_since = current_date - 200 where bag_id = '{unit_bag}'"))
        .await;
    app.sweep().await;
    let opened = wait_for_events(&app.prefix.0, "housing.rehousing_opened", 2).await;
    let unit_case = opened.iter().find(|e| e.payload["bag_id"] == unit_bag.as_str()).expect("the unit's case");
    assert_eq!(unit_case.payload["reason"], "out_of_season");
    assert_eq!(app.sweep().await.unlawful_settled, 0, "opened once");
}

#[tokio::test]
async fn rooms_measured_again_below_the_people_living_there_are_told_at_once() {
    let app = spawn_app().await;
    let bag = app.certified().await;
    app.put(&format!("/api/v1/buildings/{bag}/occupancy"), &app.provider(), json!({"people": 2})).await;
    // The inspector measures one bedroom too small: one person allowed, two live there.
    let r = app.inspect_with(&bag, json!({"measured": {"bedrooms": [5.49, 5.5], "living_area": 30}})).await;
    assert_eq!((r.status, &r.body["capacity"]), (201, &json!(1)), "{:?}", r.body);
    let told = wait_for_events(&app.prefix.0, "housing.over_capacity", 1).await;
    assert_eq!(told[0].addressed_to, ["municipality", "housing_inspector"]);
    assert_eq!((told[0].payload["occupancy"].as_i64(), told[0].payload["allowed"].as_i64()), (Some(2), Some(1)));
    let seal = app.seal(&bag).await;
    let (status, facts) = app.live(&seal).await;
    assert_eq!((status.as_str(), facts["reason"].as_str()), ("suspended", Some("over_capacity")));
    // Measured the same again: no second signal.
    app.inspect_with(&bag, json!({"measured": {"bedrooms": [5.49, 5.5], "living_area": 30}})).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(zegel_testkit::events(&app.prefix.0, "housing.over_capacity").await.len(), 1);
}

/// Every node of a JSON plan, depth first.
fn plan_nodes(plan: &Value, out: &mut Vec<Value>) {
    out.push(plan.clone());
    for child in plan["Plans"].as_array().into_iter().flatten() {
        plan_nodes(child, out);
    }
}

#[tokio::test]
async fn an_agencys_buildings_are_judged_one_by_one_never_the_whole_country() {
    let app = spawn_app().await;
    // A country's worth of other buildings; one agency houses workers in four of them.
    app.db
        .sql(
            "insert into housing.building (bag_id, street, number, postcode, place, building_type, municipality,
                 provider_kvk, mark_id, mark_status, mark_since, registered_on)
             select '036301' || lpad(g::text, 10, '0'), 'Straat', 1, '1012DN', 'Amsterdam', 'group_housing', '0363',
                    lpad((g % 1000)::text, 8, '0'), gen_random_uuid(), 'certified', now(), current_date
             from generate_series(1, 4000) g;
             analyze housing.building",
        )
        .await;
    let plan: Value = app
        .db
        .value::<Value>(
            "explain (format json) select json_agg(h.certified) from housing.agency_buildings h
             where h.kvk_number = '00000042'",
        )
        .await;
    let mut nodes = Vec::new();
    plan_nodes(&plan[0]["Plan"], &mut nodes);
    let scans: Vec<_> =
        nodes.iter().filter(|n| n["Node Type"] == "Seq Scan" && n["Relation Name"] == "building").collect();
    assert!(scans.is_empty(), "the standing read every building: {plan:#}");
    let certified =
        app.db.value::<i64>("select count(*) from housing.agency_buildings where kvk_number = '00000042'").await;
    assert_eq!(certified, 4, "the agency's own four");
}
