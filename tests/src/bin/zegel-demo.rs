//! `just demo`: fills the registers of a suite started with `just up` with a small,
//! realistic data set, so that every page and API has something to show — agencies in
//! every state a hirer meets, buildings in three municipalities (certified, suspended),
//! seals with their QR codes and a poster — and prints where to look. Through the public
//! APIs only, with development tokens; run it once (a second run sees the data and only
//! prints the links again).

use std::time::Duration;

use platform::auth::Role;
use platform::shell::OwnSettings;
use serde_json::{Value, json};
use zegel_e2e::{Addresses, Client};

/// An agency of the demo: its KvK number, name, and what becomes of it.
struct Agency {
    kvk: &'static str,
    name: &'static str,
    fate: Fate,
}

#[derive(Clone, Copy, PartialEq)]
enum Fate {
    /// Certified, every register clear: may be hired.
    Hireable,
    /// A starter in its probation (provisional certificate).
    Starter,
    /// Certificate suspended by its body (arrears).
    Suspended,
    Revoked,
    /// Certified, but its owner is banned: may not be hired.
    OwnerBanned,
    /// Certified, but the tax authority blocked its G-account.
    GAccountBlocked,
}

const AGENCIES: [Agency; 6] = [
    Agency { kvk: "30000001", name: "Flexwerk Noord BV", fate: Fate::Hireable },
    Agency { kvk: "30000002", name: "Uitzendbureau De Brug", fate: Fate::Starter },
    Agency { kvk: "30000003", name: "Seizoenskracht Zuid BV", fate: Fate::Suspended },
    Agency { kvk: "30000004", name: "Oostgrens Personeel BV", fate: Fate::Revoked },
    Agency { kvk: "30000005", name: "Kas & Koel Flex BV", fate: Fate::OwnerBanned },
    Agency { kvk: "30000006", name: "Logistiek Plus Uitzend BV", fate: Fate::GAccountBlocked },
];

/// The housing provider of the demo's buildings (not an agency itself).
const PROVIDER: &str = "40000001";

/// Buildings in Venlo, Westland and Tilburg (BAG ids start with the municipality's code).
const BUILDINGS: [(&str, &str, u32, &str, &str, bool); 3] = [
    ("0983010000004711", "Kaldenkerkerweg", 12, "5913 AE", "Venlo", true),
    ("1783010000000815", "Naaldwijkseweg", 240, "2691 RV", "Westland", false),
    ("0855010000002024", "Ringbaan-Oost", 102, "5013 CD", "Tilburg", true),
];

fn address(host: &str, port: u16) -> String {
    format!("http://{host}:{port}")
}

/// A request to the housing register that must succeed; its answer.
async fn housing(
    client: &Client,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Value,
) -> anyhow::Result<Value> {
    let (status, answer) = client.housing_call(method.clone(), path, token, body).await;
    anyhow::ensure!((200..300).contains(&status), "{method} {path}: {status} {answer}");
    Ok(answer)
}

async fn demo() -> anyhow::Result<()> {
    let host = std::env::var("ZEGEL_HOST").unwrap_or_else(|_| "127.0.0.1".into());
    let at = Addresses {
        certificates: address(&host, zegel_certificates::config::Own::PORT),
        lookup: address(&host, zegel_lookup::config::Own::PORT),
        gaccounts: address(&host, zegel_gaccounts::config::Own::PORT),
        bans: address(&host, zegel_bans::config::Own::PORT),
        deposits: address(&host, zegel_deposits::config::Own::PORT),
        housing: address(&host, zegel_housing::config::Own::PORT),
        notifier: address(&host, zegel_notifier::config::Own::PORT),
    };
    let client = zegel_e2e::dev_client(at.clone())?;
    let ready = client.http.get(format!("{}/readyz", at.certificates)).timeout(Duration::from_secs(3)).send().await;
    anyhow::ensure!(
        ready.is_ok_and(|r| r.status().is_success()),
        "the suite is not up at {}: start it with ./just up",
        at.certificates
    );
    let filled =
        client.http.get(format!("{}/api/v1/agencies/{}/certificate", at.certificates, AGENCIES[0].kvk)).send().await?;
    let (seals, building_seals) = if filled.status().is_success() {
        println!("The registers hold the demo data already; here is where to look.");
        (Vec::new(), Vec::new())
    } else {
        let seals = agencies(&client).await;
        let building_seals = buildings(&client).await?;
        at_the_desk(&client).await;
        println!("The registers are filled: {} agencies, {} buildings.", AGENCIES.len(), BUILDINGS.len());
        (seals, building_seals)
    };
    print_links(&at, &seals, &building_seals);
    Ok(())
}

