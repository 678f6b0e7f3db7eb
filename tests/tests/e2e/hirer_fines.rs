//! Hirer fines (advice 2.1 E), end to end: the Labour Authority computes a hirer's fine from
//! the certificates register's history and the lookup's receipts, decides it, makes it
//! irrevocable, and a repeat within five years is raised; a fine on a company that is
//! itself a certified agency is a ground to revoke its certificate.

use platform::auth::Role;
use serde_json::{Value, json};
use zegel_e2e::Suite;

async fn post(suite: &Suite, path: &str, token: &str, body: Value) -> (u16, Value) {
    suite.send(reqwest::Method::POST, format!("{}{path}", suite.certificates.address), Some(token), body).await
}

async fn receipt(suite: &Suite, kvk: &str) -> String {
    let url = format!("{}/api/v1/agencies/{kvk}/receipts", suite.lookup.address);
    let r: Value = suite.http.post(url).send().await.expect("receipt").json().await.expect("json");
    assert_eq!(r["may_hire"], true, "{r}");
    r["receipt"]["seal"].as_str().expect("receipt").to_string()
}

#[tokio::test]
async fn a_hirer_that_used_an_uncertified_agency_is_fined_and_a_repeat_costs_half_as_much_again() {
    let suite = Suite::start().await;
    let agency = "61000001";
    // The hirer is itself a certified agency (it lends workers on): its fine reaches its
    // certification body.
    let hirer = "62000001";
    let (body, agency_cert) = suite.certified(agency).await;
    let (_, hirer_cert) = suite.certified(hirer).await;
    let inspectorate = suite.token(Role::Inspectorate, None);
    let today = suite.certificates.state.clock.today();

    // The hirer checked the agency today and kept the receipt; then the agency's
    // certificate is revoked.
    let kept = receipt(&suite, agency).await;
    suite.revoke(&agency_cert, &body, "fraud", "criminal_sanction").await;
    let case = |receipts: Vec<String>, workers: i64| json!({"hirer_kvk": hirer, "agency_kvk": agency, "from": today, "to": today, "workers": workers, "receipts": receipts});

    // Only the Labour Authority computes.
    let (status, _) =
        post(&suite, "/api/v1/hirer-fine-computations", &suite.token(Role::Hirer, Some(hirer)), case(vec![], 3)).await;
    assert_eq!(status, 403);

    // With the receipt: due diligence covers the day, no fine.
    let (status, c) = post(&suite, "/api/v1/hirer-fine-computations", &inspectorate, case(vec![kept.clone()], 3)).await;
    assert_eq!(status, 200, "{c}");
    let computation = &c["computation"];
    assert_eq!(computation["uncertified_days"], 1, "revoked before the day ended: {c}");
    assert_eq!((computation["due_diligence"].as_bool(), computation["amount_cents"].as_i64()), (Some(true), Some(0)));
    assert_eq!(computation["defence"][0]["verified"], true);
    assert_eq!(computation["defence"][0]["may_hire"], true);
    let (status, refused) = post(&suite, "/api/v1/hirer-fines", &inspectorate, case(vec![kept.clone()], 3)).await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["errors"][0]["detail"].as_str().unwrap().contains("due diligence"), "{refused}");

    // A tampered receipt covers nothing, but is shown; without a good one: EUR 8,000 a worker.
    let tampered = format!("{}x", &kept[..kept.len() - 1]);
    let (status, c) = post(&suite, "/api/v1/hirer-fine-computations", &inspectorate, case(vec![tampered], 3)).await;
    assert_eq!(status, 200);
    assert_eq!(c["computation"]["defence"][0]["verified"], false, "{c}");
    assert_eq!(c["computation"]["amount_cents"], 2_400_000);
    let (status, first) = post(&suite, "/api/v1/hirer-fines", &inspectorate, case(vec![], 3)).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!((first["amount_cents"].as_i64(), first["status"].as_str()), (Some(2_400_000), Some("decided")));
    assert_eq!(first["offence_on"], json!(today));
    let fine_id = first["fine_id"].as_str().unwrap().to_string();

    // The fined company reads its fine; another company does not.
    let read = async |token: &str| {
        let r = suite
            .http
            .get(format!("{}/api/v1/hirer-fines/{fine_id}", suite.certificates.address))
            .bearer_auth(token)
            .send()
            .await
            .expect("read");
        r.status().as_u16()
    };
    assert_eq!(read(&suite.token(Role::Hirer, Some(hirer))).await, 200);
    // Anyone else is told what it would be told of a fine that does not exist.
    assert_eq!(read(&suite.token(Role::Hirer, Some("63000001"))).await, 404);
    assert_eq!(read(&suite.token(Role::Agency, Some(agency))).await, 404);

    // A decided fine does not count as an earlier offence; an irrevocable one does.
    let (_, c) = post(&suite, "/api/v1/hirer-fine-computations", &inspectorate, case(vec![], 3)).await;
    assert_eq!(c["computation"]["raise_percent"], 0, "{c}");
    let irrevocability = format!("/api/v1/hirer-fines/{fine_id}/irrevocability");
    let (status, final_) = post(&suite, &irrevocability, &inspectorate, json!({"irrevocable_on": today})).await;
    assert_eq!((status, final_["status"].as_str()), (200, Some("irrevocable")), "{final_}");
    let (status, _) = post(&suite, &irrevocability, &inspectorate, json!({"irrevocable_on": today})).await;
    assert_eq!(status, 409, "once");
    let (status, second) = post(&suite, "/api/v1/hirer-fines", &inspectorate, case(vec![], 3)).await;
    assert_eq!(status, 201, "{second}");
    assert_eq!(second["computation"]["raise_percent"], 50);
    assert_eq!(second["amount_cents"], 3_600_000, "EUR 24,000 raised by 50 %");
    assert_eq!(second["computation"]["earlier"][0]["fine_id"], json!(fine_id));

    // The hirer is a certified agency: the irrevocable fine goes to its body and the
    // admission authority, and the body may revoke on it — naming a fine of another
    // company is refused.
    let told = zegel_testkit::wait_for_events(&suite.prefix.0, "certificate.fine_irrevocable", 1).await;
    assert_eq!(told[0].addressed_to, ["certification_body:cb-e2e", "admission_authority"]);
    assert_eq!(told[0].payload["amount_cents"], 2_400_000);
    let revoke = format!("/api/v1/certificates/{hirer_cert}/revocation");
    let (status, _) = post(
        &suite,
        &format!("/api/v1/certificates/{agency_cert}/revocation"),
        &body,
        json!({"reason": "fine", "grounds": "irrevocable_fine", "fine_id": fine_id}),
    )
    .await;
    assert_eq!(status, 422, "the fine is another company's");
    let (status, wrong) = post(
        &suite,
        &revoke,
        &body,
        json!({"reason": "fine", "grounds": "irrevocable_fine", "fine_id": second["fine_id"]}),
    )
    .await;
    assert_eq!(status, 422, "a decided fine is no ground yet: {wrong}");
    let (status, revoked) =
        post(&suite, &revoke, &body, json!({"reason": "fine", "grounds": "irrevocable_fine", "fine_id": fine_id}))
            .await;
    assert_eq!((status, revoked["status"].as_str()), (200, Some("revoked")), "{revoked}");
}

