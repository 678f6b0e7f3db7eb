//! The yearly report (advice 7.2 A) over a seeded history: the figures are known, the same
//! date gives the same figures (and the same seal) after later history is written, small
//! cells about persons are suppressed, and the seal over the CSV's hash verifies.
//!
//! The history is written into the registers' tables as the database's administrator,
//! with the dates it happened on (the services would write today's).

use serde_json::{Value, json};
use zegel_e2e::Suite;

/// 2025 in the registers: four starters, three certified, one lapsed; then a suspension
/// for a ban and a revocation; bans, workers' claims and housing inspections.
const HISTORY_2025: &str = "
insert into certificates.certification_body (certification_body_id, name, accredited) values ('cb-stat', 'Stat body', true);
insert into certificates.agency (kvk_number, name, seat_country, sbi_codes, established_on)
select k, 'Agency ' || k, 'NL', '{7820}', '2024-01-01' from unnest(array['81000001','81000002','81000003','81000004']) k;
insert into certificates.certificate (certificate_id, kvk_number, certification_body_id, norm, status, status_since, issued_on, probation_ends_on)
select ('00000000-0000-7000-8000-0000000000' || right(k, 2))::uuid, k, 'cb-stat', 'NEN 4400-1', 'provisional', '2025-02-01', '2025-02-01', '2025-05-01'
from unnest(array['81000001','81000002','81000003','81000004']) k;
insert into certificates.certificate_status_change (certificate_id, from_status, to_status, changed_at, ground)
select certificate_id, null, 'provisional', '2025-02-01 10:00+01', null from certificates.certificate where certification_body_id = 'cb-stat';
insert into certificates.certificate_status_change (certificate_id, from_status, to_status, changed_at, ground) values
 ('00000000-0000-7000-8000-000000000001', 'provisional', 'certified', '2025-05-01 10:00+02', null),
 ('00000000-0000-7000-8000-000000000002', 'provisional', 'certified', '2025-05-01 10:00+02', null),
 ('00000000-0000-7000-8000-000000000003', 'provisional', 'certified', '2025-05-01 10:00+02', null),
 ('00000000-0000-7000-8000-000000000004', 'provisional', 'lapsed', '2025-05-02 02:00+02', 'probation_ended'),
 ('00000000-0000-7000-8000-000000000003', 'certified', 'suspended', '2025-08-01 12:00+02', 'officer_banned'),
 ('00000000-0000-7000-8000-000000000002', 'certified', 'revoked', '2025-10-01 12:00+02', 'criminal_sanction');

insert into bans.person (person_id, bsn_hash, name, date_of_birth)
select gen_random_uuid(), sha256(i::text::bytea), 'Person ' || i, '1970-01-01' from generate_series(1, 8) i;
insert into bans.ban (ban_id, person_id, basis, roles_covered, starts_on, reason, imposed_by, imposed_role, created_at)
select gen_random_uuid(), person_id, case when row_number() over () <= 6 then 'administrative' else 'civil' end,
       '{owner}', '2025-03-01', 'seeded', 't', 'inspectorate', '2025-03-01 09:00+01'
from bans.person;

insert into deposits.deposit_account (kvk_number, opened_on, adequate)
select k, '2025-01-15', true from unnest(array['81000001','81000002','81000003']) k;
insert into deposits.claim (claim_id, kvk_number, claim_type, amount_cents, description, status, filed_by, filed_role, created_at, accepted_cents, assessed_at)
select gen_random_uuid(), '81000001', case when i <= 8 then 'unpaid_wages' else 'fine' end, 100000, 'seeded', 'accepted', 't',
       'admission_authority', '2025-06-01 09:00+02', 100000, '2025-06-15 09:00+02'
from generate_series(1, 10) i;

insert into housing.building (bag_id, municipality, provider_kvk, street, number, postcode, place, building_type, registered_on, norm, capacity)
values ('0363010000000901', '0363', '81000001', 'Straat', 1, '1000 AA', 'Amsterdam', 'dwelling', '2024-01-01', 'snf', 12),
       ('0599010000000902', '0599', '81000001', 'Weg', 2, '3000 AA', 'Rotterdam', 'dwelling', '2024-01-01', 'snf', 30);
insert into housing.mark_change (bag_id, mark_id, from_status, to_status, reason, changed_at)
select bag_id, mark_id, 'applied', 'certified', 'seeded', '2025-04-01 10:00+02' from housing.building
 where bag_id in ('0363010000000901', '0599010000000902');
