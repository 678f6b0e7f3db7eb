//! A worker's own wage claim: filed alone, through a support organisation or by an
//! authority; assessed with the presumptions of 2.1 C and 6.2 A at the minimum wage in
//! force on the claim's period; paid by priority and pro rata when the deposit is short;
//! the worker's data for the admission authority and the inspectorate only.

use platform::auth::Role;
use serde_json::{Value, json};
use zegel_testkit::wait_for_events;

use crate::helpers::{TestApp, spawn_app};

const AGENCY: &str = "12345678";
const BSN: &str = "111222333";

async fn pay(app: &TestApp, cents: i64, key: &str, kind: &str) {
    let na = app.token(&[Role::AdmissionAuthority], None);
    let body = json!({"amount_cents": cents, "reference": "bank", "kind": kind});
    let r = app
        .send("POST", &format!("/api/v1/agencies/{AGENCY}/deposit/payments"), Some(&na), Some(body), Some(key))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
}

fn worker_claim() -> Value {
    json!({"name": "Ioana Popescu", "contact": "+40 712 345 678", "bsn": BSN, "period_from": "2025-08-01",
           "period_to": "2025-09-30", "paid_cents": 0, "description": "No wages for August and September.",
           "evidence": ["WhatsApp messages with the planner", "time sheets"], "language": "ro"})
}

async fn file(app: &TestApp, token: Option<&str>, body: Value) -> zegel_testkit::Reply {
    app.send("POST", &format!("/api/v1/agencies/{AGENCY}/deposit/worker-claims"), token, Some(body), None).await
}

async fn assess(app: &TestApp, id: &str, body: Value) -> zegel_testkit::Reply {
    let na = app.token(&[Role::AdmissionAuthority], None);
    app.send("POST", &format!("/api/v1/claims/{id}/assessment"), Some(&na), Some(body), None).await
}

async fn payouts(app: &TestApp, key: &str) -> zegel_testkit::Reply {
    let na = app.token(&[Role::AdmissionAuthority], None);
    app.send("POST", &format!("/api/v1/agencies/{AGENCY}/deposit/payouts"), Some(&na), None, Some(key)).await
}

fn token_of(status_url: &str) -> String {
    status_url.split("t=").nth(1).and_then(|t| t.split('&').next()).expect("token").to_string()
}

