//! G-accounts through the API.

use platform::auth::Role;
use serde_json::json;
use zegel_testkit::wait_for_events;

use crate::helpers::{g_iban, spawn_app};

#[tokio::test]
async fn an_agency_registers_its_g_account_and_the_tax_authority_verifies_blocks_and_closes_it() {
    let app = spawn_app().await;
    let agency = app.token(&[Role::Agency], Some("12345678"));
    let tax = app.token(&[Role::Tax], None);
    assert_eq!(app.get("/api/v1/agencies/12345678/g-account", None).await.body["status"], "none");

    let iban = g_iban(1);
    let r = app
        .put("/api/v1/agencies/12345678/g-account", &agency, json!({"iban": iban.to_lowercase(), "bank": "ING"}))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["status"], "requested");
    assert_eq!(r.body["iban"], iban, "stored normalised");

    let public = app.get("/api/v1/agencies/12345678/g-account", None).await;
    assert_eq!((public.body["status"].as_str(), &public.body["iban"]), (Some("requested"), &json!(null)), "not yet");
    assert!(!public.body.to_string().contains(&iban), "{:?}", public.body);
    // The tax authority, which verifies the number, and the agency itself read it; another
    // agency or a hirer does not.
    for (token, sees) in [
        (&tax, true),
        (&agency, true),
        (&app.token(&[Role::Agency], Some("87654321")), false),
        (&app.token(&[Role::Hirer], Some("11112222")), false),
    ] {
        let r = app.get("/api/v1/agencies/12345678/g-account", Some(token)).await;
        assert_eq!((r.status, r.body["iban"].as_str() == Some(iban.as_str())), (200, sees), "{:?}", r.body);
    }
    assert_eq!(app.get("/api/v1/agencies/12345678/g-account", Some("not-a-token")).await.status, 401);
    let r = app.get(&format!("/api/v1/agencies/12345678/g-account/match?iban={iban}"), None).await;
    assert_eq!(r.body["matches"], false, "not yet verified");
    let r = app.post("/api/v1/agencies/12345678/g-account/verification", &tax, json!({})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let public = app.get("/api/v1/agencies/12345678/g-account", None).await;
    assert_eq!((public.body["status"].as_str(), public.body["iban"].as_str()), (Some("active"), Some(iban.as_str())));
    let spaced: String = iban
        .chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("%20");
    assert_eq!(
        app.get(&format!("/api/v1/agencies/12345678/g-account/match?iban={spaced}"), None).await.body["matches"],
        true
    );
    assert_eq!(
        app.get(&format!("/api/v1/agencies/12345678/g-account/match?iban={}", g_iban(2)), None).await.body["matches"],
        false
    );

    let r = app.post("/api/v1/agencies/12345678/g-account/blocking", &tax, json!({"reason": "arrears"})).await;
    assert_eq!(r.body["status"], "blocked");
    let public = app.get("/api/v1/agencies/12345678/g-account", None).await;
    assert_eq!((public.body["status"].as_str(), &public.body["iban"]), (Some("blocked"), &json!(null)));
    let contract: Option<String> =
        app.db.value("select iban from gaccounts.agency_status where kvk_number = '12345678'").await;
    assert_eq!(contract, None, "the read contract hides a blocked account's IBAN too");
    assert_eq!(
        app.get(&format!("/api/v1/agencies/12345678/g-account/match?iban={iban}"), None).await.body["matches"],
        false,
        "a blocked account is no place to pay"
    );
    let blocked = wait_for_events(&app.prefix.0, "gaccount.blocked", 1).await;
    assert_eq!(blocked.len(), 1);
    assert_eq!(blocked[0].addressed_to, vec!["certificates".to_string()]);
    assert!(!blocked[0].payload.to_string().contains(&iban), "no IBAN on the bus");

    let r = app.post("/api/v1/agencies/12345678/g-account/closure", &tax, json!({"reason": "agency stopped"})).await;
    assert_eq!(r.body["status"], "closed");
    let public = app.get("/api/v1/agencies/12345678/g-account", None).await;
    assert!(!public.body.to_string().contains(&iban), "{:?}", public.body);
    assert_eq!(wait_for_events(&app.prefix.0, "gaccount.closed", 1).await.len(), 1);
    // A new account may follow a closed one; the history keeps both.
    let r = app.put("/api/v1/agencies/12345678/g-account", &agency, json!({"iban": g_iban(3), "bank": "ING"})).await;
    assert_eq!(r.status, 201);
    let history = app.get("/api/v1/agencies/12345678/g-account/history", Some(&tax)).await;
    let steps: Vec<_> = history.body["history"].as_array().unwrap().iter().map(|h| h["to"].as_str().unwrap()).collect();
    assert_eq!(steps, ["requested", "active", "blocked", "closed", "requested"]);
}

