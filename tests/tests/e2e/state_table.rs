//! The state table (issue 11): for every combination of the registers' states that
//! matters, an agency's certificate seal verifies `valid` at the lookup exactly when the
//! hirer check says it may be hired, and KvK's registration check agrees.
//!
//! The agency, its seal, its officer and three buildings are made through the registers'
//! APIs; each combination is then written into the registers' own tables in one
//! transaction (the rows each register would hold in that state), and the three answers
//! are read from the running lookup. 5 × 2 × 4 × 4 × 4 = 640 combinations.

use platform::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};
use zegel_e2e::{Options, Suite};

const KVK: &str = "41000001";
const FIRM: &str = "71000001";
const CERTIFIED: &str = "0983010000008801";
const SUSPENDED: &str = "0983010000008802";
const REVOKED: &str = "0983010000008803";

const CERTIFICATE: [&str; 5] = ["provisional", "certified", "suspended", "revoked", "lapsed"];
const BAN: [&str; 2] = ["none", "in_force"];
const DEPOSIT: [&str; 4] = ["none", "adequate", "shortfall", "overdue"];
const G_ACCOUNT: [&str; 4] = ["none", "requested", "active", "blocked"];
const HOUSING: [&str; 4] = ["declared_no_one", "all_certified", "one_suspended", "one_revoked"];

/// Writes one combination into the registers' tables.
async fn set(tx: &tokio_postgres::Transaction<'_>, state: [&str; 5]) {
    let [certificate, ban, deposit, g_account, housing] = state;
    tx.execute("update certificates.certificate set status = $2 where kvk_number = $1", &[&KVK, &certificate])
        .await
        .expect("certificate");

    tx.execute("delete from bans.ban", &[]).await.expect("bans");
    if ban == "in_force" {
        tx.execute(
            "insert into bans.ban (ban_id, person_id, basis, roles_covered, starts_on, reason, imposed_by, imposed_role)
             select gen_random_uuid(), person_id, 'administrative', '{owner}', current_date - 1, 'state table', 't', 'inspectorate'
             from bans.officer where kvk_number = $1",
            &[&KVK],
        )
        .await
        .expect("ban");
    }

    // The account's ledger went before the first combination.
    for sql in [
        "delete from deposits.shortfall where kvk_number = $1",
        "delete from deposits.deposit_account where kvk_number = $1",
    ] {
        tx.execute(sql, &[&KVK]).await.expect("deposit reset");
    }
    if deposit != "none" {
        let adequate = deposit == "adequate";
        tx.execute(
            "insert into deposits.deposit_account (kvk_number, opened_on, adequate) values ($1, current_date - 30, $2)",
            &[&KVK, &adequate],
        )
        .await
        .expect("deposit");
    }
    if matches!(deposit, "shortfall" | "overdue") {
        let overdue = deposit == "overdue";
        tx.execute(
            "insert into deposits.shortfall (kvk_number, since, deadline, overdue_reported_at)
             values ($1, now() - interval '40 days', current_date + (case when $2 then -10 else 10 end), case when $2 then now() end)",
            &[&KVK, &overdue],
        )
        .await
        .expect("shortfall");
    }

    tx.execute("delete from gaccounts.g_account where kvk_number = $1", &[&KVK]).await.expect("g-account reset");
    if g_account != "none" {
        tx.execute(
            "insert into gaccounts.g_account (g_account_id, kvk_number, iban, bank, status, status_since)
             values (gen_random_uuid(), $1, 'NL91ABNA0417164300', 'ABN', $2, now())",
            &[&KVK, &g_account],
        )
        .await
        .expect("g-account");
    }

    tx.execute("delete from housing.placement where kvk_number = $1", &[&KVK]).await.expect("placements reset");
    let used: &[&str] = match housing {
        "declared_no_one" => &[],
        "all_certified" => &[CERTIFIED],
        "one_suspended" => &[CERTIFIED, SUSPENDED],
        _ => &[CERTIFIED, REVOKED],
    };
    for bag in used {
        tx.execute(
            "insert into housing.placement (placement_id, kvk_number, bag_id, from_on, rent_withheld, recorded_by, recorded_at)
             values (gen_random_uuid(), $1, $2, current_date - 10, false, 'state table', now())",
            &[&KVK, bag],
        )
        .await
        .expect("placement");
    }
}

