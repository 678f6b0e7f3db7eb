//! The state table (issue 11): for every combination of the registers' states that
//! matters, an agency's certificate seal verifies `valid` at the lookup exactly when the
//! hirer check says it may be hired; KvK's registration check allows exactly when the
//! certificate allows work and the starter's entry test passes; and the certificates
//! register's status list, made in that state, says offline what the scan says.
//!
//! The agency, its seal, its officer and three buildings are made through the registers'
//! APIs; each combination is then written into the registers' own tables in one
//! transaction (the rows each register would hold in that state), and the three answers
//! are read from the running lookup. 5 × 2 × 5 × 4 × 4 = 800 combinations (the deposit's
//! `top_up_due` — a payout's top-up term running — came with issue 31).
//!
//! Then one building verdict (issue 31): a building's states — its mark, the season of a
//! mobile unit, the permit and its conditions, people against the number allowed — each
//! written into the housing register's tables; the building's own seal verifies `valid`
//! exactly when an agency housing workers there may be hired (all else being good), and
//! its reason says why not.

use platform::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};
use zegel_attest::status;
use zegel_attest::trust::TrustStore;
use zegel_attest::{Register, Verdict};
use zegel_e2e::{Options, Suite};
use zegel_testkit::pki;

const KVK: &str = "41000001";
const FIRM: &str = "71000001";
const CERTIFIED: &str = "0983010000008801";
const SUSPENDED: &str = "0983010000008802";
const REVOKED: &str = "0983010000008803";
/// A building in a municipality of its own (Maastricht), so that a permit requirement set
/// there concerns it alone.
const VARIANT: &str = "0935010000008804";

