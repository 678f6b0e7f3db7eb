//! People log in at an OpenID provider that is not ours (dev/oidc: panva's oidc-provider,
//! OpenID Certified), by the authorization code flow with PKCE, and the registers take the
//! access token the provider gives them — one per register, by resource indicator — as they
//! take the suite's own: by discovery and JWKS, the roles and organisation from its claims.
//!
//! Ignored: it needs Node.js and dev/oidc's packages, which `just test` installs with the
//! other outside tools and then runs `login::` by name.

use std::collections::HashMap;
use std::process::Stdio;

use base64::Engine;
use platform::auth::Role;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufReadExt, BufReader};
use zegel_contracts::register::Service;
use zegel_e2e::{Options, Suite};

const CLIENT: (&str, &str) = ("zegel-workbench", "zegel-workbench-dev-secret");
const CALLBACK: &str = "http://127.0.0.1:9/login/callback";

/// The development provider, on a free port, stopped when dropped.
pub(crate) struct DevProvider {
    _child: tokio::process::Child,
    pub(crate) issuer: String,
}

impl DevProvider {
    async fn start() -> Self {
        Self::start_for(0, CALLBACK).await
    }

    /// The provider on `port` (0: a free one), sending people back to `callback`.
    pub(crate) async fn start_for(port: u16, callback: &str) -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../dev/oidc/provider.mjs");
        let mut child = tokio::process::Command::new("node")
            .arg(script)
            .env("ZEGEL_OIDC_PORT", port.to_string())
            .env("ZEGEL_OIDC_REDIRECT_URIS", callback)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node dev/oidc/provider.mjs (run `just outside-tools` first)");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let first = tokio::time::timeout(std::time::Duration::from_secs(20), lines.next_line())
            .await
            .expect("the provider starts")
            .expect("its stdout")
            .expect("a line");
        let issuer = first.strip_prefix("issuer ").expect("`issuer <url>`").to_string();
        // What it says later goes to this test's output, so that it never writes into a
        // closed pipe.
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                eprintln!("oidc: {line}");
            }
        });
        Self { _child: child, issuer }
    }
}

/// A browser without JavaScript: it follows redirects itself and keeps the cookies.
struct Browser {
    http: reqwest::Client,
    cookies: HashMap<String, String>,
}