/// The development provider's auditor works for body `cb-dev`, which is accredited
/// here, and finds an agency that passes the entry test waiting for its certificate; the
/// admission authority finds a worker's claim against that agency's deposit.
const DESK_AGENCY: (&str, &str) = ("30000001", "Flexwerk Noord BV");

async fn at_the_desk(client: &Client) {
    let admin = client.token(Role::Admin, None);
    let body = json!({"name": "CertiNed (development)", "accredited": true});
    let url = format!("{}/api/v1/certification-bodies/cb-dev", client.at.certificates);
    client.call(reqwest::Method::PUT, url, &admin, body).await;
    client.register_agency(DESK_AGENCY.0, DESK_AGENCY.1, "2019-03-01").await;
    client.clear_officers_and_active_g_account(DESK_AGENCY.0).await;
    // A worker's wage claim against its deposit, for the admission authority's desk.
    let claim = json!({"name": "Ioana Popescu", "period_from": "2026-09-01", "period_to": "2026-10-31", "paid_cents": 0,
        "description": "No wages for September and October; the planner kept the payslips.", "language": "ro"});
    let url = format!("{}/api/v1/agencies/{}/deposit/worker-claims", client.at.deposits, DESK_AGENCY.0);
    let _ = client.http.post(url).json(&claim).send().await;
    // A complaint about its work and a hirer's accident report, for the Labour Authority's
    // desk (its worklist, and the agency's dossier).
    let complaint = json!({"category": "debt_to_employer", "lang": "pl",
        "text": "Musimy spłacać 'koszty rekrutacji' z każdej wypłaty."});
    let url = format!("{}/api/v1/agencies/{}/work-complaints", client.at.certificates, DESK_AGENCY.0);
    let _ = client.http.post(url).json(&complaint).send().await;
    let today = platform::clock::dutch_date(chrono::Utc::now());
    let accident = json!({"occurred_on": today, "kind": "hospital_admission",
        "what_happened": "A temporary worker fell from a loading platform."});
    let url = format!("{}/api/v1/agencies/{}/accidents", client.at.certificates, DESK_AGENCY.0);
    client.call(reqwest::Method::POST, url, &client.token(Role::Hirer, Some("87654321")), accident).await;
}

/// Every agency of the demo, in its state; the seals of those that have one.
async fn agencies(client: &Client) -> Vec<(&'static Agency, String)> {
    let body = client.accredited_body().await;
    let mut seals = Vec::new();
    for agency in &AGENCIES {
        let established = if agency.fate == Fate::Starter { "2026-09-01" } else { "2019-03-01" };
        client.register_agency(agency.kvk, agency.name, established).await;
        if agency.fate == Fate::Starter {
            client.passes_entry_test(agency.kvk).await;
            client.certs_post(&format!("/api/v1/agencies/{}/certificates", agency.kvk), &body, json!({})).await;
            continue;
        }
        let (_, id) = client.ready_once_registered(agency.kvk).await;
        client.certs_post(&format!("/api/v1/certificates/{id}/certification"), &body, json!({})).await;
        let seal = client.seal(agency.kvk, &body).await;
        seals.push((agency, seal["url"].as_str().unwrap_or_default().to_string()));
        meets_its_fate(client, agency, &id, &body).await;
    }
    seals
}

async fn meets_its_fate(client: &Client, agency: &Agency, id: &str, body: &str) {
    let admin = client.token(Role::Kvk, None);
    match agency.fate {
        Fate::Suspended => {
            let remedy_by = platform::clock::dutch_date(chrono::Utc::now() + chrono::Duration::days(30));
            client
                .certs_post(
                    &format!("/api/v1/certificates/{id}/suspension"),
                    body,
                    json!({"reason": "wage tax arrears", "remedy_by": remedy_by}),
                )
                .await;
        }
        Fate::Revoked => {
            client.revoke(id, body, "repeated underpayment found by the Labour Authority", "irrevocable_fine").await;
        }
        Fate::OwnerBanned => {
            // An owner of its own, so that the ban touches this agency only.
            let bsn = zegel_e2e::valid_bsn(111_222_330);
            let officers = json!({"officers": [{"bsn": bsn, "name": "Karel Koel", "date_of_birth": "1975-02-14", "role": "owner", "from": "2019-03-01"}]});
            client
                .bans_call(reqwest::Method::PUT, &format!("/api/v1/agencies/{}/officers", agency.kvk), &admin, officers)
                .await;
            let ban = json!({"bsn": bsn, "basis": "administrative", "roles_covered": ["owner", "director"],
                             "starts_on": platform::clock::dutch_date(chrono::Utc::now()), "reason": "phoenix constructions"});
            client.bans_call(reqwest::Method::POST, "/api/v1/bans", &client.token(Role::Inspectorate, None), ban).await;
        }
        Fate::GAccountBlocked => {
            client
                .gaccounts_call(
                    reqwest::Method::POST,
                    &format!("/api/v1/agencies/{}/g-account/blocking", agency.kvk),
                    &client.token(Role::Tax, None),
                    json!({"reason": "wage tax not paid from the G-account"}),
                )
                .await;
        }
        Fate::Hireable | Fate::Starter => {}
    }
}

