//! Deposits: payments, presumed wage claims, payouts that never overdraw, top-ups,
//! shortfalls and their deadlines.

use platform::auth::Role;
use serde_json::{Value, json};
use zegel_testkit::wait_for_events;

use crate::helpers::{TestApp, spawn_app};

async fn pay(app: &TestApp, kvk: &str, cents: i64, key: &str) -> zegel_testkit::Reply {
    let na = app.token(&[Role::AdmissionAuthority], None);
    app.send(
        "POST",
        &format!("/api/v1/agencies/{kvk}/deposit/payments"),
        Some(&na),
        Some(json!({"amount_cents": cents, "reference": "bank 1"})),
        Some(key),
    )
    .await
}

async fn claim(app: &TestApp, kvk: &str, body: Value) -> zegel_testkit::Reply {
    let inspectorate = app.token(&[Role::Inspectorate], None);
    let key = uuid::Uuid::new_v4().to_string();
    app.send("POST", &format!("/api/v1/agencies/{kvk}/deposit/claims"), Some(&inspectorate), Some(body), Some(&key))
        .await
}

async fn payout(app: &TestApp, claim_id: &str, key: &str) -> zegel_testkit::Reply {
    let na = app.token(&[Role::AdmissionAuthority], None);
    app.send("POST", &format!("/api/v1/claims/{claim_id}/payout"), Some(&na), None, Some(key)).await
}

