//! The workbench as a browser meets it without a provider at hand: its pages, its refusals
//! and its contract (openapi/workbench.yaml). The login itself, at a real provider, is in
//! the cross-service tests (`login::`).
#![expect(clippy::unwrap_used, reason = "a panic is how a test fails, helpers included")]

use zegel_testkit::{Running, contract_violations, openapi};
use zegel_workbench::Workbench;

const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");

async fn workbench(issuer: Option<&str>) -> Running<Workbench> {
    let issuer = issuer.map(str::to_string);
    zegel_testkit::start::<Workbench>(MIGRATIONS, move |s| s.own.issuer = issuer).await
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

#[tokio::test]
async fn the_workbench_keeps_its_contract() {
    let app = workbench(None).await;
    let doc = openapi(concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/workbench.yaml"));
    let violations = contract_violations(&doc, &app.address, &[]).await;
    assert!(violations.is_empty(), "{violations:#?}");
}

#[tokio::test]
async fn the_home_page_offers_a_login_in_dutch_or_english() {
    let app = workbench(None).await;
    let http = no_redirects();
    let dutch = http.get(format!("{}/", app.address)).send().await.unwrap();
    assert_eq!(dutch.headers()["content-language"], "nl");
    assert_eq!(dutch.headers()["cache-control"], "no-store");
    let page = dutch.text().await.unwrap();
    assert!(page.contains("<html lang=\"nl\">") && page.contains(">Inloggen<"), "{page}");
    let english = http.get(format!("{}/", app.address)).header("accept-language", "en-GB,en;q=0.8").send().await;
    let page = english.unwrap().text().await.unwrap();
    assert!(page.contains("<html lang=\"en\">") && page.contains(">Log in<"), "{page}");
    let failed = http.get(format!("{}/?error=login&lang=en", app.address)).send().await.unwrap().text().await;
    assert!(failed.unwrap().contains("Logging in did not work"), "the page says a login failed");
    let statement = http.get(format!("{}/accessibility?lang=en", app.address)).send().await.unwrap();
    let statement = statement.text().await.unwrap();
    assert!(statement.contains("WCAG 2.1 level AA") && statement.contains("mailto:toegankelijkheid@"), "{statement}");
}

#[tokio::test]
async fn without_a_provider_nobody_logs_in_and_the_page_says_why() {
    let app = workbench(None).await;
    let r = no_redirects().get(format!("{}/login", app.address)).send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    // A provider that does not answer: the same, and the workbench itself stays up.
    let app = workbench(Some("http://127.0.0.1:1/zegel-dev-oidc")).await;
    let r = no_redirects().get(format!("{}/login", app.address)).send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(no_redirects().get(format!("{}/", app.address)).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_callback_without_this_browser_s_attempt_gives_no_session() {
    let app = workbench(Some("http://127.0.0.1:1/zegel-dev-oidc")).await;
    let r = no_redirects()
        .get(format!("{}/login/callback?code=stolen&state=guessed", app.address))
        .header("cookie", "zegel_login=made-up")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/?error=login");
    let cookies: Vec<_> = r.headers().get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_string()).collect();
    assert!(cookies.iter().all(|c| !c.starts_with("zegel_session=")), "{cookies:?}");
}

#[tokio::test]
async fn logging_out_needs_the_session_s_own_form() {
    let app = workbench(None).await;
    let http = no_redirects();
    // No session: nothing to end, home again.
    let r = http.post(format!("{}/logout", app.address)).form(&[("csrf", "x")]).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/"));
    // A session made for this test (the login itself is tested against a real provider).
    let person = zegel_workbench::login::Person {
        subject: "labour".into(),
        name: Some("Eva Bakker".into()),
        roles: vec!["inspectorate".into()],
        org: None,
        id_token: "h.p.s".into(),
        refresh_token: "r".into(),
    };
    let (id, session) = app.state.sessions.open(person).await.unwrap();
    let cookie = format!("zegel_session={id}");
    let forged = http.post(format!("{}/logout", app.address)).header("cookie", &cookie).form(&[("csrf", "x")]);
    assert_eq!(forged.send().await.unwrap().status(), 403, "another site's form, or a guessed token");
    let other_site = http
        .post(format!("{}/logout", app.address))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .form(&[("csrf", session.csrf.as_str())]);
    assert_eq!(other_site.send().await.unwrap().status(), 403, "the right token from another site");
    let page = http.get(format!("{}/?lang=en", app.address)).header("cookie", &cookie).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("Eva Bakker"), "still logged in");
    let own = http.post(format!("{}/logout", app.address)).header("cookie", &cookie).form(&[("csrf", &session.csrf)]);
    let r = own.send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(app.state.sessions.find(&id).await.unwrap().is_none(), "the session ended");
}