impl Browser {
    fn new() -> Self {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Self { http, cookies: HashMap::new() }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> (u16, Option<String>, String) {
        let jar: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let r = request.header(COOKIE, jar.join("; ")).send().await.expect("request");
        for set in r.headers().get_all(SET_COOKIE) {
            let pair = set.to_str().expect("cookie").split(';').next().unwrap_or_default();
            match pair.split_once('=') {
                Some((name, "")) => {
                    self.cookies.remove(name);
                }
                Some((name, value)) => {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
                None => {}
            }
        }
        let location = r.headers().get(LOCATION).map(|l| l.to_str().expect("location").to_string());
        (r.status().as_u16(), location, r.text().await.unwrap_or_default())
    }

    /// Follows redirects from `url` until one leaves for the callback; that URL. A page on
    /// the way is the provider's login form, filled in as `login`.
    async fn log_in(&mut self, url: String, login: &str) -> String {
        self.log_in_back_to(url, login, CALLBACK).await
    }

    /// Like [`Browser::log_in`], back to `callback`.
    async fn log_in_back_to(&mut self, url: String, login: &str, callback: &str) -> String {
        let mut at = url;
        for _ in 0..10 {
            if at.starts_with(callback) {
                return at;
            }
            let (status, location, page) = self.send(self.http.get(&at)).await;
            let next = match (status, location) {
                (303 | 302, Some(location)) => location,
                (200, _) => {
                    let action = page.split("action=\"").nth(1).and_then(|a| a.split('"').next()).expect("a form");
                    let form = [("prompt", "login"), ("login", login), ("password", "any")];
                    let (_, location, _) = self.send(self.http.post(join(&at, action)).form(&form)).await;
                    location.expect("the login form redirects")
                }
                (status, _) => panic!("{at}: {status} {page}"),
            };
            at = join(&at, &next);
        }
        panic!("no way back to the callback")
    }
}

fn join(base: &str, relative: &str) -> String {
    reqwest::Url::parse(base).and_then(|b| b.join(relative)).expect("url").to_string()
}

/// What a login gives: an access token for one register, and the refresh token that
/// gets one for any other.
struct Login {
    access: String,
    refresh: String,
}

async fn log_in_as(provider: &DevProvider, login: &str, resource: &str) -> Login {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let verifier = b64.encode(uuid::Uuid::new_v4().as_bytes()) + &b64.encode(uuid::Uuid::new_v4().as_bytes());
    let challenge = b64.encode(Sha256::digest(verifier.as_bytes()));
    let mut browser = Browser::new();
    let mut authorize = reqwest::Url::parse(&format!("{}/auth", provider.issuer)).expect("url");
    authorize
        .query_pairs_mut()
        .append_pair("client_id", CLIENT.0)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid profile zegel offline_access")
        .append_pair("redirect_uri", CALLBACK)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("state", "st")
        .append_pair("resource", "urn:zegel:certificates")
        .append_pair("resource", "urn:zegel:housing");
    let back = reqwest::Url::parse(&browser.log_in(authorize.to_string(), login).await).expect("callback");
    let query: HashMap<_, _> = back.query_pairs().into_owned().collect();
    assert_eq!(query.get("state").map(String::as_str), Some("st"));
    assert_eq!(query.get("iss"), Some(&provider.issuer), "RFC 9207: the provider names itself");
    let code = &query["code"];
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", &verifier),
        ("resource", resource),
    ];
    let tokens = token_request(provider, &form).await;
    Login {
        access: tokens["access_token"].as_str().expect("access token").into(),
        refresh: tokens["refresh_token"].as_str().expect("refresh token").into(),
    }
}

async fn token_request(provider: &DevProvider, form: &[(&str, &str)]) -> Value {
    let r = reqwest::Client::new()
        .post(format!("{}/token", provider.issuer))
        .basic_auth(CLIENT.0, Some(CLIENT.1))
        .form(form)
        .send()
        .await
        .expect("token endpoint");
    let status = r.status();
    let body: Value = r.json().await.expect("json");
    assert!(status.is_success(), "{status} {body}");
    body
}

async fn for_register(provider: &DevProvider, login: &Login, resource: &str) -> String {
    let form = [("grant_type", "refresh_token"), ("refresh_token", &login.refresh), ("resource", resource)];
    token_request(provider, &form).await["access_token"].as_str().expect("access token").into()
}

#[tokio::test]
#[ignore = "needs Node.js and dev/oidc's packages: `just test` runs it by name"]
async fn a_person_logs_in_at_the_provider_and_the_registers_take_their_own_token() {
    let provider = DevProvider::start().await;
    let suite = Suite::start_with(Options { oidc_issuers: Some(provider.issuer.clone()), ..Options::default() }).await;
    let certificates = suite.certificates.address.clone();
    let kvk = "30000001";
    suite.accredited_body().await;
    let admin = suite.token(Role::Admin, None);
    let body = json!({"name": "CertiNed (development)", "accredited": true});
    suite.call(reqwest::Method::PUT, format!("{certificates}/api/v1/certification-bodies/cb-dev"), &admin, body).await;
    suite.register_agency(kvk, "Flexwerk Noord BV", "2026-06-01").await;
    suite.passes_entry_test(kvk).await;

    // The auditor of body cb-dev logs in and issues the starter's certificate with the
    // token the provider gave them for the certificates register.
    let auditor = log_in_as(&provider, "auditor", "urn:zegel:certificates").await;
    let issue = format!("{certificates}/api/v1/agencies/{kvk}/certificates");
    let r = suite.http.post(&issue).bearer_auth(&auditor.access).json(&json!({})).send().await.expect("issue");
    assert_eq!(r.status(), 201);
    let cert: Value = r.json().await.expect("json");
    assert_eq!(cert["certification_body_id"], "cb-dev", "the organisation came from the token's claim");

    // The register keeps who did it: the person at the provider, for their body.
    let trail =
        format!("{certificates}/api/v1/certificates/{}/audit-trail", cert["certificate_id"].as_str().expect("id"));
    let trail = suite.http.get(trail).bearer_auth(suite.token(Role::Inspectorate, None)).send().await.expect("trail");
    let trail: Value = trail.json().await.expect("json");
    let issued = &trail["entries"][0]["actor"];
    assert_eq!((issued["subject"].as_str(), issued["org"].as_str()), (Some("auditor"), Some("cb-dev")), "{trail}");

    // A token is for the register it names: the housing one is refused by certificates,
    // and a housing inspector is no certification body anywhere.
    let housing_token = for_register(&provider, &auditor, "urn:zegel:housing").await;
    let r = suite.http.post(&issue).bearer_auth(&housing_token).json(&json!({})).send().await.expect("issue");
    assert_eq!(r.status(), 401, "a token for the housing register");
    let inspector = log_in_as(&provider, "inspector", "urn:zegel:certificates").await;
    let r = suite.http.post(&issue).bearer_auth(&inspector.access).json(&json!({})).send().await.expect("issue");
    assert_eq!(r.status(), 403, "an inspector's own token, for the right register");
    let complaints = format!("{}/api/v1/buildings/0983010000004711/complaints", suite.housing.address);
    let inspector_housing = for_register(&provider, &inspector, "urn:zegel:housing").await;
    let r = suite.http.get(complaints).bearer_auth(&inspector_housing).send().await.expect("complaints");
    assert_eq!(r.status(), 200, "the inspector reads complaints with the housing token");

    // The registers found the provider's keys by its discovery document, under a name
    // that a service in production refuses.
    let discovery = reqwest::Client::new().get(format!("{}/.well-known/openid-configuration", provider.issuer));
    let discovery: Value = discovery.send().await.expect("discovery").json().await.expect("json");
    assert_eq!(discovery["issuer"], provider.issuer.as_str());
    assert!(provider.issuer.ends_with(platform::config::DEV_OIDC_PATH), "production refuses it by this name");
}

/// The workbench's side of the same flow: it sends the browser to the provider, takes the
/// code back only with its own attempt, verifies the ID token, gets the person's token for
/// any register, and logs out at the provider too.
#[tokio::test]
#[ignore = "needs Node.js and dev/oidc's packages: `just test` runs it by name"]
async fn the_workbench_logs_a_person_in_and_out_at_the_provider() {
    use zegel_workbench::login::{ClientSettings, LoginError, Provider};
    let provider = DevProvider::start().await;
    let settings = ClientSettings {
        issuer: provider.issuer.clone(),
        client_id: CLIENT.0.into(),
        client_secret: CLIENT.1.into(),
        redirect_url: CALLBACK.into(),
        after_logout_url: "http://127.0.0.1:9/".into(),
        services: vec![Service::Certificates, Service::Housing],
    };
    let workbench = Provider::discover(&settings).await.expect("discovery");
    let (url, attempt) = workbench.start();
    let mut browser = Browser::new();
    let back = reqwest::Url::parse(&browser.log_in(url, "auditor").await).expect("callback");
    let query: HashMap<_, _> = back.query_pairs().into_owned().collect();

    // Another attempt's state is refused before the code is spent.
    let (_, other) = workbench.start();
    let refused = workbench.finish(&other, &query["state"], &query["code"]).await;
    assert!(matches!(refused, Err(LoginError::Mismatch)), "{refused:?}");
    let person = workbench.finish(&attempt, &query["state"], &query["code"]).await.expect("login");
    assert_eq!(
        (person.subject.as_str(), person.roles.as_slice(), person.org.as_deref(), person.name.as_deref()),
        ("auditor", &["certification_body".to_string()][..], Some("cb-dev"), Some("Anna de Vries"))
    );

    // A token for each register, for the register it names.
    let (token, _) = workbench.token_for(&person.refresh_token, Service::Housing).await.expect("token");
    let payload = token.access_token.split('.').nth(1).expect("a JWT");
    let claims: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("base64"))
            .expect("json");
    assert_eq!((claims["aud"].as_str(), claims["sub"].as_str()), (Some("zegel-housing"), Some("auditor")));

