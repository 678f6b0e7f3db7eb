//! The suite checked from the outside, with tools this project does not contain: a
//! property-based fuzzer (schemathesis) against every service's published document, a
//! linter for the documents (Spectral with openapi/.spectral.yaml), a client generated
//! from a document, and the pages in a real browser (Chromium, driven by Playwright)
//! with axe-core. `just test` installs the tools (tests/web/, a Python venv under
//! target/) and runs these tests; plain `cargo test` skips them (ignored).

use std::path::{Path, PathBuf};
use std::process::Output;

use platform::auth::Role;
use serde_json::{Value, json};
use zegel_e2e::{Options, Suite};

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("root").to_path_buf()
}

/// tests/web/, where `npm ci` put the JavaScript tools.
fn web() -> PathBuf {
    root().join("tests/web")
}

/// The schemathesis command: `ZEGEL_SCHEMATHESIS`, else the venv `just test` made.
fn schemathesis() -> String {
    std::env::var("ZEGEL_SCHEMATHESIS")
        .unwrap_or_else(|_| root().join("target/tools/venv/bin/st").to_string_lossy().into_owned())
}

/// Runs `program args` in `dir`; its output, or a panic naming what could not start.
async fn run(program: &str, args: &[&str], dir: &Path) -> Output {
    run_with(program, args, dir, &[]).await
}

/// Both streams of an output, as text.
fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// A token carrying every role (acting for agency 12345678), so that the fuzzer reaches
/// every operation past its role check; the services still check each role's scope.
fn every_role() -> String {
    zegel_testkit::tokens::issuer().0.token("outside", &Role::ALL, Some("12345678"), 3600).expect("token")
}

