//! Housing that tells the truth, as a resident, a newcomer and the public meet it: rooms
//! changed after certification show at the door; the tenancy rights are on the page in the
//! resident's language, and the rights page is linked from it; a poster whose code is out
//! of date still says where the building stands; and no public route lists where migrants
//! live — only a building's own seal shows its address.

use platform::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};
use zegel_e2e::{Suite, esc, messages};

const LANGS: [&str; 8] = ["nl", "en", "pl", "ro", "bg", "es", "lt", "hu"];
const AGENCY: &str = "55667788";
const BAG: &str = "0983010000001234";

async fn text(suite: &Suite, url: String) -> (u16, String) {
    let r = suite.http.get(url).send().await.expect("sent");
    (r.status().as_u16(), r.text().await.expect("body"))
}

#[tokio::test]
async fn rooms_changed_after_certification_show_at_the_door() {
    let suite = Suite::start().await;
    let seal = suite.certified_building(AGENCY, BAG).await;
    assert_eq!(suite.verify(&seal).await["verdict"], "valid");
    let provider = suite.token(Role::HousingProvider, Some(AGENCY));
    let rooms = json!({"bedrooms": [6, 6, 6, 6], "living_area": 35});
    let (status, body) =
        suite.housing_call(Method::PUT, &format!("/api/v1/buildings/{BAG}/rooms"), &provider, rooms).await;
    assert_eq!((status, body["mark"]["status"].as_str()), (200, Some("suspended")), "{body}");

    let v = suite.verify(&seal).await;
    assert_eq!(
        (v["verdict"].as_str(), v["facts"]["reason"].as_str()),
        (Some("suspended"), Some("rooms_changed")),
        "{v}"
    );
    for lang in LANGS {
        let page = suite.page(&seal, lang).await;
        let said = esc(&messages(lang)["reason-rooms_changed"]);
        assert!(page.contains(&said), "{lang}: the door says the rooms changed");
    }
}

#[tokio::test]
async fn the_page_at_the_door_states_the_tenancy_rights_in_the_residents_language() {
    let suite = Suite::start().await;
    let seal = suite.certified_building(AGENCY, BAG).await;
    for lang in LANGS {
        let m = messages(lang);
        let page = suite.page(&seal, lang).await;
        for key in ["tenancy-title", "tenancy-own", "tenancy-notice", "tenancy-work", "tenancy-call", "rights-link"] {
            assert!(page.contains(&esc(&m[key])), "{lang}: the door says {key}");
        }
        assert!(page.contains(&format!("href=\"/rights?lang={lang}\"")), "{lang}: the rights page is linked");
        let (status, rights) = text(&suite, format!("{}/rights?lang={lang}", suite.lookup.address)).await;
        assert_eq!(status, 200);
        for key in [
            "rights-title",
            "rights-certificate",
            "rights-deposit",
            "rights-gaccount",
            "rights-housing",
            "rights-complaints",
            "tenancy-work",
        ] {
            assert!(rights.contains(&esc(&m[key])), "{lang}: the rights page says {key}");
        }
        assert!(rights.contains("0800 5151"), "{lang}: whom to call");
    }
    // Polish, as a resident from Poland reads it.
    let page = suite.page(&seal, "pl").await;
    assert!(page.contains("Masz własną umowę najmu"), "{page}");
    assert!(page.contains("co najmniej miesięcznym okresem wypowiedzenia"));
}