    // A code is spent once; replaying it (a stolen code) revokes what it gave.
    let again = workbench.finish(&attempt, &query["state"], &query["code"]).await;
    assert!(matches!(again, Err(LoginError::Refused(_))), "{again:?}");
    let revoked = workbench.token_for(&person.refresh_token, Service::Housing).await;
    assert!(matches!(revoked, Err(LoginError::Refused(_))), "{revoked:?}");

    // Logging out ends the session at the provider: the next login asks again.
    let logout = workbench.logout_url(&person);
    let (status, _, page) = browser.send(browser.http.get(&logout)).await;
    assert_eq!(status, 200, "the provider asks to confirm: {page}");
    let action = page.split("action=\"").nth(1).and_then(|a| a.split('"').next()).expect("a form");
    let xsrf = page.split("name=\"xsrf\" value=\"").nth(1).and_then(|a| a.split('"').next()).expect("xsrf");
    let form = [("xsrf", xsrf), ("logout", "yes")];
    let (status, location, _) = browser.send(browser.http.post(join(&logout, action)).form(&form)).await;
    assert_eq!((status, location.as_deref()), (303, Some("http://127.0.0.1:9/")), "back to the workbench");
    let (url, _) = workbench.start();
    let (status, location, _) = browser.send(browser.http.get(&url)).await;
    let interaction = join(&url, &location.expect("to the login"));
    assert_eq!(status, 303);
    let (status, _, page) = browser.send(browser.http.get(&interaction)).await;
    assert!(status == 200 && page.contains("name=\"login\""), "the login form again: {page}");
}