/// The suite with something behind the documents' examples: agency 12345678 certified,
/// with a deposit, and building 0363010000000001 certified.
async fn seeded() -> Suite {
    let suite = Suite::start_with(Options { rate_per_minute: Some(1_000_000), ..Options::default() }).await;
    suite.certified("12345678").await;
    suite.deposit_pay("12345678", 1_000_000).await;
    suite.certified_building("23456789", "0363010000000001").await;
    suite
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Spectral (tests/web); `just test` runs it"]
async fn the_documents_follow_the_api_design_rules() {
    let docs: Vec<String> =
        ["bans", "certificates", "deposits", "gaccounts", "housing", "lookup", "notifier", "workbench"]
            .iter()
            .map(|d| root().join(format!("openapi/{d}.yaml")).to_string_lossy().into_owned())
            .collect();
    let ruleset = root().join("openapi/.spectral.yaml");
    let mut args = vec!["spectral", "lint", "--fail-severity", "warn", "-f", "text", "--ruleset"];
    args.push(ruleset.to_str().expect("path"));
    args.extend(docs.iter().map(String::as_str));
    let out = run("npx", &args, &web()).await;
    assert!(out.status.success(), "Spectral found faults:\n{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs schemathesis (target/tools/venv); `just test` runs it"]
async fn the_fuzzer_finds_no_fault_in_any_service() {
    let suite = seeded().await;
    let token = format!("Authorization: Bearer {}", every_role());
    let examples = std::env::var("ZEGEL_FUZZ_EXAMPLES").unwrap_or_else(|_| "25".into());
    let mut faults = Vec::new();
    for (name, address) in suite.services() {
        let document = format!("{address}/api/v1/openapi.json");
        let args = [
            "run",
            document.as_str(),
            "--url",
            address,
            "-H",
            token.as_str(),
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance",
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            examples.as_str(),
            // One worker: hypothesis under CPython 3.11 can fail in its own source parsing
            // when two threads describe strategies at once (a SystemError, not a finding).
            "--workers",
            "1",
            "--request-timeout",
            "10",
            "--seed",
            "17",
            "--no-color",
            "--suppress-health-check",
            "all",
        ];
        // Its cache and reports stay under target/, out of the repository.
        let out = run(&schemathesis(), &args, &root().join("target/tools")).await;
        if !out.status.success() {
            faults.push(format!("== {name}\n{}", text(&out)));
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

/// Sends `body` to `url` as `token` with a fresh Idempotency-Key; the answer's JSON, which
/// must be a success.
async fn made(suite: &Suite, url: String, token: &str, body: Value) -> Value {
    let (status, v) = suite.send(reqwest::Method::POST, url.clone(), Some(token), body).await;
    assert!((200..300).contains(&status), "{url}: {status} {v}");
    v
}

/// The seal in an answer.
fn seal_of(v: &Value) -> String {
    v["seal"].as_str().unwrap_or_else(|| panic!("no seal in {v}")).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and tests/web; `just test` runs it"]
async fn every_page_reads_right_in_chromium_in_every_language() {
    let suite = seeded().await;
    let kvk = "12345678";
    let agency = suite.token(Role::Agency, Some(kvk));
    let body = suite.token(Role::CertificationBody, Some("cb-e2e"));
    // A seal of each kind, valid; a certificate and a building that are no longer; a
    // tampered seal; and a receipt of the hirer check.
    let certificate = seal_of(&suite.seal(kvk, &body).await);
    let deposit = seal_of(
        &made(&suite, format!("{}/api/v1/agencies/{kvk}/deposit/seal", suite.deposits.address), &agency, json!({}))
            .await,
    );
    let g_account = seal_of(
        &made(&suite, format!("{}/api/v1/agencies/{kvk}/g-account/seal", suite.gaccounts.address), &agency, json!({}))
            .await,
    );
    let building = suite.certified_building("34567890", "0363010000000002").await;
    let suspended = suite.certified_building("34567890", "0363010000000003").await;
    suite.suspend_building("0363010000000003").await;
    let (revoker, revoked_id) = suite.certified("87654321").await;
    let revoked = seal_of(&suite.seal("87654321", &revoker).await);
    suite.revoke(&revoked_id, &revoker, "fraud", "criminal_sanction").await;
    let mut tampered = certificate.clone();
    let last = tampered.pop().expect("a seal");
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let check: Value = suite
        .http
        .post(format!("{}/api/v1/agencies/{kvk}/receipts", suite.lookup.address))
        .send()
        .await
        .expect("receipt")
        .json::<Value>()
        .await
        .expect("json");
    let receipt = check["receipt"]["seal"].as_str().expect("receipt").to_string();

    let all = ["nl", "en", "pl", "ro", "bg", "es", "lt", "hu"];
    let lookup = &suite.lookup.address;
    let page = |name: &str, path: String, verdict: bool| json!({"name": name, "url": format!("{lookup}{path}"), "langs": all, "verdict": verdict});
    let mut pages = vec![
        page("certificate-valid", format!("/v/{certificate}"), true),
        page("certificate-revoked", format!("/v/{revoked}"), true),
        page("deposit-valid", format!("/v/{deposit}"), true),
        page("g-account-valid", format!("/v/{g_account}"), true),
        page("building-valid", format!("/v/{building}"), true),
        page("building-suspended", format!("/v/{suspended}"), true),
        page("tampered", format!("/v/{tampered}"), true),
        page("receipt", format!("/v/{receipt}"), true),
        page("complaint-form", format!("/v/{building}/complaint"), false),
        page("complaint-sent", "/complaint/sent".into(), false),
        page("rights", "/rights".into(), false),
        page("accessibility", "/accessibility".into(), false),
        page("check", "/check".into(), false),
        page("check-verdict", format!("/check?kvk={kvk}"), true),
        page("claim-form", format!("/claim?kvk={kvk}"), false),
        page("work-complaint-form", format!("/work-complaint?kvk={kvk}"), false),
    ];
    // The yearly report is kept in Dutch and English (the languages of its readers).
    pages.push(
        json!({"name": "statistics", "url": format!("{lookup}/statistics"), "langs": ["nl", "en"], "verdict": false}),
    );
    // The workbench speaks Dutch and English (the authorities work in Dutch); its desks
    // are read with a session of the body that certified agency 12345678.
    let workbench = crate::body_desk::workbench_for(&suite).await;
    for (name, path) in [("workbench", "/"), ("workbench-accessibility", "/accessibility")] {
        let url = format!("{}{path}", workbench.address);
        pages.push(json!({"name": name, "url": url, "langs": ["nl", "en"], "verdict": false}));
    }
    let (cookie, _) = crate::body_desk::session(
        &workbench,
        &suite,
        ("auditor", Role::CertificationBody, Some("cb-e2e")),
        &["certificates"],
    )
    .await;
    let listed = format!("{}/api/v1/certification-bodies/cb-e2e/certificates", suite.certificates.address);
    let listed: Value =
        suite.http.get(listed).bearer_auth(&body).send().await.expect("list").json().await.expect("json");
    let certificate = listed["certificates"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|c| c["kvk_number"] == kvk)
        .and_then(|c| c["certificate_id"].as_str())
        .expect("agency 12345678's certificate")
        .to_string();
    let session = json!({"name": "zegel_session", "value": cookie});
    for (name, path) in
        [("body-desk", "/body".to_string()), ("body-certificate", format!("/body/certificates/{certificate}"))]
    {
        let url = format!("{}{path}", workbench.address);
        pages.push(json!({"name": name, "url": url, "langs": ["nl", "en"], "verdict": false, "cookie": session}));
    }
    let (cookie, _) =
        crate::body_desk::session(&workbench, &suite, ("inspector", Role::HousingInspector, None), &["housing"]).await;
    let session = json!({"name": "zegel_session", "value": cookie});
    for (name, path) in
        [("inspector-desk", "/inspector"), ("inspector-building", "/inspector/buildings/0363010000000001")]
    {
        let url = format!("{}{path}", workbench.address);
        pages.push(json!({"name": name, "url": url, "langs": ["nl", "en"], "verdict": false, "cookie": session}));
    }
    let claim_id = worker_claim(&suite, kvk).await;
    let (cookie, _) =
        crate::body_desk::session(&workbench, &suite, ("admission", Role::AdmissionAuthority, None), &["deposits"])
            .await;
    let session = json!({"name": "zegel_session", "value": cookie});
    for (name, path) in [
        ("admission-desk", "/admission".to_string()),
        ("admission-claim", format!("/admission/claims/{claim_id}")),
        ("admission-deposit", format!("/admission/deposits/{kvk}")),
    ] {
        let url = format!("{}{path}", workbench.address);
        pages.push(json!({"name": name, "url": url, "langs": ["nl", "en"], "verdict": false, "cookie": session}));
    }
    let registers = ["certificates", "bans", "deposits", "gaccounts", "housing", "lookup"];
    let (cookie, _) =
        crate::body_desk::session(&workbench, &suite, ("labour", Role::Inspectorate, None), &registers).await;
    let session = json!({"name": "zegel_session", "value": cookie});
    for (name, path) in [
        ("labour-desk", "/labour".to_string()),
        ("labour-dossier", format!("/labour/agencies/{kvk}")),
        ("labour-bans", "/labour/bans".to_string()),
        ("labour-fines", "/labour/fines".to_string()),
    ] {
        let url = format!("{}{path}", workbench.address);
        pages.push(json!({"name": name, "url": url, "langs": ["nl", "en"], "verdict": false, "cookie": session}));
    }
    let (cookie, _) =
        crate::body_desk::session(&workbench, &suite, ("amsterdam", Role::Municipality, Some("0363")), &["housing"])
            .await;
    let session = json!({"name": "zegel_session", "value": cookie});
    for (name, path) in
        [("municipality-desk", "/municipality"), ("municipality-building", "/municipality/buildings/0363010000000001")]
    {
        let url = format!("{}{path}", workbench.address);
        pages.push(json!({"name": name, "url": url, "langs": ["nl", "en"], "verdict": false, "cookie": session}));
    }
    let (cookie, _) = crate::body_desk::session(
        &workbench,
        &suite,
        ("agency", Role::Agency, Some(kvk)),
        &["certificates", "deposits", "gaccounts", "housing"],
    )
    .await;
    let session = json!({"name": "zegel_session", "value": cookie});
    pages.push(json!({"name": "agency-desk", "url": format!("{}/agency", workbench.address), "langs": ["nl", "en"],
        "verdict": false, "cookie": session}));
    for (name, who, path, registers) in [
        ("provider-desk", ("provider", Role::HousingProvider, Some("34567890")), "/provider".to_string(), "housing"),
        ("tax-desk", ("tax", Role::Tax, None), format!("/tax?kvk={kvk}"), "gaccounts"),
        ("hirer-desk", ("hirer", Role::Hirer, Some("50000001")), "/hirer".to_string(), "notifier"),
        ("kvk-desk", ("kvk", Role::Kvk, None), "/kvk".to_string(), "lookup"),
    ] {
        let (cookie, _) = crate::body_desk::session(&workbench, &suite, who, &[registers]).await;
        let session = json!({"name": "zegel_session", "value": cookie});
        let url = format!("{}{path}", workbench.address);
        pages.push(json!({"name": name, "url": url, "langs": ["nl", "en"], "verdict": false, "cookie": session}));
    }
    // The pages that answer a form: a poster, the result before saving, a receipt, a check's
    // answer — each form sent from its page, in Dutch and English at both sizes. (The
    // inspector's preview once did not navigate at phone size: its form was wider than the
    // phone, which then zoomed out, and the click missed; the widths are now measured
    // against the phone's own.)
    let today = platform::clock::dutch_date(chrono::Utc::now()).to_string();
    for (name, who, registers, (path, fill, submit)) in [
        (
            "body-poster",
            ("auditor", Role::CertificationBody, Some("cb-e2e")),
            &["certificates", "lookup"][..],
            (format!("/body/certificates/{certificate}"), json!([]), "form[action*='/seal'] button"),
        ),
        (
            "admission-preview",
            ("admission", Role::AdmissionAuthority, None),
            &["deposits"][..],
            (
                format!("/admission/claims/{claim_id}"),
                json!([["#amount", "2500"], ["#reason", "The payslips show no wages for August and September."]]),
                "button[formaction*='/preview']",
            ),
        ),
        (
            "inspector-preview",
            ("inspector", Role::HousingInspector, None),
            &["housing"][..],
            (
                "/inspector/buildings/0363010000000001".to_string(),
                json!([["#findings", "Measured again."], ["#bedroom_0", "9"], ["#living_area", "30"]]),
                "button[formaction*='/preview']",
            ),
        ),
        (
            "labour-fine-computation",
            ("labour", Role::Inspectorate, None),
            &["certificates", "lookup"][..],
            (
                "/labour/fines".to_string(),
                json!([
                    ["#hirer", "50000001"],
                    ["#agency", kvk],
                    ["#from", "2026-01-01"],
                    ["#to", today],
                    ["#workers", "3"]
                ]),
                "button[value='computation']",
            ),
        ),
        (
            "agency-poster",
            ("agency", Role::Agency, Some(kvk)),
            &["certificates", "deposits", "gaccounts", "housing"][..],
            ("/agency".to_string(), json!([]), "form[action*='/agency/seals/certificate'] button"),
        ),
        (
            "provider-poster",
            ("provider", Role::HousingProvider, Some("34567890")),
            &["housing"][..],
            ("/provider".to_string(), json!([]), "form[action*='/seal'] button"),
        ),
        (
            "hirer-receipt",
            ("hirer", Role::Hirer, Some("50000001")),
            &["lookup", "notifier"][..],
            ("/hirer".to_string(), json!([["#check-kvk", kvk]]), "form[action*='/hirer/receipts'] button"),
        ),
        (
            "kvk-answer",
            ("kvk", Role::Kvk, None),
            &["lookup"][..],
            (
                "/kvk".to_string(),
                json!([["#dereg-kvk", kvk], ["#date", today]]),
                "form[action*='/deregistration'] button",
            ),
        ),
    ] {
        let (cookie, _) = crate::body_desk::session(&workbench, &suite, who, registers).await;
        let session = json!({"name": "zegel_session", "value": cookie});
        let url = format!("{}{path}", workbench.address);
        pages.push(json!({"name": name, "url": url, "langs": ["nl", "en"], "only": ["nl", "en"], "verdict": false,
            "cookie": session, "fill": fill, "submit": submit}));
    }
    let forms = json!([
        {"name": "complaint", "url": format!("{lookup}/v/{building}/complaint?lang=pl"),
         "check": ["input[name=category] >> nth=0"], "fill": [["#text", "Nie ma ciepłej wody."]],
         "submit": "button[type=submit]", "lands": "/complaint/sent?lang=pl", "shows": ""},
        {"name": "check", "url": format!("{lookup}/check?lang=ro"), "fill": [["#kvk", kvk]],
         "submit": "button[type=submit]", "lands": format!("kvk={kvk}"), "shows": kvk},
    ]);
    let report = in_chromium(json!({"languages": all, "pages": pages, "forms": forms})).await;
    let faults: Vec<&str> = report["faults"].as_array().expect("faults").iter().filter_map(Value::as_str).collect();
    assert!(faults.is_empty(), "{} faults in the browser:\n{}", faults.len(), faults.join("\n"));
    // Every page in every language at both sizes, and both forms, were checked.
    assert_eq!(report["checked"], 37 * 8 * 2 + 8 * 2 * 2 + 2, "{report}");
}

/// The desks' work in Chromium with JavaScript off, on a tablet (768×1024), each person
/// logged in at the development provider: the auditor starts a certificate for an agency,
/// records the checklist requirement by requirement, certifies it and prints the poster
/// (the public certificate then says certified, and the register names the auditor); the
/// housing inspector opens a building from the worklist, measures its rooms, sees the
/// result before saving and saves it (the page at the door then shows the new capacity);
/// the admission authority previews a presumption on a worker's claim, records it, and
/// books the deposit's payout after seeing its split; the Labour Authority opens the agency's
/// dossier (the certificate and the worker's claim in its timeline), asks the body to suspend
/// and computes a hirer's fine (none: the agency was certified).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium, Node.js, tests/web and dev/oidc; `just test` runs it"]
async fn the_desks_work_in_chromium_on_a_tablet() {
    let free = || std::net::TcpListener::bind("127.0.0.1:0").expect("a port").local_addr().expect("addr").port();
    let (provider_port, port) = (free(), free());
    let base = format!("http://127.0.0.1:{port}");
    let provider = crate::login::DevProvider::start_for(provider_port, &format!("{base}/login/callback")).await;
    let suite = Suite::start_with(Options { oidc_issuers: Some(provider.issuer.clone()), ..Options::default() }).await;
    let kvk = "30000001";
    let admin = suite.token(Role::Admin, None);
    let accredited = json!({"name": "CertiNed (development)", "accredited": true});
    let body = format!("{}/api/v1/certification-bodies/cb-dev", suite.certificates.address);
    suite.call(reqwest::Method::PUT, body, &admin, accredited).await;
    suite.register_agency(kvk, "Flexwerk Noord BV", "2020-01-01").await;
    suite.clear_officers_and_active_g_account(kvk).await;
    let claim_id = worker_claim(&suite, kvk).await;
    let bag = "0983010000071102";
    let seal = suite.certified_building("40000001", bag).await;
    let complaint = json!({"category": "overcrowding", "text": "Three of us now.", "lang": "pl"});
    let complaints = format!("{}/api/v1/buildings/{bag}/complaints", suite.housing.address);
    suite.http.post(complaints).json(&complaint).send().await.expect("a complaint");
    let migrations = concat!(env!("CARGO_MANIFEST_DIR"), "/../services/workbench/migrations");
    let (issuer, public_url) = (provider.issuer.clone(), base.clone());
    let (certificates, lookup) = (suite.certificates.address.clone(), suite.lookup.address.clone());
    let (deposits, housing) = (suite.deposits.address.clone(), suite.housing.address.clone());
    let (bans, gaccounts) = (suite.bans.address.clone(), suite.gaccounts.address.clone());
    let notifier = suite.notifier.address.clone();
    let _workbench = zegel_testkit::start_at::<zegel_workbench::Workbench>(migrations, port, move |s| {
        s.own.issuer = Some(issuer);
        s.own.public_url = public_url;
        s.own.certificates_url = certificates;
        s.own.deposits_url = deposits;
        s.own.housing_url = housing;
        s.own.lookup_url = lookup;
        s.own.bans_url = bans;
        s.own.gaccounts_url = gaccounts;
        s.own.notifier_url = notifier;
    })
    .await;

    let mut steps = logs_in(&base, "auditor", "Anna de Vries");
    steps.extend([
        json!({"click": "a[href^='/body']"}),
        json!({"expect": "has issued no certificates yet"}),
        json!({"fill": ["#kvk", kvk]}),
        json!({"click": "form[action^='/body/certificates'] button[type=submit]"}),
        json!({"expect": "The provisional certificate was issued."}),
    ]);
    let met = ["two_payrolls", "cao_wage_compliance", "auditor_statement", "rie_and_occupational_health"];
    let met = met.iter().chain(["registration_care", "health_insurance_delivered"].iter());
    for (code, outcome) in met.map(|c| (*c, "met")).chain([("housing_certified", "not_applicable")]) {
        let form = format!("details:has(input[name=code][value={code}])");
        steps.extend([
            json!({"open": format!("{form} summary")}),
            json!({"select": [format!("#outcome-{code}"), outcome]}),
            json!({"fill": [format!("#evidence-{code}"), format!("dossier/{code}")]}),
            json!({"click": format!("{form} button[type=submit]")}),
            json!({"expect": "The requirement was recorded."}),
        ]);
    }
    steps.extend([
        json!({"click": "form[action*='/certification'] button[type=submit]"}),
        json!({"expect": "The agency is certified."}),
        json!({"click": "form[action*='/seal'] button[type=submit]"}),
        json!({"expect": "Certified staffing agency"}),
    ]);
    let auditor = json!({"name": "auditor-certifies", "viewport": [768, 1024], "steps": steps});
    let mut inspector = logs_in(&base, "inspector", "Bram Jansen");
    inspector.extend(
        json!([
            {"click": "a[href^='/inspector']"},
            {"expect": "Complaint to follow up: overcrowding"},
            {"click": format!("a[href^='/inspector/buildings/{bag}']")},
            {"expect": "Kerkstraat 7"},
            {"fill": ["#findings", "A third bedroom, measured."]},
            {"fill": ["#bedroom_0", "6"]},
            {"fill": ["#bedroom_1", "6"]},
            {"fill": ["#bedroom_2", "6,5"]},
            {"fill": ["#living_area", "46"]},
            {"click": "button[formaction*='/preview']"},
            {"expect": "The result before saving"},
            {"expect": "Certified, for at most this many people:"},
            {"click": "form[action*='/inspection'] button:not([formaction])"},
            {"expect": "The inspection was recorded."},
        ])
        .as_array()
        .cloned()
        .unwrap_or_default(),
    );
    let inspector = json!({"name": "inspector-measures", "viewport": [768, 1024], "steps": inspector});
    let mut admission = logs_in(&base, "admission", "Daan Smit");
    admission.extend(
        json!([
            {"click": "a[href^='/admission']"},
            {"expect": "unpaid wages"},
            {"click": "a[href^='/admission/claims/']"},
            {"expect": "No wages for August and September."},
            {"select": ["#decision", "accept"]},
            {"select": ["#presumption", "administration_unusable"]},
            {"click": "button[formaction*='/preview']"},
            {"expect": "Would be accepted:"},
            {"click": "form[action*='/assessment'] button:not([formaction])"},
            {"expect": "The assessment was recorded."},
            {"click": "a[href^='/admission/deposits/']"},
            {"expect": "Accepted claims to pay"},
            {"click": "form[action*='/preview'] button"},
            {"expect": "Still owed after it:"},
            {"click": "form[action*='/payout'] button"},
            {"expect": "The payout was booked."},
        ])
        .as_array()
        .cloned()
        .unwrap_or_default(),
    );
    let admission = json!({"name": "admission-assesses", "viewport": [768, 1024], "steps": admission});
    let today = platform::clock::dutch_date(chrono::Utc::now()).to_string();
    let mut labour = logs_in(&base, "labour", "Eva Bakker");
    labour.extend(
        json!([
            {"click": "a[href^='/labour']"},
            {"expect": "Your suspension requests"},
            {"fill": ["#kvk", kvk]},
            {"click": "form[action='/labour'] button"},
            {"expect": "Timeline"},
            {"expect": "A worker claimed unpaid wages"},
            {"expect": "G-account active"},
            {"expect": "Certified"},
            {"fill": ["#reason", "Wages below the minimum, reported by three workers."]},
            {"click": "form[action*='/suspension'] button"},
            {"expect": "The request was sent to the certification body."},
            {"click": "a[href^='/labour?']"},
            {"click": "a[href^='/labour/fines']"},
            {"fill": ["#hirer", "87654321"]},
            {"fill": ["#agency", kvk]},
            {"fill": ["#from", today]},
            {"fill": ["#to", today]},
            {"fill": ["#workers", "2"]},
            {"click": "button[value=computation]"},
            {"expect": "no offence"},
        ])
        .as_array()
        .cloned()
        .unwrap_or_default(),
    );
    let labour = json!({"name": "labour-follows", "viewport": [768, 1024], "steps": labour});
    let journeys = [auditor, inspector, admission, labour];
    let plan = json!({"languages": [], "pages": [], "forms": [], "journeys": journeys});
    let report = in_chromium(plan).await;
    assert_eq!((report["checked"].as_u64(), &report["faults"]), (Some(4), &json!([])), "{report}");

    // The page at the door shows the capacity the inspector measured.
    let door = format!("{}/v/{seal}?lang=en", suite.lookup.address);
    let door = suite.http.get(door).send().await.expect("door").text().await.expect("page");
    assert!(door.contains("at most \u{2068}3\u{2069} people"), "{door}");

    // The claim was assessed by the person who logged in.
    let admission = suite.token(Role::AdmissionAuthority, None);
    let path = format!("/api/v1/claims/{claim_id}");
    let claim = suite.deposits_call(reqwest::Method::GET, &path, &admission, Value::Null).await;
    assert_eq!(claim["status"], "paid", "{claim}");

    // The register holds what the auditor did, under the auditor's name.
    let public = suite.http.get(format!("{}/api/v1/agencies/{kvk}/certificate", suite.certificates.address));
    let public: Value = public.send().await.expect("public").json().await.expect("json");
    assert_eq!(public["status"], "certified", "{public}");
    let inspectorate = suite.token(Role::Inspectorate, None);
    let listed = format!("{}/api/v1/certification-bodies/cb-dev/certificates", suite.certificates.address);
    let listed = suite.http.get(listed).bearer_auth(&inspectorate).send().await.expect("list");
    let listed: Value = listed.json().await.expect("json");
    let id = listed["certificates"][0]["certificate_id"].as_str().expect("the certificate");
    let trail = format!("{}/api/v1/certificates/{id}/audit-trail", suite.certificates.address);
    let trail = suite.http.get(trail).bearer_auth(&inspectorate).send().await.expect("trail");
    let trail: Value = trail.json().await.expect("json");
    let by = |role: &str| -> Vec<&str> {
        let entries = trail["entries"].as_array().expect("entries").iter();
        entries.filter(|e| e["actor"]["role"] == role).filter_map(|e| e["actor"]["subject"].as_str()).collect()
    };
    let body = by("certification_body");
    assert!(body.len() >= 8 && body.iter().all(|s| *s == "auditor"), "{trail}");
    assert_eq!(by("inspectorate"), ["labour"], "the Labour Authority's request, under its person: {trail}");
}

/// The first steps of a journey: logging in at the development provider as `login`, back
/// on the workbench's home page that names the person.
fn logs_in(base: &str, login: &str, name: &str) -> Vec<Value> {
    vec![
        json!({"goto": format!("{base}/login?lang=en")}),
        json!({"fill": ["input[name=login]", login]}),
        json!({"fill": ["input[name=password]", "any"]}),
        json!({"click": "button[type=submit]"}),
        json!({"expect": name}),
    ]
}

/// A worker's wage claim against agency `kvk`'s deposit, filed alone; its id.
async fn worker_claim(suite: &Suite, kvk: &str) -> String {
    let claim = json!({"name": "Ioana Popescu", "period_from": "2025-08-01", "period_to": "2025-09-30", "paid_cents": 0,
        "description": "No wages for August and September.", "language": "ro"});
    let claims = format!("{}/api/v1/agencies/{kvk}/deposit/worker-claims", suite.deposits.address);
    let filed: Value = suite.http.post(claims).json(&claim).send().await.expect("a claim").json().await.expect("json");
    filed["claim_id"].as_str().expect("claim id").to_string()
}

/// Runs tests/web/pages.mjs on `plan` (its pages, forms and journeys) in Debian's Chromium,
/// screenshots under out/screenshots: its report (`checked`, `faults`).
async fn in_chromium(mut plan: Value) -> Value {
    plan["chromium"] = json!(std::env::var("ZEGEL_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()));
    plan["screenshots"] = json!(root().join("out/screenshots"));
    let plan_file = std::env::temp_dir().join(format!("zegel-chromium-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&plan_file, plan.to_string()).expect("plan");
    let out = run("node", &["pages.mjs", plan_file.to_str().expect("path")], &web()).await;
    let _ = std::fs::remove_file(&plan_file);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("the browser run gave no report:\n{}", text(&out)))
}

/// Runs `program args` with `vars` set, in `dir`.
async fn run_with(program: &str, args: &[&str], dir: &Path, vars: &[(&str, &str)]) -> Output {
    tokio::process::Command::new(program)
        .args(args)
        .envs(vars.iter().copied())
        .current_dir(dir)
        .kill_on_drop(true)
        .output()
        .await
        .unwrap_or_else(|e| panic!("{program} could not start ({e}); run the tests through `./just test`"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Node.js and tests/web; `just test` runs it"]
async fn a_client_generated_from_the_documents_completes_the_hirer_check() {
    let suite = seeded().await;
    // Types generated from the documents as the services publish them, then the journey
    // compiled against them (strict): a document that drifts from what a client expects
    // fails here.
    std::fs::create_dir_all(web().join("generated")).expect("generated/");
    for (name, address) in [("lookup", &suite.lookup.address), ("notifier", &suite.notifier.address)] {
        let document = format!("{address}/api/v1/openapi.json");
        let target = format!("generated/{name}.ts");
        let out = run("npx", &["openapi-typescript", &document, "-o", &target], &web()).await;
        assert!(out.status.success(), "generating the {name} client:\n{}", text(&out));
    }
    let out = run("npx", &["tsc", "-p", "."], &web()).await;
    assert!(out.status.success(), "the generated client does not compile:\n{}", text(&out));

    let hirer = suite.token(Role::Hirer, Some("87654321"));
    let vars = [
        ("ZEGEL_LOOKUP", suite.lookup.address.as_str()),
        ("ZEGEL_NOTIFIER", suite.notifier.address.as_str()),
        ("ZEGEL_HIRER_TOKEN", hirer.as_str()),
        ("ZEGEL_KVK", "12345678"),
    ];
    let out = run_with("node", &["dist/hirer-check.js"], &web(), &vars).await;
    assert!(out.status.success(), "the journey failed:\n{}", text(&out));
    let seen: Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).expect("one JSON line");
    assert_eq!(
        seen,
        json!({"may_hire": true, "api_version": platform::http::API_VERSION, "verdict": "valid",
               "register": "lookup", "subscription": seen["subscription"], "subscriptions": 1}),
    );
    assert!(seen["subscription"].as_str().is_some_and(|s| s.len() == 36), "{seen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs poppler-utils and zbar-tools; `just test` runs it"]
async fn the_poster_prints_on_a4_and_a_qr_decoder_reads_the_seal_from_it() {
    let suite = Suite::start().await;
    let seal = suite.certified_building("23456789", "0363010000000001").await;
    let provider = suite.token(Role::HousingProvider, Some("23456789"));
    let r = suite
        .http
        .get(format!("{}/api/v1/buildings/0363010000000001/poster.pdf", suite.housing.address))
        .bearer_auth(&provider)
        .send()
        .await
        .expect("poster");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.expect("pdf");
    let dir = std::env::temp_dir().join(format!("zegel-poster-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("poster.pdf"), &pdf).expect("write");

    // One A4 page.
    let info = text(&run("pdfinfo", &["poster.pdf"], &dir).await);
    let field = |name: &str| info.lines().find_map(|l| l.strip_prefix(name)).map(str::trim).unwrap_or_default();
    assert_eq!((field("Pages:"), field("Page size:")), ("1", "595.276 x 841.89 pts (A4)"), "{info}");
    // Printed at 150 dpi (grey) and read back by zbar: the QR code holds the seal's link.
    let out = run("pdftoppm", &["-r", "150", "-gray", "-singlefile", "poster.pdf", "poster"], &dir).await;
    assert!(out.status.success(), "{}", text(&out));
    let decoded = text(&run("zbarimg", &["--raw", "-q", "poster.pgm"], &dir).await);
    let link = format!("{}/v/{seal}", suite.lookup.address);
    assert_eq!(decoded.lines().next(), Some(link.as_str()), "decoded: {decoded}");
    // Its modules are at least 150 mm wide: the dark pixels between the header and the
    // lines below the code span at least 886 pixels at 150 dpi.
    let pgm = std::fs::read(dir.join("poster.pgm")).expect("pgm");
    let (width, height, pixels) = grey_image(&pgm);
    let mm = |px: usize| px as f64 / 150.0 * 25.4;
    let dark_columns: Vec<usize> = (0..width)
        .filter(|x| (0..height).filter(|y| (45.0..220.0).contains(&mm(*y))).any(|y| pixels[y * width + x] < 128))
        .collect();
    let span = dark_columns.last().zip(dark_columns.first()).map(|(r, l)| r - l + 1).unwrap_or(0);
    assert!(mm(span) >= 150.0 - 0.5, "the code is {:.1} mm wide", mm(span));
    assert!(mm(span) <= 151.0, "only the code is dark there: {:.1} mm", mm(span));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A binary greyscale PGM (P5, 8 bits) as pdftoppm writes it: width, height and pixels.
fn grey_image(pgm: &[u8]) -> (usize, usize, &[u8]) {
    // The header is three whitespace-separated numbers after "P5", then one whitespace.
    let mut fields = Vec::new();
    let mut at = 2;
    while fields.len() < 3 {
        while pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while pgm[at].is_ascii_digit() {
            at += 1;
        }
        fields.push(std::str::from_utf8(&pgm[start..at]).expect("ascii").parse::<usize>().expect("a number"));
    }
    assert!(pgm.starts_with(b"P5") && fields[2] == 255, "not an 8-bit binary PGM");
    let (width, height) = (fields[0], fields[1]);
    (width, height, &pgm[at + 1..at + 1 + width * height])
}
