//! The Labour Authority's desk, without JavaScript, and the registers' parts of an
//! agency's dossier: each register tells the Labour Authority — and nobody else — every
//! event about an agency; the desk lays them out as one timeline, moves a complaint about
//! work on, asks the body to suspend and sees when it did, imposes and lifts a ban without
//! the BSN ever coming back on a page, and computes a hirer's fine with every step before
//! it decides it and makes it final.

use platform::auth::Role;
use reqwest::Method;
use serde_json::{Value, json};
use zegel_contracts::dossier::Part;
use zegel_contracts::event::EventType;
use zegel_e2e::Suite;

use crate::body_desk::{Browser, session, workbench_for, workbench_with};

const KVK: &str = "63000001";
const HIRER: &str = "87654321";
const REGISTERS: [&str; 6] = ["certificates", "bans", "deposits", "gaccounts", "housing", "lookup"];

async fn events(suite: &Suite, address: &str, token: Option<&str>) -> (u16, Value) {
    suite.send(Method::GET, format!("{address}/api/v1/agencies/{KVK}/events"), token, Value::Null).await
}

/// A hirer's accident report and a worker's complaint about the agency's work.
async fn something_to_follow(suite: &Suite) {
    let today = suite.certificates.state.clock.today();
    let accident = json!({"occurred_on": today, "kind": "hospital_admission",
        "what_happened": "A temporary worker fell from a loading platform."});
    let path = format!("/api/v1/agencies/{KVK}/accidents");
    let reported = suite.certs_post(&path, &suite.token(Role::Hirer, Some(HIRER)), accident).await;
    assert!(reported["accident_id"].is_string(), "{reported}");
    let complaint = json!({"category": "wages_below_minimum", "text": "Płacą nam 9 euro za godzinę.", "lang": "pl"});
    let url = format!("{}/api/v1/agencies/{KVK}/work-complaints", suite.certificates.address);
    let (status, filed) = suite.send(Method::POST, url, None, complaint).await;
    assert_eq!(status, 201, "{filed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_register_tells_the_labour_authority_alone_what_it_knows_of_an_agency() {
    let suite = Suite::start().await;
    suite.certified(KVK).await;
    something_to_follow(&suite).await;
    let inspectorate = suite.token(Role::Inspectorate, None);
    let others = [
        suite.token(Role::Agency, Some(KVK)),
        suite.token(Role::CertificationBody, Some("cb-e2e")),
        suite.token(Role::Hirer, Some(HIRER)),
        suite.token(Role::Kvk, None),
        suite.token(Role::AdmissionAuthority, None),
    ];
    for (name, address) in suite.services().into_iter().filter(|(n, _)| REGISTERS.contains(n)) {
        let (status, part) = events(&suite, address, Some(&inspectorate)).await;
        assert!(status == 200 && part["register"] == name && part["complete"] == true, "{name}: {status} {part}");
        for token in &others {
            let (status, refused) = events(&suite, address, Some(token)).await;
            assert_eq!(status, 403, "{name}: {refused}");
        }
        assert_eq!(events(&suite, address, None).await.0, 401, "{name}");
    }
    // Each part reads as the contract's type: the event types are the contract's, not spellings.
    let part_of = async |address: &str| -> Part {
        serde_json::from_value(events(&suite, address, Some(&inspectorate)).await.1).expect("a dossier part")
    };
    let part = part_of(&suite.certificates.address).await;
    let kinds: Vec<EventType> = part.entries.iter().map(|e| e.body.kind()).collect();
    for kind in [
        EventType::CertificateProvisionalIssued,
        EventType::CertificateCertified,
        EventType::CertificateAccidentReported,
        EventType::CertificateWorkComplaintReceived,
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    assert!(part.entries.windows(2).all(|w| w[0].at <= w[1].at), "oldest first: {:?}", part.entries);
    let part = part_of(&suite.gaccounts.address).await;
    assert!(part.entries.iter().any(|e| e.body.kind() == EventType::GaccountActivated), "{part:?}");

    // The worklists across agencies are the Labour Authority's too.
    let cert = &suite.certificates.address;
    for path in ["/api/v1/suspension-requests", "/api/v1/accidents", "/api/v1/work-complaints", "/api/v1/hirer-fines"] {
        let (status, _) = suite.send(Method::GET, format!("{cert}{path}"), Some(&inspectorate), Value::Null).await;
        assert_eq!(status, 200, "{path}");
        for token in &others {
            let (status, body) = suite.send(Method::GET, format!("{cert}{path}"), Some(token), Value::Null).await;
            assert_eq!(status, 403, "{path}: {body}");
        }
    }
    let (status, body) = suite
        .send(Method::GET, format!("{cert}/api/v1/work-complaints?status=open"), Some(&inspectorate), Value::Null)
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) =
        suite.send(Method::GET, format!("{cert}/api/v1/hirer-fines?agency=12"), Some(&inspectorate), Value::Null).await;
    assert_eq!(status, 422, "{body}");
    // Every read of the agency's dossier and of complaints about it is in its trail.
    let db = suite.certificates.state.core.pool.get().await.expect("a connection");
    for action in [platform::dossier::READ, zegel_certificates::routes::WORK_COMPLAINT_READ] {
        let row = db
            .query_one(
                "select count(*) from audit_log where action = $1 and subject = $2 and role = 'inspectorate'",
                &[&action, &KVK],
            )
            .await
            .expect("the trail");
        assert!(row.get::<_, i64>(0) >= 1, "{action} of {KVK} is audited");
    }
    let bans = format!("{}/api/v1/bans", suite.bans.address);
    assert_eq!(suite.send(Method::GET, bans.clone(), Some(&inspectorate), Value::Null).await.0, 200);
    assert_eq!(suite.send(Method::GET, bans, Some(&others[0]), Value::Null).await.0, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_labour_authority_follows_an_agency_from_its_dossier() {
    let suite = Suite::start().await;
    let (body, cert) = suite.certified(KVK).await;
    something_to_follow(&suite).await;
    let workbench = workbench_for(&suite).await;
    let (cookie, csrf) = session(&workbench, &suite, ("labour", Role::Inspectorate, None), &REGISTERS).await;
    let browser = Browser::new(&workbench.address, &cookie);

    let (status, page) = browser.get("/labour?lang=en").await;
    assert!(status == 200 && page.contains("hospital admission") && page.contains("wages below the minimum"), "{page}");
    let (status, page) = browser.get("/labour?lang=en&kvk=nonsense").await;
    assert!(status == 422 && page.contains("That is not a KvK number"), "{page}");
    let (status, _) = browser.get(&format!("/labour?lang=en&kvk={KVK}")).await;
    assert_eq!(status, 303, "the form opens the dossier");

    let at = format!("/labour/agencies/{KVK}");
    let (status, page) = browser.get(&format!("{at}?lang=en")).await;
    assert!(status == 200 && page.contains("Certificate now</dt><dd>certified"), "{page}");
    for line in [
        "Provisional certificate issued",
        "Certified",
        "Accident reported by a hirer",
        "Complaint about work received",
        "G-account active",
    ] {
        assert!(page.contains(line), "{line}: {page}");
    }
    assert!(!page.contains("This dossier is not complete"), "every register answered, in full: {page}");
    assert!(page.contains("lang=\"pl\">Płacą nam 9 euro"), "the worker's words in their language: {page}");

    // The complaint moves on, with a note the worker reads.
    let complaint =
        page.split("name=\"complaint\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("a complaint form");
    let form = [
        ("csrf", csrf.as_str()),
        ("complaint", complaint),
        ("status", "under_investigation"),
        ("note", "We are looking into it."),
    ];
    let (status, to, _) = browser.post(&format!("{at}/complaint?lang=en"), &form).await;
    assert!(status == 303 && to.as_deref().is_some_and(|t| t.contains("done=complaint")), "{status} {to:?}");
    let (_, page) = browser.get(&format!("{at}?lang=en&done=complaint")).await;
    assert!(
        page.contains("The complaint was moved on.")
            && page.contains("under investigation")
            && page.contains("We are looking into it."),
        "{page}"
    );

    // A request to suspend: on the worklist until the body acts.
    let (status, _, page) = browser.post(&format!("{at}/suspension?lang=en"), &[("csrf", &csrf), ("reason", "")]).await;
    assert!(status == 422 && page.contains("Give a reason."), "{status} {page}");
    let request = [("csrf", csrf.as_str()), ("reason", "Wages below the minimum, reported by workers.")];
    let (status, to, _) = browser.post(&format!("{at}/suspension?lang=en"), &request).await;
    assert!(status == 303 && to.as_deref().is_some_and(|t| t.contains("done=suspension")), "{status} {to:?}");
    let (_, page) = browser.get("/labour?lang=en").await;
    let requests = page.split("id=\"requests\"").nth(1).and_then(|s| s.split("</table>").next()).expect("requests");
    assert!(requests.contains(KVK) && requests.contains("<td>certified</td><td>no</td>"), "{requests}");
    let remedy_by = suite.certificates.state.clock.today() + chrono::Days::new(30);
    let suspended = suite
        .certs_post(
            &format!("/api/v1/certificates/{cert}/suspension"),
            &body,
            json!({"reason": "As the Labour Authority asked.", "remedy_by": remedy_by}),
        )
        .await;
    assert_eq!(suspended["status"], "suspended", "{suspended}");
    let (_, page) = browser.get("/labour?lang=en").await;
    assert!(page.contains("<td>suspended</td><td>yes</td>"), "the body acted: {page}");
    let (_, page) = browser.get(&format!("{at}?lang=en")).await;
    assert!(page.contains("Suspension requested by the Labour Authority") && page.contains("Suspended"), "{page}");
    assert!(!page.contains("Ask the certification body to suspend"), "nothing left to ask: {page}");

    // A hirer that used the agency while it was suspended: every step, then decided, then final.
    let today = suite.certificates.state.clock.today().to_string();
    let case = [
        ("csrf", csrf.as_str()),
        ("hirer", HIRER),
        ("agency", KVK),
        ("from", today.as_str()),
        ("to", today.as_str()),
        ("workers", "2"),
        ("receipts", ""),
    ];
    let (status, _, page) = browser.post("/labour/fines?lang=en", &case).await;
    assert!(
        status == 200 && page.contains("Days the agency held no certificate in force</dt><dd>1"),
        "{status} {page}"
    );
    assert!(page.contains("The fine</dt><dd>€ 16000,00") && page.contains("Nothing is decided yet"), "{page}");
    let (_, page) = browser.get("/labour/fines?lang=en").await;
    assert!(page.contains("No fine was decided yet."), "the computation kept nothing: {page}");
    let decision: Vec<(&str, &str)> = case.iter().copied().chain([("step", "decision")]).collect();
    let (status, to, _) = browser.post("/labour/fines?lang=en", &decision).await;
    let to = to.expect("to the fine");
    assert!(status == 303 && to.contains("done=decided"), "{status} {to}");
    let fine = to.split('?').next().expect("path").to_string();
    let (_, page) = browser.get(&to).await;
    assert!(
        page.contains("The fine was decided.")
            && page.contains("Date of the offence</dt><dd>")
            && page.contains("decided"),
        "{page}"
    );
    let (status, to, _) =
        browser.post(&format!("{fine}/irrevocability?lang=en"), &[("csrf", &csrf), ("irrevocable_on", &today)]).await;
    assert!(status == 303 && to.as_deref().is_some_and(|t| t.contains("done=irrevocable")), "{status} {to:?}");
    let (_, page) = browser.get(&format!("{fine}?lang=en")).await;
    assert!(page.contains("Status</dt><dd>final") && !page.contains("Make the fine final</button>"), "{page}");
    let (_, page) = browser.get(&format!("{at}?lang=en")).await;
    assert!(page.contains("A hirer was fined for using this agency"), "{page}");

    // Another role has no such desk; without a session, the way to log in.
    let (cookie, _) = session(&workbench, &suite, ("agency", Role::Agency, Some(KVK)), &["certificates"]).await;
    assert_eq!(Browser::new(&workbench.address, &cookie).get(&at).await.0, 403);
    assert_eq!(Browser::new(&workbench.address, "nobody").get(&at).await.0, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ban_is_imposed_and_lifted_at_the_desk_and_its_bsn_never_comes_back() {
    let suite = Suite::start().await;
    let workbench = workbench_for(&suite).await;
    let (cookie, csrf) = session(&workbench, &suite, ("labour", Role::Inspectorate, None), &REGISTERS).await;
    let browser = Browser::new(&workbench.address, &cookie);
    let (status, page) = browser.get("/labour/bans?lang=en").await;
    assert!(status == 200 && page.contains("No ban is in force."), "{page}");

    let bsn = zegel_e2e::valid_bsn(123_450_000);
    let today = suite.bans.state.clock.today().to_string();
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("bsn", bsn.as_str()),
        ("starts_on", today.as_str()),
        ("reason", "Underpaid workers at three agencies."),
        ("name", "Jan Kwaad"),
        ("date_of_birth", "1970-03-01"),
    ];
    // Without a role: the register's sentence comes back; the person's data does not.
    let (status, _, page) = browser.post("/labour/bans?lang=en", &form).await;
    assert!(status == 422 && page.contains("name at least one role"), "{status} {page}");
    assert!(!page.contains(&bsn) && !page.contains("Jan Kwaad") && !page.contains("1970-03-01"), "{page}");
    assert!(page.contains("Underpaid workers at three agencies."), "the rest of the form is kept: {page}");
    form.push(("roles", "director"));
    let (status, to, _) = browser.post("/labour/bans?lang=en", &form).await;
    assert!(status == 303 && to.as_deref().is_some_and(|t| t.contains("done=imposed")), "{status} {to:?}");
    let (_, page) = browser.get("/labour/bans?lang=en&done=imposed").await;
    assert!(
        page.contains("The ban was recorded.") && page.contains("director") && page.contains("open-ended"),
        "{page}"
    );
    assert!(!page.contains(&bsn) && !page.contains("Jan Kwaad"), "no personal data on the list: {page}");

    let lifting = page.split("action=\"/labour/bans/").nth(1).and_then(|s| s.split('?').next()).expect("a lift form");
    let (status, _, page) = browser.post(&format!("/labour/bans/{lifting}?lang=en"), &[("csrf", &csrf)]).await;
    assert!(status == 422 && page.contains("Give a reason."), "{page}");
    let lift = [("csrf", csrf.as_str()), ("reason", "Annulled on objection.")];
    let (status, to, _) = browser.post(&format!("/labour/bans/{lifting}?lang=en"), &lift).await;
    assert!(status == 303 && to.as_deref().is_some_and(|t| t.contains("done=lifted")), "{status} {to:?}");
    let (_, page) = browser.get("/labour/bans?lang=en").await;
    assert!(page.contains("No ban is in force."), "{page}");
    // A form without this session's token is refused.
    let (status, _, _) =
        browser.post(&format!("/labour/bans/{lifting}?lang=en"), &[("csrf", "forged"), ("reason", "x")]).await;
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_register_that_cannot_be_read_is_named_and_the_rest_of_the_dossier_is_shown() {
    let suite = Suite::start().await;
    suite.certified(KVK).await;
    // Nothing listens on the discard port: the G-account register is down for this desk.
    let workbench = workbench_with(&suite, |s| s.own.gaccounts_url = "http://127.0.0.1:9".into()).await;
    let (cookie, _) = session(&workbench, &suite, ("labour", Role::Inspectorate, None), &REGISTERS).await;
    let (status, page) =
        Browser::new(&workbench.address, &cookie).get(&format!("/labour/agencies/{KVK}?lang=en")).await;
    assert!(status == 200 && page.contains("This dossier is not complete:"), "{status} {page}");
    assert!(page.contains("G-accounts — could not be read just now"), "{page}");
    assert!(
        page.contains("Certified") && !page.contains("G-account active"),
        "the rest, without the missing part: {page}"
    );
}
