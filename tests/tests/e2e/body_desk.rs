//! The certification body's desk, as an auditor uses it in a browser without JavaScript:
//! the body's certificates, a provisional certificate started for an agency, the checklist
//! completed form by form, the certification, an audit with a deficiency and its
//! resolution, the seal on a poster, a suspension with a ground. Every form goes to the
//! certificates register with the auditor's own token, which the register checks as for
//! anyone; the workbench shows what the register refuses. The session is opened in the
//! workbench's store with the tokens a login would have given (the login itself, at a
//! real provider, is `login::`).

use std::collections::BTreeMap;

use platform::auth::Role;
use reqwest::header::{COOKIE, LOCATION};
use serde_json::Value;
use zegel_e2e::Suite;
use zegel_testkit::Running;
use zegel_workbench::Workbench;
use zegel_workbench::login::{Person, RegisterToken};

const KVK: &str = "61000001";
const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../services/workbench/migrations");

/// The workbench in front of the suite's registers.
pub(crate) async fn workbench_for(suite: &Suite) -> Running<Workbench> {
    workbench_with(suite, |_| {}).await
}

/// The workbench in front of the suite's registers, its settings then tuned by `tune`.
pub(crate) async fn workbench_with(
    suite: &Suite,
    tune: impl FnOnce(&mut platform::shell::Settings<zegel_workbench::config::Own>) + Send + 'static,
) -> Running<Workbench> {
    let (certificates, lookup) = (suite.certificates.address.clone(), suite.lookup.address.clone());
    let (deposits, housing) = (suite.deposits.address.clone(), suite.housing.address.clone());
    let (bans, gaccounts) = (suite.bans.address.clone(), suite.gaccounts.address.clone());
    let notifier = suite.notifier.address.clone();
    zegel_testkit::start::<Workbench>(MIGRATIONS, move |s| {
        s.own.certificates_url = certificates;
        s.own.deposits_url = deposits;
        s.own.housing_url = housing;
        s.own.lookup_url = lookup;
        s.own.bans_url = bans;
        s.own.gaccounts_url = gaccounts;
        s.own.notifier_url = notifier;
        tune(s);
    })
    .await
}

/// A session of `subject` with `roles` for `org`, holding the suite's tokens for the
/// registers it names: its cookie id and CSRF token.
pub(crate) async fn session(
    workbench: &Running<Workbench>,
    suite: &Suite,
    (subject, role, org): (&str, Role, Option<&str>),
    services: &[&str],
) -> (String, String) {
    let person = Person {
        subject: subject.into(),
        name: Some(format!("{subject} (test)")),
        roles: vec![role.as_str().to_string()],
        org: org.map(str::to_string),
        id_token: "not.used.here".into(),
        refresh_token: "not-used-here".into(),
    };
    let (id, mut session) = workbench.state.sessions.open(person).await.expect("a session");
    let expires_at = chrono::Utc::now().timestamp() as u64 + 3600;
    for service in services {
        let token = RegisterToken { access_token: suite.token(role, org), expires_at };
        session.tokens.insert((*service).to_string(), token);
    }
    workbench.state.sessions.save(&id, &session).await.expect("saved");
    (id, session.csrf)
}

/// A browser without JavaScript and with one session cookie.
pub(crate) struct Browser {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl Browser {
    pub fn new(base: &str, session: &str) -> Self {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Self { http, base: base.into(), cookie: format!("zegel_session={session}") }
    }

    /// GET `path`: status and page.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self.http.get(format!("{}{path}", self.base)).header(COOKIE, &self.cookie).send().await.expect("get");
        (r.status().as_u16(), r.text().await.expect("page"))
    }

    /// POST a form to `path`: status, where it leads, page.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, Option<String>, String) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .form(form)
            .send()
            .await
            .expect("post");
        let location = r.headers().get(LOCATION).map(|l| l.to_str().expect("location").to_string());
        (r.status().as_u16(), location, r.text().await.expect("page"))
    }
}

/// The values of `attribute="…"` that follow each `marker` in `page`, in order.
fn after(page: &str, marker: &str) -> Vec<String> {
    page.split(marker).skip(1).filter_map(|rest| rest.split('"').next().map(str::to_string)).collect()
}