#[tokio::test]
async fn a_poster_whose_code_is_out_of_date_still_says_where_the_building_stands() {
    let suite = Suite::start().await;
    let seal = suite.certified_building(AGENCY, BAG).await;
    let housing = &suite.housing.state;

    // A poster from before, whose seal has expired by now: the building's mark is valid.
    let now = chrono::Utc::now();
    let old = housing
        .desk
        .sign(BAG, now - chrono::Duration::minutes(4), Some(now - chrono::Duration::minutes(2)), Default::default())
        .expect("signed")
        .token;
    assert_eq!(suite.verify(&old).await["verdict"], "expired", "the seal itself is past its end");
    let page = suite.page(&old, "en").await;
    assert!(page.contains(">Valid<") || page.contains("Valid</h1>"), "never 'not valid' for a valid building: {page}");
    assert!(page.contains(&esc(&messages("en")["poster-outdated"])), "the provider owes a new poster");
    assert!(page.contains(&esc(&messages("en")["building-now-valid"])));
    assert!(page.contains("Kerkstraat 7"), "the building the poster hangs on");
    let (status, _) = text(&suite, format!("{}/v/{old}/complaint?lang=en", suite.lookup.address)).await;
    assert_eq!(status, 200, "the residents can still complain through it");

    // The mark is revoked, applied for and certified again: the old poster belongs to an
    // earlier mark, and says so, with the building's valid mark now.
    let inspector = suite.token(Role::HousingInspector, None);
    let deadline = (housing.clock.today() + chrono::Days::new(1)).to_string();
    let inspections = format!("/api/v1/buildings/{BAG}/inspections");
    let found = json!({"kind": "unannounced", "findings": "Fire escape blocked.",
        "deficiencies": [{"description": "Fire escape blocked", "deadline": deadline}]});
    suite.housing_call(Method::POST, &inspections, &inspector, found).await;
    housing.clock.advance_days(2);
    assert_eq!(zegel_housing::sweep::run(housing).await.expect("sweep").revoked, 1);
    let v = suite.verify(&seal).await;
    assert_eq!(v["verdict"], "revoked");
    let page = suite.page(&seal, "en").await;
    assert!(page.contains(&esc(&messages("en")["reason-mark_revoked"])), "the poster of this mark: revoked: {page}");

    let provider = suite.token(Role::HousingProvider, Some(AGENCY));
    suite.housing_call(Method::POST, &format!("/api/v1/buildings/{BAG}/application"), &provider, json!({})).await;
    let clean =
        json!({"kind": "announced", "findings": "Remedied.", "measured": {"bedrooms": [6, 6], "living_area": 35}});
    let (_, body) = suite.housing_call(Method::POST, &inspections, &inspector, clean).await;
    assert_eq!(body["mark"]["status"], "certified", "{body}");
    let v = suite.verify(&seal).await;
    assert_eq!((v["verdict"].as_str(), v["facts"]["reason"].as_str()), (Some("revoked"), Some("mark_replaced")));
    let page = suite.page(&seal, "en").await;
    assert!(page.contains(">Valid<") || page.contains("Valid</h1>"), "the building is certified again: {page}");
    assert!(page.contains(&esc(&messages("en")["poster-outdated"])));
}