const CERTIFICATE: [&str; 5] = ["provisional", "certified", "suspended", "revoked", "lapsed"];
const BAN: [&str; 2] = ["none", "in_force"];
const DEPOSIT: [&str; 5] = ["none", "adequate", "top_up_due", "shortfall", "overdue"];
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
    if matches!(deposit, "top_up_due" | "shortfall" | "overdue") {
        // A payout drew an adequate deposit (the term is the agency's), or it was never paid
        // in full (no term); overdue: the term ran out and was reported.
        let overdue = deposit == "overdue";
        let after_adequate = deposit != "shortfall";
        tx.execute(
            "insert into deposits.shortfall (kvk_number, since, deadline, overdue_reported_at, after_adequate)
             values ($1, now() - interval '40 days', current_date + (case when $2 then -10 else 10 end),
                     case when $2 then now() end, $3)",
            &[&KVK, &overdue, &after_adequate],
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

/// The public hirer check of the agency, as the running lookup answers it.
async fn hirer_check(suite: &Suite) -> Value {
    let url = format!("{}/api/v1/agencies/{KVK}/check", suite.lookup.address);
    suite.http.get(url).send().await.expect("check").json().await.expect("json")
}

/// What the certificates register's status list, made now, says of `seal` offline.
async fn listed_now(suite: &Suite, seal: &str, store: &TrustStore) -> status::Status {
    let list = zegel_lookup::status_lists::build(&suite.lookup.state, Register::Certificates).await.expect("the list");
    let now = chrono::Utc::now().timestamp();
    let (_, offline) = status::verify_offline(seal, &list.token, store, now).expect("judged offline");
    status::listed(offline.verdict)
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

    let store = {
        let raw = std::fs::read_to_string(&pki().trust_list_path).expect("trust list");
        let anchor = std::fs::read_to_string(&pki().ca_path).expect("ca");
        TrustStore::load(raw.trim(), &anchor, chrono::Utc::now().timestamp()).expect("trust store").0
    };
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
                        let check = hirer_check(&suite).await;
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
                        // KvK registers a staffing activity on the certificate and the
                        // starter's entry test alone (advice 2.1 A, D).
                        let registers = matches!(certificate, "provisional" | "certified")
                            && ban == "none"
                            && matches!(deposit, "adequate" | "top_up_due")
                            && matches!(g_account, "requested" | "active");
                        assert_eq!(answer["result"] == "allow", registers, "{state:?}: KvK {answer}");
                        if verdict["verdict"] == "suspended" {
                            assert_eq!(verdict["facts"]["standing"], check["reason_codes"], "{state:?}");
                        }
                        // The status list, a fourth reader of the one verdict, says what
                        // the scan says (the list reads every agency's standing in its own
                        // statement: the two must not drift).
                        let scanned = Verdict::parse(verdict["verdict"].as_str().unwrap_or_default())
                            .unwrap_or_else(|| panic!("{state:?}: a verdict {verdict}"));
                        assert_eq!(listed_now(&suite, &seal, &store).await, status::listed(scanned), "{state:?}");
                        if seal_valid {
                            valid.push(state);
                        }
                        combinations += 1;
                    }
                }
            }
        }
    }
    assert_eq!(combinations, 800);
    // Exactly the states a hirer may hire in: a provisional or full certificate, no ban, an
    // adequate deposit or one inside a payout's top-up term, an active G-account, and
    // housing declared or all certified.
    let expected: Vec<[&str; 5]> = ["provisional", "certified"]
        .into_iter()
        .flat_map(|c| {
            ["adequate", "top_up_due"].into_iter().flat_map(move |d| {
                ["declared_no_one", "all_certified"].into_iter().map(move |h| [c, "none", d, "active", h])
            })
        })
        .collect();
    assert_eq!(valid, expected);

    // One building verdict. The agency is good in every other part and houses workers in
    // CERTIFIED and VARIANT; VARIANT goes through each state.
    let variant_seal = suite.certified_building(FIRM, VARIANT).await;
    let good = ["certified", "none", "adequate", "active", "all_certified"];
    let tx = client.transaction().await.expect("tx");
    set(&tx, good).await;
    tx.execute(
        "insert into housing.placement (placement_id, kvk_number, bag_id, from_on, rent_withheld, recorded_by, recorded_at)
         values (gen_random_uuid(), $1, $2, current_date - 10, false, 'state table', now())",
        &[&KVK, &VARIANT],
    )
    .await
    .expect("placement");
    tx.commit().await.expect("commit");
    let month = platform::clock::dutch_date(chrono::Utc::now()).format("%m").to_string();
    let season = if ("04".."10").contains(&month.as_str()) { "season_limit" } else { "out_of_season" };
    let rows: [(&str, &str, Option<&str>); 10] = [
        ("good", "", None),
        ("at capacity", "update housing.building set occupancy = 2 where bag_id = $1", None),
        ("over capacity", "update housing.building set occupancy = 3 where bag_id = $1", Some("over_capacity")),
        (
            "a mobile unit lived in for five months",
            "update housing.building set building_type = 'mobile_unit', occupancy = 2,
                 occupied_since = (current_date - interval '5 months')::date where bag_id = $1",
            Some(season),
        ),
        (
            "no permit where one is required",
            "insert into housing.permit_requirement (municipality, required, set_at, set_by)
             select municipality, true, now(), 'state table' from housing.building where bag_id = $1",
            Some("no_permit"),
        ),
        (
            "a refused permit",
            "with r as (insert into housing.permit_requirement (municipality, required, set_at, set_by)
                        select municipality, true, now(), 'state table' from housing.building where bag_id = $1)
             insert into housing.permit (bag_id, status, decided_on, decided_by) values ($1, 'refused', current_date, 't')",
            Some("no_permit"),
        ),
        (
            "permit conditions unmet by their date",
            "insert into housing.permit (bag_id, status, valid_from, decided_on, decided_by, comply_by)
             values ($1, 'granted', current_date - 30, current_date - 30, 't', current_date - 2)",
            Some("permit_conditions_unmet"),
        ),
        (
            "more people than the permit allows",
            "with p as (insert into housing.permit (bag_id, status, valid_from, decided_on, decided_by, max_people)
                        values ($1, 'granted', current_date - 30, current_date - 30, 't', 1))
             update housing.building set occupancy = 2 where bag_id = $1",
            Some("over_capacity"),
        ),
        (
            "the mark suspended",
            "update housing.building set mark_status = 'suspended' where bag_id = $1",
            Some("mark_suspended"),
        ),
        ("the mark revoked", "update housing.building set mark_status = 'revoked' where bag_id = $1", Some("mark_revoked")),
    ];
    for (case, sql, reason) in rows {
        let tx = client.transaction().await.expect("tx");
        for reset in [
            "delete from housing.permit where bag_id = $1",
            "delete from housing.permit_requirement where municipality = (select municipality from housing.building where bag_id = $1)",
            "update housing.building set building_type = 'group_housing', occupancy = null, occupied_since = null,
                 mark_status = 'certified' where bag_id = $1",
        ] {
            tx.execute(reset, &[&VARIANT]).await.expect("reset");
        }
        if !sql.is_empty() {
            tx.execute(sql, &[&VARIANT]).await.unwrap_or_else(|e| panic!("{case}: {e}"));
        }
        tx.commit().await.expect("commit");
        let building = suite.verify(&variant_seal).await;
        let agency_seal = suite.verify(&seal).await;
        let check = hirer_check(&suite).await;
        let building_valid = building["verdict"] == "valid";
        assert_eq!(building_valid, reason.is_none(), "{case}: the building's seal {building}");
        assert_eq!(building["facts"]["reason"].as_str(), reason, "{case}: {building}");
        assert_eq!(check["may_hire"] == true, building_valid, "{case}: the hirer check {check}");
        assert_eq!(agency_seal["verdict"] == "valid", building_valid, "{case}: the agency's seal {agency_seal}");
        if !building_valid {
            assert_eq!(check["reason_codes"], json!(["building_not_certified"]), "{case}: {check}");
        }
    }
}