/// Buildings of one provider in three municipalities: two certified, one suspended after
/// an unannounced inspection. Their seals: the place, the link, the BAG id.
async fn buildings(client: &Client) -> anyhow::Result<Vec<(&'static str, String, &'static str)>> {
    let mut building_seals = Vec::new();
    let provider = client.token(Role::HousingProvider, Some(PROVIDER));
    let inspector = client.token(Role::HousingInspector, None);
    for (bag_id, street, number, postcode, place, certified) in BUILDINGS {
        let building = json!({"bag_id": bag_id, "street": street, "number": number, "postcode": postcode, "place": place, "building_type": "group_housing"});
        let post = reqwest::Method::POST;
        housing(client, post.clone(), "/api/v1/buildings", &provider, building).await?;
        let rooms = json!({"bedrooms": [12, 12, 9, 9], "living_area": 48});
        housing(client, reqwest::Method::PUT, &format!("/api/v1/buildings/{bag_id}/rooms"), &provider, rooms).await?;
        let inspections = format!("/api/v1/buildings/{bag_id}/inspections");
        let inspection = json!({"kind": "announced", "findings": "Rooms, fire safety and sanitary facilities as reported.",
                                "measured": {"bedrooms": [12, 12, 9, 9], "living_area": 48}});
        housing(client, post.clone(), &inspections, &inspector, inspection).await?;
        let seal =
            housing(client, post.clone(), &format!("/api/v1/buildings/{bag_id}/seal"), &provider, json!({})).await?;
        building_seals.push((place, seal["url"].as_str().unwrap_or_default().to_string(), bag_id));
        if !certified {
            let deadline = platform::clock::dutch_date(chrono::Utc::now() + chrono::Duration::days(14));
            let found = json!({"kind": "unannounced", "findings": "Fire escape blocked by stored mattresses.",
                               "deficiencies": [{"description": "Fire escape blocked", "deadline": deadline}]});
            housing(client, post, &inspections, &inspector, found).await?;
        }
    }
    Ok(building_seals)
}

fn print_links(
    at: &Addresses,
    seals: &[(&'static Agency, String)],
    building_seals: &[(&'static str, String, &'static str)],
) {
    println!();
    println!("Hirer checks (the verdict a hirer sees before hiring):");
    for agency in &AGENCIES {
        println!("  {:<28} {}/check?kvk={}", agency.name, at.lookup, agency.kvk);
    }
    if !seals.is_empty() {
        println!();
        println!("Agency seals (what their QR codes open):");
        for (agency, url) in seals {
            println!("  {:<28} {url}", agency.name);
        }
        println!();
        println!("Buildings (the page at the door; add ?lang=pl, ro, bg, …):");
        for (place, url, _) in building_seals {
            println!("  {place:<28} {url}");
        }
        println!();
        println!("A poster for the door (the provider's token):");
        if let Some((_, _, bag_id)) = building_seals.first() {
            println!(
                "  curl -H \"Authorization: Bearer $(./just token housing_provider {PROVIDER})\" {}/api/v1/buildings/{bag_id}/poster.pdf -o poster.pdf",
                at.housing
            );
        }
    }
    println!();
    println!(
        "The workbench: http://127.0.0.1:{} — log in as `auditor` (any password) for the",
        zegel_workbench::config::Own::PORT
    );
    println!(
        "  certification body cb-dev: start a certificate for {} ({}), record its requirements, certify it, print its poster.",
        DESK_AGENCY.1, DESK_AGENCY.0
    );
    println!(
        "  As `admission`: a worker's claim against its deposit waits to be assessed; as `inspector`: the worklist."
    );
    println!();
    println!("The yearly report: {}/statistics   The rights of a worker: {}/rights", at.lookup, at.lookup);
}

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(demo())
}