insert into housing.inspection (inspection_id, bag_id, mark_id, kind, inspected_on, findings, inspector)
select gen_random_uuid(), '0363010000000901', mark_id, case when i <= 7 then 'announced' else 'unannounced' end,
       '2025-03-20', 'seeded', 't'
from housing.building, generate_series(1, 10) i where bag_id = '0363010000000901';
";

/// 2026, written after the 2025 report was first published: none of it may change it —
/// not even the suspension half an hour into the new year, Dutch time, which is still
/// 31 December in UTC.
const HISTORY_2026: &str = "
insert into certificates.certificate_status_change (certificate_id, from_status, to_status, changed_at, ground) values
 ('00000000-0000-7000-8000-000000000001', 'certified', 'suspended', '2026-01-01 00:30+01', 'certification_body');
insert into bans.person (person_id, bsn_hash, name, date_of_birth) values (gen_random_uuid(), sha256('late'::bytea), 'Late', '1970-01-01');
insert into bans.ban (ban_id, person_id, basis, roles_covered, starts_on, reason, imposed_by, imposed_role, created_at)
select gen_random_uuid(), person_id, 'civil', '{owner}', '2026-02-01', 'seeded', 't', 'inspectorate', '2026-02-01 09:00+01'
from bans.person where name = 'Late';
update bans.ban set lifted_on = '2026-03-01' where basis = 'administrative';
insert into housing.mark_change (bag_id, mark_id, from_status, to_status, reason, changed_at)
select bag_id, mark_id, 'certified', 'revoked', 'seeded', '2026-02-01 10:00+01' from housing.building where bag_id = '0599010000000902';
";

async fn admin(suite: &Suite, sql: &str) {
    let (client, connection) = tokio_postgres::connect(&suite.db.url, tokio_postgres::NoTls).await.expect("admin");
    tokio::spawn(connection);
    client.batch_execute(&format!("begin; {sql} commit;")).await.expect("history");
}