#[tokio::test]
async fn a_presumed_wage_claim_is_paid_out_and_the_agency_must_top_up_in_time() {
    let app = spawn_app().await;
    assert_eq!(app.get("/api/v1/agencies/12345678/deposit", None).await.body["status"], "none");
    // Wtta: a starter pays EUR 50,000 first.
    let r = pay(&app, "12345678", 5_000_000, "p1").await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["standing"]["required_cents"], 5_000_000);
    assert_eq!(app.get("/api/v1/agencies/12345678/deposit", None).await.body["status"], "adequate");

    let r = claim(
        &app,
        "12345678",
        json!({"claim_type": "unpaid_wages", "description": "no payslips for March and April"}),
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["amount_cents"], 509_947, "two months of full-time WML at EUR 14.71");
    assert_eq!(r.body["computation"]["formula"], "2 × 40 × 52/12 × 1471 = 509947 cents");
    let longer = claim(
        &app,
        "12345678",
        json!({"claim_type": "unpaid_wages", "presumption": "six_month_relation", "description": "worked since January"}),
    )
    .await;
    assert_eq!(longer.body["amount_cents"], 1_529_840, "six months of full-time WML at EUR 14.71 (advice 6.2 A)");

    let id = r.body["claim_id"].as_str().unwrap();
    let paid = payout(&app, id, "o1").await;
    assert_eq!(paid.status, 200, "{:?}", paid.body);
    assert_eq!(paid.body["standing"]["balance_cents"], 5_000_000 - 509_947);
    let deadline = paid.body["standing"]["shortfall"]["deadline"].as_str().unwrap().to_string();
    assert_eq!(deadline, (app.clock.today() + chrono::Days::new(28)).to_string(), "four weeks to top up");
    // Drawn by a payout: the top-up term is the agency's to use (it may be hired meanwhile).
    let public = app.get("/api/v1/agencies/12345678/deposit", None).await.body;
    assert_eq!(
        (public["status"].as_str(), public["top_up_by"].as_str()),
        (Some("top_up_due"), Some(deadline.as_str()))
    );
    let again = payout(&app, id, "o1").await;
    assert_eq!(again.status, 200, "the same key replays, it does not pay twice");
    assert_eq!(payout(&app, id, "o2").await.status, 409, "a claim is paid once");

    // Not topped up: the day after the deadline it is reported, once, for the certificate to lapse.
    app.clock.advance_days(28);
    assert_eq!(zegel_deposits::sweep::run(&app.state).await.unwrap().overdue, 0);
    app.clock.advance_days(1);
    assert_eq!(zegel_deposits::sweep::run(&app.state).await.unwrap().overdue, 1);
    assert_eq!(zegel_deposits::sweep::run(&app.state).await.unwrap().overdue, 0);
    let overdue = wait_for_events(&app.prefix.0, "deposit.shortfall_overdue", 1).await;
    assert_eq!(overdue[0].addressed_to, vec!["certificates".to_string(), "inspectorate".to_string()]);
    assert_eq!(app.get("/api/v1/agencies/12345678/deposit", None).await.body["status"], "overdue");

    let na = app.token(&[Role::AdmissionAuthority], None);
    let r = app
        .send(
            "POST",
            "/api/v1/agencies/12345678/deposit/payments",
            Some(&na),
            Some(json!({"amount_cents": 509_947, "reference": "top-up", "kind": "top_up"})),
            Some("t1"),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(app.get("/api/v1/agencies/12345678/deposit", None).await.body["status"], "adequate");
    let ledger = app.get("/api/v1/agencies/12345678/deposit/ledger", Some(&na)).await;
    let kinds: Vec<_> =
        ledger.body["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["payment", "payout", "top_up"]);
}

#[tokio::test]
async fn after_the_starter_period_the_full_amount_is_required() {
    let app = spawn_app().await;
    pay(&app, "12345678", 5_000_000, "p1").await;
    app.clock.advance_days(200);
    zegel_deposits::sweep::run(&app.state).await.unwrap();
    let na = app.token(&[Role::AdmissionAuthority], None);
    let ledger = app.get("/api/v1/agencies/12345678/deposit/ledger", Some(&na)).await;
    assert_eq!(ledger.body["standing"]["required_cents"], 10_000_000);
    // A starter period that ends is no payout: no term to work on, only a deadline.
    assert_eq!(app.get("/api/v1/agencies/12345678/deposit", None).await.body["status"], "shortfall");
}

async fn payouts(app: &TestApp, kvk: &str, key: &str) -> zegel_testkit::Reply {
    let na = app.token(&[Role::AdmissionAuthority], None);
    app.send("POST", &format!("/api/v1/agencies/{kvk}/deposit/payouts"), Some(&na), None, Some(key)).await
}

#[tokio::test]
async fn fifty_concurrent_claims_and_payouts_never_overdraw_the_deposit() {
    let app = spawn_app().await;
    pay(&app, "12345678", 10_000_000, "p1").await;
    // Fifty claims filed while fifty payouts run: wages and damages of EUR 3,000 each, more
    // than the EUR 100,000 the deposit holds.
    let filings = (0..50).map(|i| {
        let app = &app;
        async move {
            let kind = if i % 2 == 0 { "unpaid_wages" } else { "damages" };
            let r = claim(
                app,
                "12345678",
                json!({"claim_type": kind, "amount_cents": 300_000, "description": format!("worker {i}")}),
            )
            .await;
            assert_eq!(r.status, 201, "{:?}", r.body);
        }
    });
    let runs = (0..50).map(|i| {
        let app = &app;
        async move { payouts(app, "12345678", &format!("k{i}")).await.status }
    });
    let (_, statuses) = futures::join!(futures::future::join_all(filings), futures::future::join_all(runs));
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    // Whatever was filed late is paid by one more round.
    assert_eq!(payouts(&app, "12345678", "last").await.status, 200);

    let na = app.token(&[Role::AdmissionAuthority], None);
    let ledger = app.get("/api/v1/agencies/12345678/deposit/ledger", Some(&na)).await;
    let (mut in_, mut out) = (0i64, 0i64);
    for e in ledger.body["entries"].as_array().unwrap() {
        match e["kind"].as_str().unwrap() {
            "payout" => out += e["amount_cents"].as_i64().unwrap(),
            _ => in_ += e["amount_cents"].as_i64().unwrap(),
        }
    }
    assert!(out <= in_, "the ledger invariant: never more out than in");
    assert_eq!(ledger.body["standing"]["balance_cents"], in_ - out);
    assert_eq!(in_ - out, 0, "EUR 100,000 of EUR 150,000 owed: all of it paid out");
    let claims = ledger.body["claims"].as_array().unwrap();
    let paid: i64 = claims.iter().map(|c| c["paid_cents"].as_i64().unwrap()).sum();
    assert_eq!(paid, out, "every cent out is a cent paid on a claim");
    for c in claims {
        assert!(c["paid_cents"].as_i64().unwrap() <= c["accepted_cents"].as_i64().unwrap(), "{c}");
    }
    assert_eq!(claims.len(), 50);
    // Which claims were paid depends on when each was filed; that wages come first when the
    // money is short is tests/api/claims.rs's, with nothing racing.
}

#[tokio::test]
async fn bad_amounts_wrong_roles_and_missing_keys_get_the_right_problem() {
    let app = spawn_app().await;
    let na = app.token(&[Role::AdmissionAuthority], None);
    let cases =
        [(json!(-100), "negative"), (json!(0), "zero"), (json!(12.5), "fractional"), (json!("100"), "a string")];
    for (amount, case) in cases {
        let r = app
            .send(
                "POST",
                "/api/v1/agencies/12345678/deposit/payments",
                Some(&na),
                Some(json!({"amount_cents": amount, "reference": "x"})),
                Some(case),
            )
            .await;
        assert_eq!(r.status, 422, "{case}: {:?}", r.body);
        assert_eq!(r.body["errors"][0]["pointer"], "/amount_cents", "{case}");
    }
    let r = app
        .send(
            "POST",
            "/api/v1/agencies/12345678/deposit/payments",
            Some(&na),
            Some(json!({"amount_cents": 100, "reference": "x"})),
            None,
        )
        .await;
    assert_eq!(r.status, 428, "money moves only with an Idempotency-Key");
    let agency = app.token(&[Role::Agency], Some("12345678"));
    let r = app
        .send(
            "POST",
            "/api/v1/agencies/12345678/deposit/payments",
            Some(&agency),
            Some(json!({"amount_cents": 100, "reference": "x"})),
            Some("a"),
        )
        .await;
    assert_eq!(r.status, 403, "the agency does not book its own payments");
    assert_eq!(
        claim(&app, "99999999", json!({"claim_type": "fine", "amount_cents": 100, "description": "x"})).await.status,
        404,
        "unknown agency"
    );
    pay(&app, "12345678", 1_000, "p").await;
    let big =
        claim(&app, "12345678", json!({"claim_type": "fine", "amount_cents": 5_000, "description": "fine"})).await;
    let r = payout(&app, big.body["claim_id"].as_str().unwrap(), "o").await;
    assert_eq!(r.status, 409, "above the balance");
    assert_eq!(r.body["type"], "urn:zegel:problem:insufficient-deposit");
    let r = app
        .post(
            "/api/v1/agencies/12345678/deposit/claims",
            &na,
            json!({"claim_type": "fine", "amount_cents": 100, "description": "x"}),
        )
        .await;
    assert_eq!(r.status, 403, "fines are the inspectorate's");
    assert_eq!(claim(&app, "12345678", json!({"claim_type": "fine", "description": "no amount"})).await.status, 422);
    assert_eq!(
        claim(&app, "12345678", json!({"claim_type": "unpaid_wages", "months": 1, "description": "x"})).await.status,
        422,
        "less than the presumption"
    );
    let other = app.token(&[Role::Agency], Some("87654321"));
    assert_eq!(app.get("/api/v1/agencies/12345678/deposit/ledger", Some(&other)).await.status, 403, "another agency");
    assert_eq!(
        app.get("/api/v1/agencies/12345678/deposit/ledger", Some(&agency)).await.status,
        200,
        "the agency itself"
    );
}

#[tokio::test]
async fn a_claim_needs_an_idempotency_key_and_a_retry_files_it_once() {
    let app = spawn_app().await;
    pay(&app, "12345678", 1_000_000, "p").await;
    let inspectorate = app.token(&[Role::Inspectorate], None);
    let path = "/api/v1/agencies/12345678/deposit/claims";
    let body = json!({"claim_type": "fine", "amount_cents": 100, "description": "late"});
    let r = app.send("POST", path, Some(&inspectorate), Some(body.clone()), None).await;
    assert_eq!(r.status, 428, "{:?}", r.body);
    assert_eq!(r.body["type"], "urn:zegel:problem:idempotency-key-required", "{:?}", r.body);
    let first = app.send("POST", path, Some(&inspectorate), Some(body.clone()), Some("claim-1")).await;
    let again = app.send("POST", path, Some(&inspectorate), Some(body), Some("claim-1")).await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    assert_eq!(again.status, 201, "{:?}", again.body);
    assert_eq!(first.body["claim_id"], again.body["claim_id"], "the retry answers the first claim");
    let filed: i64 = app.db.value("select count(*) from deposits.claim where kvk_number = '12345678'").await;
    assert_eq!(filed, 1, "one claim filed");
}

#[tokio::test]
async fn an_adequate_deposit_gets_a_seal_without_amounts() {
    let app = spawn_app().await;
    let agency = app.token(&[Role::Agency], Some("12345678"));
    assert_eq!(app.post("/api/v1/agencies/12345678/deposit/seal", &agency, json!({})).await.status, 404);
    pay(&app, "12345678", 5_000_000, "p1").await;
    let r = app.post("/api/v1/agencies/12345678/deposit/seal", &agency, json!({})).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    use base64::Engine;
    let payload = r.body["seal"].as_str().unwrap().split('.').nth(1).unwrap().to_string();
    let claims = String::from_utf8(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert!(claims.contains(r#""iss":"dep""#) && !claims.contains("5000000"), "{claims}");
}

/// The status the lookup reads for a seal (the register's read contract).
async fn seal_status(app: &TestApp, seal_id: &str) -> String {
    let id: uuid::Uuid = seal_id.parse().expect("seal id");
    let client = app.state.core.pool.get().await.expect("connection");
    client.query_one("select status from seal_status where seal_id = $1", &[&id]).await.expect("row").get(0)
}

#[tokio::test]
async fn a_seal_revoked_by_an_overdue_shortfall_never_comes_back_a_fresh_one_does() {
    let app = spawn_app().await;
    let agency = app.token(&[Role::Agency], Some("12345678"));
    pay(&app, "12345678", 5_000_000, "p1").await;
    let old = app.post("/api/v1/agencies/12345678/deposit/seal", &agency, json!({})).await;
    let old = old.body["seal_id"].as_str().expect("seal id").to_string();
    assert_eq!(seal_status(&app, &old).await, "good");

    // A payout leaves a shortfall: suspended while the top-up term runs, revoked past it.
    let r = claim(&app, "12345678", json!({"claim_type": "unpaid_wages", "description": "no payslips"})).await;
    payout(&app, r.body["claim_id"].as_str().expect("claim"), "o1").await;
    assert_eq!(seal_status(&app, &old).await, "suspended");
    app.clock.advance_days(29);
    assert_eq!(zegel_deposits::sweep::run(&app.state).await.expect("sweep").overdue, 1);
    assert_eq!(seal_status(&app, &old).await, "revoked");

    // Topped up: the deposit is adequate again, the revoked seal stays revoked; a new one is good.
    let na = app.token(&[Role::AdmissionAuthority], None);
    let top_up = json!({"amount_cents": 509_947, "reference": "top-up", "kind": "top_up"});
    let r = app.send("POST", "/api/v1/agencies/12345678/deposit/payments", Some(&na), Some(top_up), Some("t1")).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(app.get("/api/v1/agencies/12345678/deposit", None).await.body["status"], "adequate");
    assert_eq!(seal_status(&app, &old).await, "revoked", "a revoked seal never verifies valid again");
    let fresh = app.post("/api/v1/agencies/12345678/deposit/seal", &agency, json!({})).await;
    assert_eq!(fresh.status, 201, "{:?}", fresh.body);
    assert_eq!(seal_status(&app, fresh.body["seal_id"].as_str().expect("seal id")).await, "good");
}