/// Every GET route the OpenAPI document `doc` lists that takes no token, with its path
/// parameters filled in.
fn public_gets(doc: &str, params: &[(&str, &str)]) -> Vec<String> {
    let path = format!("{}/../openapi/{doc}", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_yaml_ng::from_str(&std::fs::read_to_string(path).expect("document")).expect("yaml");
    let mut found = Vec::new();
    for (route, item) in doc["paths"].as_object().expect("paths") {
        let Some(get) = item.get("get") else { continue };
        let security = get.get("security").or_else(|| doc.get("security"));
        let public = security.is_none_or(|s| {
            s.as_array().is_some_and(|a| a.is_empty() || a.iter().any(|r| r.as_object().is_some_and(|o| o.is_empty())))
        });
        if public {
            let mut url = route.clone();
            for (name, value) in params {
                url = url.replace(name, value);
            }
            found.push(url);
        }
    }
    found
}

#[tokio::test]
async fn no_public_route_tells_where_migrants_live_only_a_buildings_own_seal_does() {
    let suite = Suite::start().await;
    let seal = suite.certified_building(AGENCY, BAG).await;
    // The agency houses workers there; the hirer check and its receipt show that it does.
    // A placement needs an agency a certification body holds.
    suite.provisional(AGENCY).await;
    suite.place(AGENCY, BAG).await;
    let check = suite
        .http
        .post(format!("{}/api/v1/agency-checks", suite.lookup.address))
        .json(&json!({"kvk_numbers": [AGENCY], "receipts": true}))
        .send()
        .await
        .expect("bulk check");
    let bulk = check.text().await.expect("body");
    let receipt: Value = serde_json::from_str(&bulk).unwrap_or_default();
    let receipt = receipt["results"][0]["receipt"]["seal"].as_str().map(str::to_string);

    let leaks =
        |body: &str| ["Kerkstraat", "5911 BC", "5911BC", "Venlo", BAG].into_iter().find(|needle| body.contains(needle));
    let mut asked = vec![("POST /api/v1/agency-checks".to_string(), bulk.clone())];
    let housing = public_gets(
        "housing.yaml",
        &[("{bag_id}", BAG), ("{kvk}", AGENCY), ("{code}", "0983"), ("{id}", "01930000-0000-7000-8000-000000000000")],
    );
    assert!(housing.iter().any(|r| r.contains("/providers/")), "the provider list is public: {housing:?}");
    for route in housing {
        let (status, body) = text(&suite, format!("{}{route}", suite.housing.address)).await;
        asked.push((format!("GET housing {route} ({status})"), body));
    }
    let lookup = public_gets("lookup.yaml", &[("{kvk}", AGENCY), ("{seal}", receipt.as_deref().unwrap_or("x"))]);
    for route in lookup {
        let (status, body) = text(&suite, format!("{}{route}", suite.lookup.address)).await;
        asked.push((format!("GET lookup {route} ({status})"), body));
    }
    for (query, what) in [
        (format!("/check?kvk={AGENCY}"), "the hirer check page"),
        (format!("/check?kvk={AGENCY}&lang=en"), "in English"),
    ] {
        let (_, body) = text(&suite, format!("{}{query}", suite.lookup.address)).await;
        asked.push((what.to_string(), body));
    }
    if let Some(receipt) = &receipt {
        asked.push(("the receipt's page".into(), suite.page(receipt, "en").await));
        asked.push(("the receipt verified".into(), suite.verify(receipt).await.to_string()));
    }
    assert!(asked.len() > 10, "{}", asked.len());
    for (what, body) in &asked {
        assert_eq!(leaks(body), None, "{what} tells where migrants live: {body}");
    }
    // What the public does learn: that the agency houses its workers in certified buildings.
    let (_, check) = text(&suite, format!("{}/api/v1/agencies/{AGENCY}/check", suite.lookup.address)).await;
    let check: Value = serde_json::from_str(&check).expect("json");
    assert_eq!(
        check["parts"]["housing"]["detail"]["buildings"],
        json!([{"mark_status": "certified", "certified": true}])
    );
    let (_, counts) = text(&suite, format!("{}/api/v1/providers/{AGENCY}/buildings", suite.housing.address)).await;
    let counts: Value = serde_json::from_str(&counts).expect("json");
    assert_eq!((counts["buildings"].as_i64(), counts["certified"].as_i64()), (Some(1), Some(1)), "{counts}");

    // The person at the door already knows the address: the building's own seal shows it.
    let door = suite.page(&seal, "en").await;
    assert!(door.contains("Kerkstraat 7") && door.contains("5911 BC Venlo"), "{door}");
    // And the provider itself, an inspector and the municipality may know it.
    for token in [
        suite.token(Role::HousingProvider, Some(AGENCY)),
        suite.token(Role::HousingInspector, None),
        suite.token(Role::Municipality, Some("0983")),
    ] {
        let (status, body) =
            suite.housing_call(Method::GET, &format!("/api/v1/buildings/{BAG}"), &token, Value::Null).await;
        assert_eq!((status, body["address"]["street"].as_str()), (200, Some("Kerkstraat")), "{body}");
    }
    let (status, _) = suite
        .housing_call(
            Method::GET,
            &format!("/api/v1/buildings/{BAG}"),
            &suite.token(Role::Municipality, Some("0363")),
            Value::Null,
        )
        .await;
    assert_eq!(status, 404, "another municipality: as for a building that is not registered");
}