async fn get(suite: &Suite, query: &str) -> (u16, Value) {
    let r = suite.http.get(format!("{}/api/v1/statistics{query}", suite.lookup.address)).send().await.expect("get");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

fn cell(report: &Value, measure: &str, dimension: &str) -> Value {
    report["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .find(|f| f["measure"] == measure && f["dimension"] == dimension)
        .map_or(json!(0), |f| f["value"].clone())
}

#[tokio::test]
async fn the_2025_report_has_the_known_figures_again_after_2026_happened_and_its_seal_verifies() {
    let suite = Suite::start().await;
    admin(&suite, HISTORY_2025).await;

    let (status, report) = get(&suite, "?year=2025").await;
    assert_eq!(status, 200, "{report}");
    assert_eq!((report["from"].as_str(), report["as_of"].as_str()), (Some("2025-01-01"), Some("2025-12-31")));
    let known = [
        ("agencies_by_certificate", "certified|NEN 4400-1", json!(1)),
        ("agencies_by_certificate", "suspended|NEN 4400-1", json!(1)),
        ("agencies_by_certificate", "revoked|NEN 4400-1", json!(1)),
        ("agencies_by_certificate", "lapsed|NEN 4400-1", json!(1)),
        ("provisional_issued", "all", json!(4)),
        ("provisional_outcomes", "certified", json!(3)),
        ("provisional_outcomes", "lapsed", json!(1)),
        ("suspensions_by_ground", "officer_banned", json!(1)),
        ("revocations_by_ground", "criminal_sanction", json!(1)),
        ("lapses_by_ground", "probation_ended", json!(1)),
        // 6 and 2 bans: the 2 could single a person out, and 6 would give it away.
        ("bans_imposed", "civil", Value::Null),
        ("bans_imposed", "administrative", Value::Null),
        ("bans_in_force", "civil", Value::Null),
        ("deposit_accounts", "opened", json!(3)),
        ("claims_filed", "unpaid_wages", Value::Null),
        ("claims_filed", "fine", Value::Null),
        ("claims_filed_cents", "fine", Value::Null),
        ("claims_accepted", "unpaid_wages", Value::Null),
        ("buildings_certified", "0363|snf", json!(1)),
        ("beds_certified", "0599|snf", json!(30)),
        ("inspections", "announced", json!(7)),
        ("inspections", "unannounced", json!(3)),
    ];
    for (measure, dimension, value) in &known {
        assert_eq!(&cell(&report, measure, dimension), value, "{measure} {dimension}");
    }
    let sha = report["csv_sha256"].as_str().unwrap().to_string();
    let seal = report["seal"].as_str().unwrap().to_string();

    // The CSV is what the hash is over, and it carries the seal.
    let csv = suite
        .http
        .get(format!("{}{}", suite.lookup.address, report["csv"].as_str().unwrap()))
        .send()
        .await
        .expect("csv");
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(csv.headers()["zegel-seal"].to_str().unwrap(), seal);
    assert_eq!(csv.headers()["access-control-allow-origin"], "*", "any page may read the report");
    let text = csv.text().await.expect("text");
    assert!(text.starts_with("year,from,as_of,register,measure,dimension,value\n"), "{text}");
    assert!(text.contains("2025,2025-01-01,2025-12-31,bans,bans_imposed,civil,<5\n"), "{text}");
    assert!(!text.contains("Person") && !text.contains("81000001"), "no person, no agency");
    let digest: String = {
        use sha2::Digest;
        sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    };
    assert_eq!(digest, sha);
    let verdict = suite.verify(&seal).await;
    assert_eq!(
        (verdict["verdict"].as_str(), verdict["register"].as_str()),
        (Some("valid"), Some("lookup")),
        "{verdict}"
    );
    assert_eq!(verdict["facts"]["statistics"]["sha256"], json!(sha));
    let page = suite.lookup_page(&format!("/v/{seal}?lang=en")).await;
    assert!(page.contains("Yearly report") && page.contains(&sha), "the seal's page names the report: {page}");

    // Half a year in: three certified, nothing suspended yet.
    let (_, june) = get(&suite, "?year=2025&as_of=2025-06-30").await;
    assert_eq!(cell(&june, "agencies_by_certificate", "certified|NEN 4400-1"), json!(3));
    assert_eq!(cell(&june, "suspensions_by_ground", "officer_banned"), json!(0));
    assert_ne!(june["csv_sha256"], json!(sha));

    // 2026 happens (a suspension 30 minutes into the new year, a ban, a lifting, a revoked
    // mark): the 2025 report is the same, with the same seal.
    admin(&suite, HISTORY_2026).await;
    let (_, again) = get(&suite, "?year=2025").await;
    assert_eq!(again["csv_sha256"], json!(sha));
    assert_eq!(again["seal"], json!(seal), "published once");
    let (_, june_again) = get(&suite, "?year=2025&as_of=2025-06-30").await;
    assert_eq!(june_again["csv_sha256"], june["csv_sha256"]);
    let (_, now) = get(&suite, "?year=2026&as_of=2026-03-31").await;
    assert_eq!(cell(&now, "suspensions_by_ground", "certification_body"), json!(1));
    assert_eq!(cell(&now, "marks_changed", "revoked"), json!(1));
    assert_eq!(cell(&now, "beds_certified", "0599|snf"), json!(0), "revoked in February");

    // Bad questions get clear answers.
    for (query, pointer) in [
        ("?year=2999", "/query/year"),
        ("?year=twenty", "/query/year"),
        ("?year=2025&as_of=2026-01-01", "/query/as_of"),
        ("?year=2025&as_of=2025-13-01", "/query/as_of"),
        // Released on quarter ends only: a day and the next, differenced, would tell what
        // happened on one day, perhaps to one person.
        ("?year=2025&as_of=2025-06-29", "/query/as_of"),
        ("?year=2025&as_of=2025-07-01", "/query/as_of"),
    ] {
        let (status, problem) = get(&suite, query).await;
        assert_eq!((status, problem["errors"][0]["pointer"].as_str()), (422, Some(pointer)), "{query}: {problem}");
    }
}

#[tokio::test]
async fn the_report_reads_as_charts_in_dutch_and_english_without_script() {
    let suite = Suite::start().await;
    admin(&suite, HISTORY_2025).await;
    let page = |lang: &'static str| {
        let url = format!("{}/statistics?year=2025&lang={lang}", suite.lookup.address);
        let http = suite.http.clone();
        async move { http.get(url).send().await.expect("page").text().await.expect("html") }
    };
    let en = page("en").await;
    assert!(en.contains("<html lang=\"en\">"), "{en}");
    assert!(en.contains("Yearly report on labour migration 2025"));
    assert_eq!(en.matches("<svg role=\"img\"").count(), 6, "six charts");
    assert!(en.contains("<desc id=\"d-inspections\">announced: 7; unannounced: 3</desc>"), "{en}");
    assert!(en.contains("fewer than 5"), "suppressed cells say so");
    assert!(en.contains(&zegel_e2e::esc("/api/v1/statistics?year=2025&as_of=2025-12-31&format=csv")), "{en}");
    assert!(!en.contains("<script"), "no script");
    let nl = page("nl").await;
    assert!(nl.contains("Jaarrapportage arbeidsmigratie 2025") && nl.contains("aangekondigd"), "{nl}");
}