#[tokio::test]
async fn a_worker_files_alone_follows_the_claim_by_its_link_and_is_paid_pro_rata_when_the_deposit_is_short() {
    let app = spawn_app().await;
    pay(&app, 300_000, "p1", "payment").await;
    let r = file(&app, None, worker_claim()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["claim_id"].as_str().unwrap().to_string();
    let url = r.body["status_url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&format!("http://127.0.0.1:8080/claims/{id}?t=")) && url.ends_with("&lang=ro"), "{url}");
    let token = token_of(&url);
    let status = |t: String| {
        let app = &app;
        let id = id.clone();
        async move { app.get(&format!("/api/v1/worker-claims/{id}?token={t}"), None).await }
    };
    let seen = status(token.clone()).await;
    assert_eq!((seen.status, seen.body["status"].as_str()), (200, Some("filed")), "{:?}", seen.body);
    assert_eq!(status("0".repeat(32)).await.status, 404, "the link is the key");
    let filed = wait_for_events(&app.prefix.0, "deposit.worker_claim_filed", 1).await;
    assert_eq!(filed[0].addressed_to, ["admission_authority", "inspectorate"]);
    assert!(!filed[0].payload.to_string().contains("Popescu"), "no name in an event");

    // Two months of full-time minimum wage at the rate in force on the period (EUR 14.40 from
    // July 2025): 2 × 40 × 52/12 × 1440 = 499,200 cents.
    let r = assess(&app, &id, json!({"decision": "accept", "presumption": "administration_unusable"})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!((r.body["accepted_cents"].as_i64(), r.body["status"].as_str()), (Some(499_200), Some("accepted")));
    assert_eq!(r.body["computation"]["minimum_wage_in_force_from"], "2025-07-01");
    assert_eq!(r.body["computation"]["presumption"], "administration_unusable");
    assert_eq!(assess(&app, &id, json!({"decision": "reject", "reason": "again"})).await.status, 409, "assessed once");

    // A fine of the inspectorate, accepted as filed: after the wages.
    let inspectorate = app.token(&[Role::Inspectorate], None);
    let fine = json!({"claim_type": "fine", "amount_cents": 100_000, "description": "fine 2025-17"});
    let r = app
        .send("POST", &format!("/api/v1/agencies/{AGENCY}/deposit/claims"), Some(&inspectorate), Some(fine), Some("f1"))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let fine_id = r.body["claim_id"].as_str().unwrap().to_string();

    // EUR 3,000 held, EUR 4,992 of wages owed: the wages get all of it, the fine nothing.
    let r = payouts(&app, "o1").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["payouts"], json!([{"claim_id": id, "amount_cents": 300_000, "status": "partly_paid"}]));
    assert_eq!(
        (r.body["still_owed_cents"].as_i64(), r.body["standing"]["balance_cents"].as_i64()),
        (Some(299_200), Some(0))
    );
    let seen = status(token.clone()).await;
    assert_eq!((seen.body["status"].as_str(), seen.body["paid_cents"].as_i64()), (Some("partly_paid"), Some(300_000)));

    // Topped up: what the wages were left owed first, then the fine.
    pay(&app, 400_000, "t1", "top_up").await;
    let r = payouts(&app, "o2").await;
    let paid: Vec<(String, i64)> = r.body["payouts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["claim_id"].as_str().unwrap().to_string(), p["amount_cents"].as_i64().unwrap()))
        .collect();
    assert_eq!(paid, [(id.clone(), 199_200), (fine_id, 100_000)]);
    assert_eq!(r.body["standing"]["balance_cents"], 100_800);
    assert_eq!(status(token).await.body["status"], "paid");
}

#[tokio::test]
async fn a_support_organisation_files_for_a_worker_and_only_the_authorities_see_who() {
    let app = spawn_app().await;
    pay(&app, 5_000_000, "p1", "payment").await;
    let fairwork = app.token(&[Role::WorkerSupport], Some("fairwork"));
    let r = file(&app, Some(&fairwork), worker_claim()).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["claim_id"].as_str().unwrap().to_string();
    for (token, case) in [
        (app.token(&[Role::Agency], Some(AGENCY)), "the agency files no claim on itself"),
        (app.token(&[Role::Hirer], Some("87654321")), "a hirer"),
        (app.token(&[Role::WorkerSupport], None), "a support organisation without its id"),
    ] {
        assert_eq!(file(&app, Some(&token), worker_claim()).await.status, 403, "{case}");
    }

    // Who filed: the admission authority and the inspectorate, read audited; nobody else.
    let who = format!("/api/v1/claims/{id}/claimant");
    let r = app.get(&who, Some(&app.token(&[Role::AdmissionAuthority], None))).await;
    assert_eq!((r.status, r.body["claimant"]["name"].as_str()), (200, Some("Ioana Popescu")), "{:?}", r.body);
    assert_eq!(
        (r.body["claimant"]["bsn_given"].as_bool(), r.body["claimant"]["support_org"].as_str()),
        (Some(true), Some("fairwork"))
    );
    assert!(!r.body.to_string().contains(BSN), "the BSN is kept as a keyed hash only");
    assert_eq!(app.get(&who, Some(&app.token(&[Role::Inspectorate], None))).await.status, 200);
    for token in [app.token(&[Role::Agency], Some(AGENCY)), fairwork.clone(), app.token(&[Role::Tax], None)] {
        assert_eq!(app.get(&who, Some(&token)).await.status, 403);
    }
    assert_eq!(app.get(&who, None).await.status, 401);
    let reads =
        app.db.value::<i64>("select count(*) from deposits.audit_log where action = 'deposit.claimant.read'").await;
    assert_eq!(reads, 2);

    // The agency's ledger: the claim's status and amounts, never the worker's story.
    let ledger = app
        .get(&format!("/api/v1/agencies/{AGENCY}/deposit/ledger"), Some(&app.token(&[Role::Agency], Some(AGENCY))))
        .await;
    let text = ledger.body.to_string();
    for secret in ["Popescu", "712 345", "WhatsApp", "August", "2025-08-01"] {
        assert!(!text.contains(secret), "the agency learns nothing of {secret}: {text}");
    }
    let stored = app
        .db
        .value::<String>("select coalesce(string_agg(encode(bsn_hash, 'hex'), ''), '') from deposits.claimant")
        .await;
    assert!(!stored.contains(BSN) && stored.len() == 64, "a keyed hash: {stored}");

    // Six months presumed where underpayment is suspected, less what was paid.
    let mut partly = worker_claim();
    partly["paid_cents"] = json!(100_000);
    let id = file(&app, Some(&fairwork), partly).await.body["claim_id"].as_str().unwrap().to_string();
    let r = assess(&app, &id, json!({"decision": "accept", "presumption": "six_month_relation"})).await;
    assert_eq!(r.body["accepted_cents"], 1_497_600 - 100_000, "{:?}", r.body);
}

#[tokio::test]
async fn the_browser_form_files_once_and_lands_on_the_private_status_page() {
    let app = spawn_app().await;
    pay(&app, 5_000_000, "p1", "payment").await;
    let form = [
        ("name", "Ana Lungu"),
        ("contact", ""),
        ("bsn", ""),
        ("period_from", "2025-09-01"),
        ("period_to", "2025-09-30"),
        ("paid_eur", "250,50"),
        ("description", "Only part of September was paid."),
        ("evidence", "payslip\nbank statement"),
        ("lang", "ro"),
        ("nonce", "0d6b4f6c-7a53-4a2b-9d1e-3c1f0f6f9a11"),
    ];
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let post = || async {
        browser
            .post(format!("{}/api/v1/agencies/{AGENCY}/deposit/worker-claims", app.address))
            .form(&form)
            .send()
            .await
            .expect("posted")
    };
    let first = post().await;
    assert_eq!(first.status(), 303);
    let location = first.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with("http://127.0.0.1:8080/claims/") && location.ends_with("&lang=ro&filed=1"),
        "{location}"
    );
    let again = post().await;
    assert_eq!(again.headers()["location"].to_str().unwrap(), location, "the same form, the same claim");
    assert_eq!(app.db.value::<i64>("select count(*) from deposits.claim").await, 1);
    let claimed: i64 = app.db.value("select paid_during_cents from deposits.claim").await;
    assert_eq!(claimed, 25_050);

    // The nonce is bound to what the form said: whoever posts it again with anything else
    // gets no link, and no claim is filed.
    let mut other = form;
    other[0] = ("name", "Someone Else");
    let reused = browser
        .post(format!("{}/api/v1/agencies/{AGENCY}/deposit/worker-claims", app.address))
        .form(&other)
        .send()
        .await
        .expect("posted");
    assert_eq!(reused.status(), 303);
    let back = reused.headers()["location"].to_str().unwrap();
    assert!(
        back.ends_with(&format!("/claim?kvk={AGENCY}&lang=ro&error=invalid")) && !back.contains("/claims/"),
        "{back}"
    );

    assert_eq!(app.db.value::<i64>("select count(*) from deposits.claim").await, 1);

    // Two workers who happen to send the same Idempotency-Key each file their own claim: an
    // anonymous key scope would hand the second the first one's private link.
    let path = format!("/api/v1/agencies/{AGENCY}/deposit/worker-claims");
    let first = app.send("POST", &path, None, Some(worker_claim()), Some("1")).await;
    let second = app.send("POST", &path, None, Some(worker_claim()), Some("1")).await;
    assert_eq!((first.status, second.status), (201, 201));
    assert_ne!(first.body["status_url"], second.body["status_url"]);
}

#[tokio::test]
async fn assessments_and_claims_refuse_what_cannot_be() {
    let app = spawn_app().await;
    pay(&app, 5_000_000, "p1", "payment").await;
    let tomorrow = (platform::clock::dutch_date(chrono::Utc::now()) + chrono::Days::new(1)).to_string();
    let with = |key: &str, value: Value| {
        let mut b = worker_claim();
        b[key] = value;
        b
    };
    for (body, pointer, case) in [
        (with("period_to", json!(tomorrow)), "/period_to", "a period in the future"),
        (with("period_to", json!("2025-07-31")), "/period_to", "ending before it starts"),
        (with("paid_cents", json!(-5)), "/paid_cents", "a negative amount paid"),
        (with("claimed_cents", json!(0)), "/claimed_cents", "claiming nothing"),
        (with("bsn", json!("123456789")), "/bsn", "a BSN that fails the eleven-test"),
        (with("language", json!("de")), "/language", "a language the pages do not speak"),
        (with("name", json!("")), "/name", "no name"),
        (with("period_from", json!("2019-01-01")), "/period_from", "more than five years ago"),
    ] {
        let r = file(&app, None, body).await;
        assert_eq!((r.status, r.body["errors"][0]["pointer"].as_str()), (422, Some(pointer)), "{case}: {:?}", r.body);
    }
    // An agency that holds no deposit: the claim is kept and routed all the same.
    let r = app.send("POST", "/api/v1/agencies/99999999/deposit/worker-claims", None, Some(worker_claim()), None).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["no_deposit"], true);
    assert!(r.body["next"].as_str().unwrap().contains("Labour Authority"), "{:?}", r.body);
    let orphan = r.body["claim_id"].as_str().unwrap().to_string();
    let token = token_of(r.body["status_url"].as_str().unwrap());
    let status = app.get(&format!("/api/v1/worker-claims/{orphan}?token={token}"), None).await;
    assert_eq!((status.status, status.body["status"].as_str()), (200, Some("filed")), "{:?}", status.body);
    let routed = wait_for_events(&app.prefix.0, "deposit.worker_claim_filed", 1).await;
    let routed = routed.iter().find(|e| e.subject == "99999999").expect("routed");
    assert_eq!(routed.addressed_to, ["admission_authority", "inspectorate"]);
    assert_eq!(routed.payload["no_deposit"], true);
    assert!(!serde_json::to_string(routed).unwrap().contains(&token), "never the worker's private link");
    let accepted = assess(&app, &orphan, json!({"decision": "accept", "amount_cents": 100_000})).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    let na = app.token(&[Role::AdmissionAuthority], None);
    let r = app.send("POST", &format!("/api/v1/claims/{orphan}/payout"), Some(&na), None, Some("orphan")).await;
    assert_eq!(
        (r.status, r.body["type"].as_str()),
        (409, Some("urn:zegel:problem:insufficient-deposit")),
        "{:?}",
        r.body
    );

    let mut claimed = worker_claim();
    claimed["claimed_cents"] = json!(600_000);
    let id = file(&app, None, claimed).await.body["claim_id"].as_str().unwrap().to_string();
    for (body, pointer, case) in [
        (json!({"decision": "reject"}), "/reason", "a rejection without a reason"),
        (json!({"decision": "accept"}), "/amount_cents", "accepting nothing in particular"),
        (
            json!({"decision": "accept", "amount_cents": 100, "presumption": "six_month_relation"}),
            "/amount_cents",
            "both",
        ),
        (json!({"decision": "accept_in_part", "amount_cents": 100}), "/reason", "in part without a reason"),
        (json!({"decision": "accept", "amount_cents": 0}), "/amount_cents", "an amount of zero"),
        (json!({"decision": "accept", "amount_cents": 500_000}), "/decision", "less than claimed is in part"),
    ] {
        let r = assess(&app, &id, body).await;
        assert_eq!((r.status, r.body["errors"][0]["pointer"].as_str()), (422, Some(pointer)), "{case}: {:?}", r.body);
    }
    let inspectorate = app.token(&[Role::Inspectorate], None);
    let r = app
        .send(
            "POST",
            &format!("/api/v1/claims/{id}/assessment"),
            Some(&inspectorate),
            Some(json!({"decision": "reject", "reason": "x"})),
            None,
        )
        .await;
    assert_eq!(r.status, 403, "only the admission authority assesses");
    let r = assess(&app, &id, json!({"decision": "reject", "reason": "The agency showed the wages were paid."})).await;
    assert_eq!((r.status, r.body["status"].as_str()), (200, Some("rejected")), "{:?}", r.body);
    let na = app.token(&[Role::AdmissionAuthority], None);
    let r = app.send("POST", &format!("/api/v1/claims/{id}/payout"), Some(&na), None, Some("x")).await;
    assert_eq!(r.status, 409, "a rejected claim is never paid");
    let filed = file(&app, None, worker_claim()).await.body["claim_id"].as_str().unwrap().to_string();
    let r = app.send("POST", &format!("/api/v1/claims/{filed}/payout"), Some(&na), None, Some("y")).await;
    assert_eq!(r.status, 409, "nor one not yet assessed");
}

#[tokio::test]
async fn the_same_facts_give_the_same_presumed_amount_on_every_path() {
    let app = spawn_app().await;
    pay(&app, 5_000_000, "p1", "payment").await;
    // August and September 2025, EUR 1,000 shown to be paid, a relation longer than the
    // two months shown (advice 6.2 A): six months at the WML in force on 30 September 2025
    // (EUR 14.40), less what was paid.
    let expected = (6 * 40 * 52 * 1440 + 6) / 12 - 100_000;
    let mut facts = worker_claim();
    facts["paid_cents"] = json!(100_000);
    let presume = json!({"decision": "accept", "presumption": "six_month_relation"});

    let alone = file(&app, None, facts.clone()).await;
    let alone = assess(&app, alone.body["claim_id"].as_str().unwrap(), presume.clone()).await;
    let fairwork = app.token(&[Role::WorkerSupport], Some("fairwork"));
    let helped = file(&app, Some(&fairwork), facts.clone()).await;
    let helped = assess(&app, helped.body["claim_id"].as_str().unwrap(), presume).await;
    let inspectorate = app.token(&[Role::Inspectorate], None);
    let authority = json!({"claim_type": "unpaid_wages", "presumption": "six_month_relation",
                           "period_from": "2025-08-01", "period_to": "2025-09-30", "paid_during_cents": 100_000,
                           "description": "found at inspection"});
    let path = format!("/api/v1/agencies/{AGENCY}/deposit/claims");
    let filed = app.send("POST", &path, Some(&inspectorate), Some(authority.clone()), Some("a1")).await;
    assert_eq!(filed.status, 201, "{:?}", filed.body);
    for (path, r) in [("worker", &alone), ("support organisation", &helped), ("authority", &filed)] {
        assert_eq!(r.body["accepted_cents"], json!(expected), "{path}: {:?}", r.body);
        assert_eq!(r.body["computation"]["minimum_wage_in_force_from"], "2025-07-01", "{path}");
        assert_eq!(r.body["computation"]["paid_during_cents"], 100_000, "{path}");
    }

    // The authority's claim is checked as the others are.
    for (change, pointer, case) in [
        (json!({"months": 3}), "/months", "a presumption is two months or six"),
        (json!({"months": 6}), "/months", "a presumption and its months both"),
        (json!({"period_to": "2099-01-01"}), "/period_to", "wages not yet due"),
        (json!({"paid_during_cents": 2_000_000}), "/paid_during_cents", "nothing left owed"),
        (json!({"amount_cents": 1000}), "/presumption", "an amount and a presumption"),
        (json!({"period_from": "1990-01-01", "period_to": "1990-02-28"}), "/period_to", "no minimum wage on record"),
    ] {
        let mut body = authority.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = app.send("POST", &path, Some(&inspectorate), Some(body), Some(&format!("bad-{pointer}"))).await;
        assert_eq!((r.status, r.body["errors"][0]["pointer"].as_str()), (422, Some(pointer)), "{case}: {:?}", r.body);
    }
    // `months: 6` alone still names the six-month presumption (clients of 1.3).
    let mut by_months = authority.clone();
    by_months.as_object_mut().unwrap().remove("presumption");
    by_months["months"] = json!(6);
    let r = app.send("POST", &path, Some(&inspectorate), Some(by_months), Some("a2")).await;
    assert_eq!(r.body["accepted_cents"], json!(expected), "{:?}", r.body);
}

/// The admission authority's desk reads the claims waiting for it, one claim, and what an
/// assessment would accept before it records it — the same amount and computation, and
/// the preview keeps nothing. Nobody else lists or reads claims here.
#[tokio::test]
async fn the_authority_lists_the_claims_to_assess_and_previews_an_assessment() {
    let app = spawn_app().await;
    pay(&app, 5_000_000, "p1", "payment").await;
    let filed = file(&app, None, worker_claim()).await;
    let id = filed.body["claim_id"].as_str().unwrap().to_string();
    let na = app.token(&[Role::AdmissionAuthority], None);
    let r = app.get("/api/v1/claims?status=filed", Some(&na)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        (r.body["claims"][0]["claim_id"].as_str(), r.body["claims"].as_array().unwrap().len()),
        (Some(id.as_str()), 1)
    );
    assert!(!r.body.to_string().contains(BSN) && !r.body.to_string().contains("Ioana"), "who filed it is read apart");
    let r = app.get(&format!("/api/v1/claims/{id}"), Some(&na)).await;
    assert_eq!((r.status, r.body["period_to"].as_str()), (200, Some("2025-09-30")));

    let presume = json!({"decision": "accept", "presumption": "administration_unusable"});
    let preview = app
        .send("POST", &format!("/api/v1/claims/{id}/assessment-previews"), Some(&na), Some(presume.clone()), None)
        .await;
    assert_eq!(preview.status, 200, "{:?}", preview.body);
    assert_eq!((preview.body["preview"].as_bool(), preview.body["status"].as_str()), (Some(true), Some("accepted")));
    assert!(preview.body["computation"]["minimum_wage_in_force_from"].is_string(), "{:?}", preview.body);
    let r = app.get(&format!("/api/v1/claims/{id}"), Some(&na)).await;
    assert_eq!(r.body["status"], "filed", "the preview kept nothing");
    let client = app.state.core.pool.get().await.unwrap();
    let queued = "select count(*) from outbox where event_type = 'deposit.claim_assessed'";
    let audited = "select count(*) from audit_log where action like 'deposit.claim.%'";
    for sql in [queued, audited] {
        assert_eq!(client.query_one(sql, &[]).await.unwrap().get::<_, i64>(0), 0, "the preview left nothing: {sql}");
    }

    let assessed = assess(&app, &id, presume).await;
    assert_eq!(assessed.status, 200, "{:?}", assessed.body);
    assert_eq!(
        (&assessed.body["accepted_cents"], &assessed.body["computation"]),
        (&preview.body["accepted_cents"], &preview.body["computation"])
    );
    let r = app.get("/api/v1/claims?status=filed", Some(&na)).await;
    assert_eq!(r.body["claims"], json!([]));

    for token in [app.token(&[Role::Inspectorate], None), app.token(&[Role::Agency], Some(AGENCY))] {
        assert_eq!(app.get("/api/v1/claims?status=filed", Some(&token)).await.status, 403);
        assert_eq!(app.get(&format!("/api/v1/claims/{id}"), Some(&token)).await.status, 403);
    }
    assert_eq!(app.get("/api/v1/claims?status=paid", Some(&na)).await.status, 400);
}

/// A payout's preview is the split the payout then books — wages pro rata when the deposit
/// does not cover them — and books nothing itself.
#[tokio::test]
async fn a_payout_preview_is_the_split_that_is_then_booked() {
    let app = spawn_app().await;
    pay(&app, 100_000, "p1", "payment").await;
    let na = app.token(&[Role::AdmissionAuthority], None);
    let mut ids = Vec::new();
    for amount in ["1000", "3000"] {
        let mut claim = worker_claim();
        claim["description"] = json!(format!("Claim of {amount}"));
        let id = file(&app, None, claim).await.body["claim_id"].as_str().unwrap().to_string();
        let cents = amount.parse::<i64>().unwrap() * 100;
        let r = assess(&app, &id, json!({"decision": "accept", "amount_cents": cents})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        ids.push(id);
    }
    let r = app.get("/api/v1/claims?status=accepted", Some(&na)).await;
    assert_eq!(r.body["claims"].as_array().unwrap().len(), 2, "{:?}", r.body);

    let path = format!("/api/v1/agencies/{AGENCY}/deposit/payout-previews");
    let preview = app.send("POST", &path, Some(&na), None, None).await;
    assert_eq!(preview.status, 200, "{:?}", preview.body);
    let shares: Vec<i64> =
        preview.body["payouts"].as_array().unwrap().iter().map(|p| p["amount_cents"].as_i64().unwrap()).collect();
    assert_eq!(
        (shares.iter().sum::<i64>(), preview.body["still_owed_cents"].as_i64()),
        (100_000, Some(300_000)),
        "{:?}",
        preview.body
    );
    let r = app.get("/api/v1/claims?status=accepted", Some(&na)).await;
    assert!(r.body["claims"].as_array().unwrap().iter().all(|c| c["paid_cents"] == 0), "the preview booked nothing");

    let booked = payouts(&app, "payout-1").await;
    assert_eq!(booked.status, 200, "{:?}", booked.body);
    assert_eq!(
        (&booked.body["payouts"], &booked.body["still_owed_cents"]),
        (&preview.body["payouts"], &preview.body["still_owed_cents"])
    );
    let other = app.token(&[Role::Agency], Some(AGENCY));
    assert_eq!(app.send("POST", &path, Some(&other), None, None).await.status, 403);
}