#[tokio::test]
async fn bad_ibans_and_wrong_callers_get_the_right_problem() {
    let app = spawn_app().await;
    let agency = app.token(&[Role::Agency], Some("12345678"));
    let other = app.token(&[Role::Agency], Some("87654321"));
    let tax = app.token(&[Role::Tax], None);
    let cases = [
        (json!({"iban": "NL91ABNA0417164300", "bank": "ABN"}), "099", "a Dutch IBAN without 099"),
        (json!({"iban": "NL91ABNA0417164301", "bank": "ABN"}), "checksum", "bad checksum"),
        (json!({"iban": "NL91ABNA04171643", "bank": "ABN"}), "18 characters", "wrong length"),
        (json!({"iban": g_iban(1), "bank": ""}), "empty", "no bank"),
    ];
    for (body, expected, case) in cases {
        let r = app.put("/api/v1/agencies/12345678/g-account", &agency, body).await;
        assert_eq!(r.status, 422, "{case}: {:?}", r.body);
        assert!(r.body["errors"][0]["detail"].as_str().unwrap().contains(expected), "{case}: {:?}", r.body);
    }
    assert_eq!(
        app.put("/api/v1/agencies/12345678/g-account", &other, json!({"iban": g_iban(1), "bank": "ING"})).await.status,
        403,
        "another agency"
    );
    assert_eq!(
        app.put("/api/v1/agencies/1234/g-account", &agency, json!({"iban": g_iban(1), "bank": "ING"})).await.status,
        400,
        "malformed KvK"
    );
    app.put("/api/v1/agencies/12345678/g-account", &agency, json!({"iban": g_iban(1), "bank": "ING"})).await;
    assert_eq!(
        app.post("/api/v1/agencies/12345678/g-account/verification", &agency, json!({})).await.status,
        403,
        "the agency cannot verify itself"
    );
    assert_eq!(
        app.post("/api/v1/agencies/12345678/g-account/blocking", &tax, json!({"reason": "x"})).await.status,
        409,
        "cannot block a requested account"
    );
    assert_eq!(
        app.post("/api/v1/agencies/12345678/g-account/closure", &tax, json!({})).await.status,
        422,
        "a reason is required"
    );
    assert_eq!(app.post("/api/v1/agencies/12345678/g-account/nonsense", &tax, json!({})).await.status, 404);
    assert_eq!(
        app.post("/api/v1/agencies/99999999/g-account/verification", &tax, json!({})).await.status,
        404,
        "unknown agency"
    );
    app.post("/api/v1/agencies/12345678/g-account/verification", &tax, json!({})).await;
    let r = app.put("/api/v1/agencies/12345678/g-account", &agency, json!({"iban": g_iban(2), "bank": "ING"})).await;
    assert_eq!(r.status, 409, "an active account is not replaced by a PUT");
    assert_eq!(r.body["type"], "urn:zegel:problem:g-account-in-use");
    assert_eq!(
        app.get("/api/v1/agencies/12345678/g-account/match?iban=NL00", None).await.status,
        422,
        "malformed IBAN to check"
    );
    assert_eq!(app.get("/api/v1/agencies/12345678/g-account/history", Some(&other)).await.status, 403);
}

#[tokio::test]
async fn an_active_g_account_gets_a_seal_without_its_iban() {
    let app = spawn_app().await;
    let agency = app.token(&[Role::Agency], Some("12345678"));
    let tax = app.token(&[Role::Tax], None);
    app.put("/api/v1/agencies/12345678/g-account", &agency, json!({"iban": g_iban(1), "bank": "ING"})).await;
    let r = app.post("/api/v1/agencies/12345678/g-account/seal", &agency, json!({})).await;
    assert_eq!(r.status, 409, "not active yet");
    app.post("/api/v1/agencies/12345678/g-account/verification", &tax, json!({})).await;
    let r = app.post("/api/v1/agencies/12345678/g-account/seal", &agency, json!({})).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let seal = r.body["seal"].as_str().unwrap();
    let payload = seal.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims = String::from_utf8(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    // Neither the IBAN nor its account number (a bare "099" also turns up in timestamps).
    let iban = g_iban(1);
    assert!(!claims.contains("INGB") && !claims.contains(&iban[8..]), "{claims}");
    assert!(claims.contains(r#""iss":"gac""#));
    assert!(r.body["qr_version"].as_i64().unwrap() <= 13);
}