/// The whole way as a person takes it: the workbench's home page, its login through the
/// provider, a session that knows them, a logout form that needs the session's CSRF token,
/// and the way out through the provider; the workbench's audit trail keeps both.
#[tokio::test]
#[ignore = "needs Node.js and dev/oidc's packages: `just test` runs it by name"]
async fn a_person_logs_in_to_the_workbench_and_out_again() {
    // Each must know the other's address before it starts: the workbench the provider's
    // (it discovers it at the first login), the provider the workbench's callback.
    let free = || std::net::TcpListener::bind("127.0.0.1:0").expect("a port").local_addr().expect("addr").port();
    let (provider_port, port) = (free(), free());
    let issuer = format!("http://127.0.0.1:{provider_port}/zegel-dev-oidc");
    let base = format!("http://127.0.0.1:{port}");
    let provider = DevProvider::start_for(provider_port, &format!("{base}/login/callback")).await;
    assert_eq!(provider.issuer, issuer);
    let migrations = concat!(env!("CARGO_MANIFEST_DIR"), "/../services/workbench/migrations");
    let public_url = base.clone();
    let workbench = zegel_testkit::start_at::<zegel_workbench::Workbench>(migrations, port, move |s| {
        s.own.issuer = Some(issuer);
        s.own.public_url = public_url;
    })
    .await;
    let mut browser = Browser::new();
    let (status, _, page) = browser.send(browser.http.get(format!("{base}/"))).await;
    assert!(status == 200 && page.contains("href=\"/login?lang=nl\"") && page.contains("lang=\"nl\""), "{page}");

    let (status, to_provider, _) = browser.send(browser.http.get(format!("{base}/login"))).await;
    let to_provider = to_provider.expect("to the provider");
    assert!(status == 303 && to_provider.starts_with(&provider.issuer), "{to_provider}");
    let callback = format!("{base}/login/callback");
    let back = browser.log_in_back_to(to_provider, "labour", &callback).await;

    // Another browser with the same code and state gets no session.
    let mut stranger = Browser::new();
    let (status, location, _) = stranger.send(stranger.http.get(&back)).await;
    assert_eq!((status, location.as_deref()), (303, Some("/?error=login")));
    let (status, location, _) = browser.send(browser.http.get(&back)).await;
    assert_eq!((status, location.as_deref()), (303, Some("/")));
    assert!(browser.cookies.contains_key("zegel_session") && !browser.cookies.contains_key("zegel_login"));
    let (_, _, page) = browser.send(browser.http.get(format!("{base}/?lang=en"))).await;
    assert!(page.contains("Eva Bakker") && page.contains("inspectorate") && page.contains("Log out"), "{page}");
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).and_then(|v| v.split('"').next()).expect("csrf");

    // The logout form works only with the session's own token.
    let logout = format!("{base}/logout");
    let (status, _, _) = browser.send(browser.http.post(&logout).form(&[("csrf", "forged")])).await;
    assert_eq!(status, 403, "a form without the session's token");
    let (status, to_end, _) = browser.send(browser.http.post(&logout).form(&[("csrf", csrf)])).await;
    let to_end = to_end.expect("to the provider");
    assert!(status == 303 && to_end.starts_with(&format!("{}/session/end", provider.issuer)), "{to_end}");
    assert!(to_end.contains("id_token_hint="), "the provider is told whose session ends: {to_end}");
    let (_, _, page) = browser.send(browser.http.get(format!("{base}/"))).await;
    assert!(page.contains("href=\"/login?lang=nl\""), "logged out: {page}");

    let client = workbench.state.core.pool.get().await.expect("db");
    let rows = client.query("select action, subject from audit_log order by audit_log_id", &[]).await.expect("audit");
    let trail: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let expected = [("session.login", "labour"), ("session.logout", "labour")];
    assert_eq!(trail, expected.map(|(a, s)| (a.to_string(), s.to_string())));
}