#[tokio::test]
async fn the_fine_schedule_is_public_and_changes_only_from_a_date_on() {
    let suite = Suite::start().await;
    let schedule: Value = suite.get_json(format!("{}/api/v1/fine-schedule", suite.certificates.address)).await;
    let first = &schedule["schedule"][0];
    assert_eq!((first["per_worker_cents"].as_i64(), first["repeat_window_years"].as_i64()), (Some(800_000), Some(5)));
    let admin = suite.token(Role::Admin, None);
    let row = json!({"per_worker_cents": 1_000_000, "first_repeat_percent": 50, "second_repeat_percent": 100,
                     "later_repeat_percent": 200, "repeat_window_years": 5, "diligence_days": 30, "note": "new law"});
    let put = async |date: &str, token: &str| {
        let r = suite
            .http
            .put(format!("{}/api/v1/fine-schedule/{date}", suite.certificates.address))
            .bearer_auth(token)
            .json(&row)
            .send()
            .await
            .expect("put");
        r.status().as_u16()
    };
    assert_eq!(put("2020-01-01", &admin).await, 422, "not in the past");
    assert_eq!(put("2099-01-01", &suite.token(Role::Inspectorate, None)).await, 403);
    assert_eq!(put("2099-01-01", &admin).await, 201);
    assert_eq!(put("2099-01-01", &admin).await, 409, "never rewritten");
}

/// Found by the fuzzer (tests/tests/e2e/outside.rs): a receipt that is no seal at all was shown
/// with the date -262143-01-01, and a period before the first fine schedule was decided
/// as a fine of 0 euros, which the database refused with a 500.
#[tokio::test]
async fn a_receipt_that_is_no_seal_has_no_date_and_a_day_without_a_schedule_is_no_offence() {
    let suite = Suite::start().await;
    let inspectorate = suite.token(Role::Inspectorate, None);
    let case = |from: &str, receipts: Vec<&str>| json!({"hirer_kvk": "62000001", "agency_kvk": "61000001", "from": from, "to": from, "workers": 1, "receipts": receipts});

    let (status, v) =
        post(&suite, "/api/v1/hirer-fine-computations", &inspectorate, case("2026-03-01", vec![""])).await;
    assert_eq!(status, 200, "{v}");
    let defence = &v["computation"]["defence"][0];
    assert_eq!((defence["verified"].as_bool(), &defence["checked_on"]), (Some(false), &Value::Null), "{v}");

    let (status, v) = post(&suite, "/api/v1/hirer-fines", &inspectorate, case("2000-01-05", vec![])).await;
    assert_eq!(status, 422, "{v}");
    assert!(v["errors"][0]["detail"].as_str().is_some_and(|d| d.contains("no fine schedule")), "{v}");
}
