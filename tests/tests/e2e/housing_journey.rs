//! The building at the door, across the housing register, the lookup and the certificates
//! register: a certified building's QR page in every language, the complaint form without
//! JavaScript, and the chain deficiency past its deadline → mark revoked → the very next
//! scan says not valid → the agency's certification body is told.

use platform::auth::Role;
use reqwest::Method;
use serde_json::json;
use zegel_e2e::{Suite, esc, messages};

const LANGS: [&str; 8] = ["nl", "en", "pl", "ro", "bg", "es", "lt", "hu"];

async fn page(suite: &Suite, seal: &str, query: &str, accept_language: Option<&str>) -> (String, String) {
    let mut rb = suite.http.get(format!("{}/v/{seal}{query}", suite.lookup.address));
    if let Some(al) = accept_language {
        rb = rb.header("accept-language", al);
    }
    let r = rb.send().await.expect("page");
    assert_eq!(r.status(), 200);
    let lang = r.headers()["content-language"].to_str().expect("ascii").to_string();
    (lang, r.text().await.expect("html"))
}

#[tokio::test]
async fn the_building_page_speaks_every_language_and_takes_complaints_without_javascript() {
    let suite = Suite::start().await;
    let bag = "0983010000001234";
    let seal = suite.certified_building("55667788", bag).await;

    for lang in LANGS {
        let m = messages(lang);
        let (served, html) = page(&suite, &seal, &format!("?lang={lang}"), None).await;
        assert_eq!(served, lang);
        for key in [
            "verdict-valid",
            "explain-valid",
            "label-capacity",
            "label-norm",
            "norm-integrated",
            "label-mark-valid-until",
            "label-last-inspection",
            "complain-title",
            "complain-text",
            "complain-link",
            "help-title",
            "help-inspectorate",
            "help-fairwork",
            "footer",
        ] {
            assert!(html.contains(&esc(&m[key])), "{lang}: {key} = {} missing", m[key]);
        }
        // Two people, in each language's plural form (Polish "2 osoby", not "2 osób"); Fluent
        // isolates the number (FSI … PDI), so no script direction can move it.
        let two = match lang {
            "nl" => "maximaal \u{2068}2\u{2069} personen",
            "en" => "at most \u{2068}2\u{2069} people",
            "pl" => "najwyżej \u{2068}2\u{2069} osoby",
            "ro" => "cel mult \u{2068}2\u{2069} persoane",
            "bg" => "най-много \u{2068}2\u{2069} души",
            "es" => "como máximo \u{2068}2\u{2069} personas",
            "lt" => "ne daugiau kaip \u{2068}2\u{2069} žmonės",
            _ => "legfeljebb \u{2068}2\u{2069} fő",
        };
        assert!(html.contains(two), "{lang}: capacity");
        assert!(
            html.contains("\u{2068}Kerkstraat 7\u{2069}, \u{2068}5911 BC Venlo\u{2069}"),
            "{lang}: address, isolated"
        );
        assert!(html.contains(&format!("href=\"/v/{seal}/complaint?lang={lang}\"")), "{lang}: complaint link");
        assert!(!html.contains(&esc(&m["over-capacity"])), "{lang}: no warning yet");
        for other in LANGS {
            assert!(html.contains(&format!("href=\"?lang={other}\"")), "{lang}: switch to {other}");
        }
        assert!(!html.contains("<script"), "no JavaScript");
    }
    // Chosen by the phone's Accept-Language when no language is picked.
    let (served, html) = page(&suite, &seal, "", Some("ro-RO,ro;q=0.9,en;q=0.5")).await;
    assert_eq!(served, "ro");
    assert!(html.contains(&esc(&messages("ro")["verdict-valid"])));

    // More people than allowed: not valid, and said first at the door (issue 31), in the
    // visitor's language; no green verdict with a warning below it.
    let provider = suite.token(Role::HousingProvider, Some("55667788"));
    let (status, _) = suite
        .housing_call(Method::PUT, &format!("/api/v1/buildings/{bag}/occupancy"), &provider, json!({"people": 5}))
        .await;
    assert_eq!(status, 200);
    let (_, html) = page(&suite, &seal, "?lang=pl", None).await;
    let pl = messages("pl");
    let verdict = html.split("<section class=\"verdict").nth(1).and_then(|s| s.split("</section>").next());
    assert!(
        verdict.is_some_and(
            |v| v.contains(&esc(&pl["verdict-suspended"])) && v.contains(&esc(&pl["reason-over_capacity"]))
        ),
        "the reason, in Polish, in the verdict itself: {html}"
    );

    // The complaint form: a plain HTML form posting to the housing register.
    let form = suite.http.get(format!("{}/v/{seal}/complaint?lang=pl", suite.lookup.address)).send().await.unwrap();
    let policy = form.headers()["content-security-policy"].to_str().unwrap().to_string();
    let housing_origin = suite.lookup.state.settings.housing_url.trim_end_matches('/').to_string();
    assert!(
        policy.contains(&format!("form-action 'self' {housing_origin};")),
        "the form may post to housing: {policy}"
    );
    assert!(policy.contains("default-src 'none'") && !policy.contains("script-src"), "{policy}");
    let form = form.text().await.unwrap();
    let pl = messages("pl");
    assert!(form.contains(&format!("/api/v1/buildings/{bag}/complaints\"")), "{form}");
    assert!(form.contains("method=\"post\"") && form.contains("name=\"category\"") && form.contains("name=\"text\""));
    for key in ["form-title", "form-privacy", "category-overcrowding", "category-intimidation", "form-submit"] {
        assert!(form.contains(&esc(&pl[key])), "pl: {key}");
    }
    let no_redirect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = no_redirect
        .post(format!("{}/api/v1/buildings/{bag}/complaints", suite.housing.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("lang=pl&category=overcrowding&text=Mieszka+tu+9+os%C3%B3b")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, format!("{}/complaint/sent?lang=pl", suite.lookup.address));
    let thanks = suite.http.get(&location).send().await.unwrap().text().await.unwrap();
    assert!(thanks.contains(&esc(&pl["sent-ok"])), "{thanks}");
    let inspector = suite.token(Role::HousingInspector, None);
    let r = suite
        .http
        .get(format!("{}/api/v1/buildings/{bag}/complaints", suite.housing.address))
        .bearer_auth(&inspector)
        .send()
        .await
        .unwrap();
    let complaints: serde_json::Value = r.json().await.unwrap();
    assert_eq!(complaints["complaints"][0]["text"], "Mieszka tu 9 osób");

    // The municipality (Venlo, 0983) sees the building in its list.
    let venlo = suite.token(Role::Municipality, Some("0983"));
    let r = suite
        .http
        .get(format!("{}/api/v1/municipalities/0983/buildings", suite.housing.address))
        .bearer_auth(&venlo)
        .send()
        .await
        .unwrap();
    let list: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        (list["buildings"][0]["bag_id"].as_str(), list["buildings"][0]["over_capacity"].as_bool()),
        (Some(bag), Some(true))
    );

    // A forged code gets no complaint form.
    let r = suite.http.get(format!("{}/v/x.y.z/complaint", suite.lookup.address)).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn a_deficiency_past_its_deadline_revokes_the_mark_and_the_next_scan_says_not_valid() {
    let suite = Suite::start().await;
    // The provider is a certified staffing agency that houses its workers.
    let kvk = "66778899";
    suite.certified(kvk).await;
    let bag = "0983010000005678";
    let seal = suite.certified_building(kvk, bag).await;
    assert_eq!(suite.verify(&seal).await["verdict"], "valid");

    // Venlo subscribes to what concerns its territory.
    let receiver = zegel_testkit::Receiver::start().await;
    let venlo = suite.token(Role::Municipality, Some("0983"));
    let r = suite
        .http
        .post(format!("{}/api/v1/subscriptions", suite.notifier.address))
        .bearer_auth(&venlo)
        .json(&json!({"url": receiver.url, "topics": ["municipality"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    let inspector = suite.token(Role::HousingInspector, None);
    let deadline = (suite.housing.state.clock.today() + chrono::Days::new(3)).to_string();
    let (status, body) = suite
        .housing_call(
            Method::POST,
            &format!("/api/v1/buildings/{bag}/inspections"),
            &inspector,
            json!({"kind": "unannounced", "findings": "Fire escape blocked.", "deficiencies": [{"description": "Fire escape blocked", "deadline": deadline}]}),
        )
        .await;
    assert_eq!((status, body["mark"]["status"].as_str()), (201, Some("suspended")), "{body}");
    let v = suite.verify(&seal).await;
    assert_eq!((v["verdict"].as_str(), v["facts"]["reason"].as_str()), (Some("suspended"), Some("mark_suspended")));
    let (_, html) = page(&suite, &seal, "?lang=lt", None).await;
    assert!(html.contains(&esc(&messages("lt")["reason-mark_suspended"])), "{html}");

    // Past the deadline: the sweep revokes; the very next request says not valid.
    suite.housing.state.clock.advance_days(4);
    let report = zegel_housing::sweep::run(&suite.housing.state).await.unwrap();
    assert_eq!(report.revoked, 1);
    let (_, html) = page(&suite, &seal, "?lang=pl", None).await;
    let pl = messages("pl");
    assert!(html.contains(&esc(&pl["verdict-revoked"])), "{html}");
    assert!(html.contains(&esc(&pl["reason-mark_revoked"])), "{html}");
    assert!(!html.contains(&esc(&pl["verdict-valid"])));
    assert_eq!(suite.verify(&seal).await["verdict"], "revoked");

    // The municipality and the certificates register hear of it; the agency's body is told.
    let revoked = zegel_testkit::wait_for_events(&suite.prefix.0, "housing.mark_revoked", 1).await;
    assert_eq!(revoked[0].payload["provider_kvk"], kvk);
    let told = zegel_testkit::wait_for_events(&suite.prefix.0, "certificate.housing_mark_ended", 1).await;
    assert_eq!(told[0].subject, kvk);
    assert_eq!(told[0].addressed_to, vec!["certification_body:cb-e2e"]);
    assert_eq!(told[0].payload["bag_id"], bag);
    let got = receiver
        .wait_until(|r| r.iter().any(|w| String::from_utf8_lossy(&w.body).contains("housing.mark_revoked")))
        .await;
    assert!(
        got.iter().all(|w| String::from_utf8_lossy(&w.body).contains("\"municipality\":\"0983\"")),
        "its own territory only"
    );

    // And the housing requirement, asked live at certification, now fails for the agency.
    let registers = zegel_certificates::registers::Registers::new("", "", "", &suite.housing.address, "");
    let live = registers.check(kvk, "housing-journey").await.unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].1, Some(zegel_contracts::agency::Reason::BuildingNotCertified), "{live:?}");
}