#[tokio::test]
async fn the_seal_the_check_and_kvk_agree_in_every_state() {
    let suite = Suite::start_with(Options { rate_per_minute: Some(1_000_000), ..Options::default() }).await;
    // A starter: certification body, agency, its owner registered by KvK, the entry test
    // passed, a provisional certificate and its seal.
    let body = suite.provisional(KVK).await;
    let kvk = suite.token(Role::Kvk, None);
    let officers = json!({"officers": [{"bsn": "123456782", "name": "Bob Bakker", "date_of_birth": "1980-05-06", "role": "owner", "from": "2020-01-01"}]});
    suite.bans_call(Method::PUT, &format!("/api/v1/agencies/{KVK}/officers"), &kvk, officers).await;
    let seal = suite.seal(KVK, &body).await["seal"].as_str().expect("seal").to_string();
    let agency = suite.token(Role::Agency, Some(KVK));
    let declaration = json!({"houses_no_one": true});
    let (status, _) = suite
        .housing_call(Method::PUT, &format!("/api/v1/agencies/{KVK}/housing-declaration"), &agency, declaration)
        .await;
    assert_eq!(status, 200);
    for bag in [CERTIFIED, SUSPENDED, REVOKED] {
        suite.certified_building(FIRM, bag).await;
    }
    suite.suspend_building(SUSPENDED).await;
    // The registers' tables are written behind the services' backs, as the database's
    // administrator: no service's own role may write another's tables (or its own
    // append-only ones).
    let (mut client, connection) =
        tokio_postgres::connect(&suite.db.url, tokio_postgres::NoTls).await.expect("the suite's database");
    tokio::spawn(connection);
    client
        .execute("update housing.building set mark_status = 'revoked' where bag_id = $1", &[&REVOKED])
        .await
        .expect("revoke");
    // The starter passed the entry test through the registers: a payment on its deposit and
    // a G-account asked for. Their history rows go once, with the append-only guards and
    // foreign keys off for these statements only, so each combination below is the
    // table's own.
    client
        .batch_execute(&format!(
            "begin;
             set local session_replication_role = replica;
             delete from deposits.ledger_entry where kvk_number = '{KVK}';
             delete from gaccounts.g_account_status_change
              where g_account_id in (select g_account_id from gaccounts.g_account where kvk_number = '{KVK}');
             commit;"
        ))
        .await
        .expect("the entry test's rows");
    let today = platform::clock::dutch_date(chrono::Utc::now()).to_string();
    let registration = json!({"kvk_number": KVK, "sbi_codes": ["7820"], "officers": [], "vog_issued_on": today});

    let mut valid = Vec::new();
    let mut combinations = 0;
    for certificate in CERTIFICATE {
        for ban in BAN {
            for deposit in DEPOSIT {
                for g_account in G_ACCOUNT {
                    for housing in HOUSING {
                        let state = [certificate, ban, deposit, g_account, housing];
                        let tx = client.transaction().await.expect("tx");
                        set(&tx, state).await;
                        tx.commit().await.expect("commit");

                        let verdict = suite.verify(&seal).await;
                        let check: Value = suite
                            .http
                            .get(format!("{}/api/v1/agencies/{KVK}/check", suite.lookup.address))
                            .send()
                            .await
                            .expect("check")
                            .json()
                            .await
                            .expect("json");
                        let answer: Value = suite
                            .http
                            .post(format!("{}/api/v1/kvk/registration-checks", suite.lookup.address))
                            .bearer_auth(&kvk)
                            .json(&registration)
                            .send()
                            .await
                            .expect("kvk")
                            .json()
                            .await
                            .expect("json");
                        let seal_valid = verdict["verdict"] == "valid";
                        let may_hire = check["may_hire"] == true;
                        assert_eq!(seal_valid, may_hire, "{state:?}: seal {verdict}\ncheck {check}");
                        assert_eq!(answer["result"] == "allow", may_hire, "{state:?}: KvK {answer}");
                        if verdict["verdict"] == "suspended" {
                            assert_eq!(verdict["facts"]["standing"], check["reason_codes"], "{state:?}");
                        }
                        if seal_valid {
                            valid.push(state);
                        }
                        combinations += 1;
                    }
                }
            }
        }
    }
    assert_eq!(combinations, 640);
    // Exactly the states a hirer may hire in: a provisional or full certificate, no ban, an
    // adequate deposit, an active G-account, and housing declared or all certified.
    let expected: Vec<[&str; 5]> = ["provisional", "certified"]
        .into_iter()
        .flat_map(|c| {
            ["declared_no_one", "all_certified"].into_iter().map(move |h| [c, "none", "adequate", "active", h])
        })
        .collect();
    assert_eq!(valid, expected);
}