/// The checklist's forms on the page: each requirement's code and the outcomes offered.
fn requirement_forms(page: &str) -> BTreeMap<String, Vec<String>> {
    page.split("name=\"code\" value=\"")
        .skip(1)
        .map(|form| {
            let code = form.split('"').next().unwrap_or_default().to_string();
            let select = form.split("</select>").next().unwrap_or_default();
            (code, after(select, "<option value=\""))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auditor_certifies_an_agency_at_the_desk() {
    let suite = Suite::start().await;
    suite.accredited_body().await;
    suite.register_agency(KVK, "Desk Flex BV", "2026-06-01").await;
    suite.clear_officers_and_active_g_account(KVK).await;
    let workbench = workbench_for(&suite).await;
    let (cookie, csrf) =
        session(&workbench, &suite, ("auditor", Role::CertificationBody, Some("cb-e2e")), &["certificates"]).await;
    let browser = Browser::new(&workbench.address, &cookie);

    let (status, page) = browser.get("/body?lang=en").await;
    assert!(status == 200 && page.contains("has issued no certificates yet"), "{status} {page}");
    // A KvK number the workbench can tell is wrong stays on the page with the sentence.
    let (status, _, page) = browser.post("/body/certificates?lang=en", &[("csrf", &csrf), ("kvk", "123")]).await;
    assert!(status == 422 && page.contains("A KvK number has 8 digits") && page.contains("value=\"123\""), "{page}");
    let (status, to, _) = browser.post("/body/certificates?lang=en", &[("csrf", &csrf), ("kvk", KVK)]).await;
    let to = to.expect("to the certificate");
    assert!(status == 303 && to.contains("done=started"), "{status} {to}");
    let at = to.split('?').next().expect("path").to_string();

    // The checklist: every requirement unmet; certification offered only once it is met.
    let (status, page) = browser.get(&format!("{at}?lang=en")).await;
    assert!(status == 200 && !page.contains("The provisional certificate was issued"), "no flash without done");
    assert!(page.contains("Not yet: requirements not met:") && page.contains("Hirers may hire"), "{page}");
    let forms = requirement_forms(&page);
    assert!(forms.len() >= 6, "{forms:?}");
    assert_eq!(
        forms["housing_certified"],
        vec!["not_applicable"],
        "a live requirement: only not applicable is the body's"
    );
    assert!(!forms.contains_key("deposit_paid"), "the deposits register decides it: {forms:?}");
    for (code, offered) in &forms {
        let outcome = if offered.iter().any(|o| o == "met") { "met" } else { "not_applicable" };
        let evidence = format!("file/{code}");
        let form = [("csrf", csrf.as_str()), ("code", code), ("outcome", outcome), ("evidence_ref", &evidence)];
        let (status, to, page) = browser.post(&format!("{at}/requirement?lang=en"), &form).await;
        assert_eq!(
            (status, to.as_deref().map(|t| t.contains("done=requirement"))),
            (303, Some(true)),
            "{code}: {page}"
        );
    }
    let (_, page) = browser.get(&format!("{at}?lang=en")).await;
    assert!(page.contains("name=\"reason\" maxlength=\"1000\"") && !page.contains("Not yet"), "{page}");
    let (status, to, _) = browser.post(&format!("{at}/certification?lang=en"), &[("csrf", &csrf)]).await;
    assert_eq!((status, to.map(|t| t.contains("done=certification"))), (303, Some(true)));
    let public = suite.http.get(format!("{}/api/v1/agencies/{KVK}/certificate", suite.certificates.address));
    let public: Value = public.send().await.expect("public").json().await.expect("json");
    assert_eq!(public["status"], "certified", "{public}");

    // An audit with a serious deficiency; its resolution.
    let (_, page) = browser.get(&format!("{at}?lang=en")).await;
    assert!(page.contains("<strong>certified</strong>"), "{page}");
    let remedy = (platform::clock::dutch_date(chrono::Utc::now()) + chrono::Days::new(30)).to_string();
    let today = platform::clock::dutch_date(chrono::Utc::now()).to_string();
    let audit = [
        ("csrf", csrf.as_str()),
        ("performed_on", today.as_str()),
        ("report_ref", "audit/2026/1"),
        ("deficiency_0", "Payslips not in the worker's language"),
        ("remedy_by_0", remedy.as_str()),
        ("serious_0", "yes"),
    ];
    let (status, _, page) = browser.post(&format!("{at}/audit?lang=en"), &audit).await;
    assert_eq!(status, 303, "{page}");
    let (_, page) = browser.get(&format!("{at}?lang=en")).await;
    assert!(page.contains("deficiencies found (audit/2026/1)") && page.contains("Payslips not in"), "{page}");
    let deficiency = after(&page, "name=\"deficiency_id\" value=\"");
    assert_eq!(deficiency.len(), 1, "one open deficiency");
    let resolve = [
        ("csrf", csrf.as_str()),
        ("deficiency_id", &deficiency[0]),
        ("resolved_on", &today),
        ("resolution_ref", "payslips/nl-pl"),
    ];
    let (status, _, _) = browser.post(&format!("{at}/resolution?lang=en"), &resolve).await;
    assert_eq!(status, 303);
    let (_, page) = browser.get(&format!("{at}?lang=en")).await;
    assert!(page.contains("resolved") && after(&page, "name=\"deficiency_id\" value=\"").is_empty(), "{page}");

    // The seal on a poster to hand over.
    let (status, _, poster) = browser.post(&format!("{at}/seal?lang=en"), &[("csrf", &csrf)]).await;
    assert!(status == 200 && poster.contains("src=\"data:image/png;base64,") && poster.contains("/v/ey"), "{poster}");

    // What the register refuses comes back on the page: a suspension without a deadline.
    let (status, _, page) =
        browser.post(&format!("{at}/suspension?lang=en"), &[("csrf", &csrf), ("reason", "wage audit")]).await;
    assert!(
        status == 422 && page.contains("The register did not save this") && page.contains("remedy_by"),
        "{status} {page}"
    );
    let switch = format!("href=\"{at}?lang=nl\"");
    assert!(page.contains(&switch), "the language switch leads to the page, not to the form's address: {page}");
    let suspend = [("csrf", csrf.as_str()), ("reason", "wage audit"), ("remedy_by", remedy.as_str())];
    let (status, _, _) = browser.post(&format!("{at}/suspension?lang=en"), &suspend).await;
    assert_eq!(status, 303);
    let (_, page) = browser.get(&format!("{at}?lang=en")).await;
    assert!(page.contains("<strong>suspended</strong>") && page.contains("Hirers may not hire"), "{page}");

    // The list shows it, with the agency's name.
    let (_, page) = browser.get("/body?lang=nl").await;
    assert!(page.contains("Desk Flex BV") && page.contains("geschorst"), "{page}");

    // The register's trail names the person who did it.
    let id = at.rsplit('/').next().expect("id");
    let trail = format!("{}/api/v1/certificates/{id}/audit-trail", suite.certificates.address);
    let trail: Value = suite
        .http
        .get(trail)
        .bearer_auth(suite.token(Role::Inspectorate, None))
        .send()
        .await
        .expect("trail")
        .json()
        .await
        .expect("json");
    let actors: Vec<&str> =
        trail["entries"].as_array().expect("entries").iter().filter_map(|e| e["actor"]["org"].as_str()).collect();
    assert!(actors.len() >= 10 && actors.iter().all(|o| *o == "cb-e2e"), "{trail}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_refuses_what_is_not_the_person_s() {
    let suite = Suite::start().await;
    suite.accredited_body().await;
    let (_, theirs) = suite.certified("61000002").await;
    let workbench = workbench_for(&suite).await;
    let (cookie, csrf) =
        session(&workbench, &suite, ("auditor", Role::CertificationBody, Some("cb-other")), &["certificates"]).await;
    let other_body = Browser::new(&workbench.address, &cookie);

    // Another body's certificate: as if there were none, and its form does nothing.
    let (status, page) = other_body.get(&format!("/body/certificates/{theirs}?lang=en")).await;
    assert!(status == 404 && !page.contains("61000002"), "{status} {page}");
    let revoke = [("csrf", csrf.as_str()), ("grounds", "other"), ("reason", "not mine")];
    let (status, _, _) = other_body.post(&format!("/body/certificates/{theirs}/revocation?lang=en"), &revoke).await;
    assert_eq!(status, 404);
    let (status, _) = other_body.get("/body/certificates/not-an-id").await;
    assert_eq!(status, 404);

    // A form without the session's CSRF token, or from another site, is refused.
    let (status, _, _) = other_body.post("/body/certificates", &[("kvk", "61000002")]).await;
    assert_eq!(status, 403);
    let (status, _, _) = other_body.post("/body/certificates", &[("csrf", "forged"), ("kvk", "61000002")]).await;
    assert_eq!(status, 403);

    // Another role has no body desk; no session is sent to log in.
    let (cookie, _) = session(&workbench, &suite, ("inspector", Role::HousingInspector, None), &[]).await;
    let (status, page) = Browser::new(&workbench.address, &cookie).get("/body?lang=en").await;
    assert!(status == 403 && page.contains("This desk is not for your role"), "{page}");
    let (status, page) = Browser::new(&workbench.address, "none").get("/body").await;
    assert_eq!(status, 303, "{page}");

    // A session past its absolute end is refused like none.
    workbench.state.clock.advance(chrono::Duration::hours(11));
    let (status, _) = other_body.get("/body?lang=en").await;
    assert_eq!(status, 303, "the session ended");
}
