//! The whole suite under test: the registers and the lookup on random ports against one
//! fresh database, with their own Redis key prefix and ephemeral keys. Used by the
//! cross-service tests in `tests/` and by the benchmark.

use std::time::Duration;

use platform::auth::Role;
use platform::server::Shutdown;
use platform::shell::Service;
use platform::shell::Settings;
use serde_json::{Value, json};
use zegel_attest::Register;
use zegel_testkit::{self as testing, TestDb, TestPrefix, pki};

pub mod cpu;

pub const MIGRATIONS: [&str; 8] = [
    concat!(env!("CARGO_MANIFEST_DIR"), "/../services/housing/migrations"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/../services/notifier/migrations"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/../services/deposits/migrations"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/../services/bans/migrations"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/../services/gaccounts/migrations"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/../services/platform/migrations"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/../services/certificates/migrations"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/../services/lookup/migrations"),
];

#[derive(Debug, Clone)]
pub struct Addresses {
    pub certificates: String,
    pub lookup: String,
    pub gaccounts: String,
    pub bans: String,
    pub deposits: String,
    pub housing: String,
    pub notifier: String,
}

/// The calls tests and programs make against a running suite, wherever it runs: in this
/// process ([`Suite`], which dereferences to one) or as the service binaries (the soak).
pub struct Client {
    pub http: reqwest::Client,
    pub at: Addresses,
    issuer: std::sync::Arc<zegel_testkit::DevIssuer>,
}

impl Addresses {
    /// Each service's address, as `of` gives it by the service's name.
    pub fn of(of: impl Fn(&str) -> String) -> Self {
        Self {
            certificates: of("certificates"),
            lookup: of("lookup"),
            gaccounts: of("gaccounts"),
            bans: of("bans"),
            deposits: of("deposits"),
            housing: of("housing"),
            notifier: of("notifier"),
        }
    }
}

impl Client {
    /// Calls against the services at `at`, with tokens signed by `issuer` (which the
    /// services must trust).
    pub fn new(at: Addresses, issuer: std::sync::Arc<zegel_testkit::DevIssuer>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .pool_max_idle_per_host(256)
            .build()
            .expect("client");
        Self { http, at, issuer }
    }

    /// A token for `role` acting for `org`.
    pub fn token(&self, role: Role, org: Option<&str>) -> String {
        self.issuer.token(&format!("e2e-{role}"), &[role], org, 3600).expect("token")
    }

    pub async fn call(&self, method: reqwest::Method, url: String, token: &str, body: Value) -> Value {
        let r = self.http.request(method, url.clone()).bearer_auth(token).json(&body).send().await.expect("request");
        let status = r.status();
        let value: Value = r.json().await.unwrap_or_default();
        assert!(status.is_success(), "{url}: {status} {value}");
        value
    }

    /// The inspectorate bans Bob Bakker (BSN [`owner_bsn`], the owner the helpers here
    /// register for `kvk`) from owning an agency; returns the ban.
    pub async fn ban_the_owner(&self, kvk: &str) -> Value {
        let body = json!({"bsn": owner_bsn(kvk), "basis": "administrative", "roles_covered": ["owner"],
                          "starts_on": "2026-01-01", "reason": "underpayment"});
        self.bans_call(reqwest::Method::POST, "/api/v1/bans", &self.token(Role::Inspectorate, None), body).await
    }

    /// GETs `url` anonymously and reads its JSON, whatever the status.
    pub async fn get_json(&self, url: String) -> Value {
        self.http.get(url).send().await.expect("get").json().await.expect("json")
    }

    /// Sends `body` to `url` as `token` (none: anonymous) with a fresh Idempotency-Key;
    /// the status and the answer, whatever they are.
    pub async fn send(&self, method: reqwest::Method, url: String, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut request = self.http.request(method, url).header("idempotency-key", uuid::Uuid::new_v4().to_string());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let r = request.json(&body).send().await.expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or_default())
    }

    pub async fn bans_call(&self, method: reqwest::Method, path: &str, token: &str, body: Value) -> Value {
        self.call(method, format!("{}{path}", self.at.bans), token, body).await
    }

    /// Waits until the public status of `kvk`'s certificate is `status` (events travel
    /// between registers asynchronously); returns the last status seen.
    pub async fn wait_for_certificate_status(&self, kvk: &str, status: &str) -> String {
        let mut last = String::new();
        for _ in 0..200 {
            let r = self
                .http
                .get(format!("{}/api/v1/agencies/{kvk}/certificate", self.at.certificates))
                .send()
                .await
                .expect("get");
            let v: Value = r.json().await.unwrap_or_default();
            last = v["status"].as_str().unwrap_or_default().to_string();
            if last == status {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        last
    }

    pub async fn gaccounts_call(&self, method: reqwest::Method, path: &str, token: &str, body: Value) -> Value {
        self.call(method, format!("{}{path}", self.at.gaccounts), token, body).await
    }

    /// The tax authority moves `kvk`'s G-account: `step` is `verification`, `blocking`,
    /// `unblocking` or `closure`.
    pub async fn g_account_step(&self, kvk: &str, step: &str, reason: &str) -> Value {
        let tax = self.token(Role::Tax, None);
        let path = format!("/api/v1/agencies/{kvk}/g-account/{step}");
        self.gaccounts_call(reqwest::Method::POST, &path, &tax, json!({ "reason": reason })).await
    }

    pub async fn certs_post(&self, path: &str, token: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, format!("{}{path}", self.at.certificates), token, body).await
    }

    /// A certified agency `kvk` (body `cb-e2e`); returns the body's token and the certificate id.
    pub async fn certified(&self, kvk: &str) -> (String, String) {
        let (body, id) = self.ready_for_certification(kvk).await;
        self.certs_post(&format!("/api/v1/certificates/{id}/certification"), &body, json!({})).await;
        (body, id)
    }

    /// An agency `kvk` whose certificate (body `cb-e2e`) meets every requirement and waits
    /// for the body to certify it; returns the body's token and the certificate id.
    pub async fn ready_for_certification(&self, kvk: &str) -> (String, String) {
        self.registered(kvk, "E2E Flex", "2020-01-01").await;
        self.ready_once_registered(kvk).await
    }

    /// Like [`Client::ready_for_certification`], for an agency already registered (a Dutch
    /// one, or one seated abroad); the body `cb-e2e` must exist.
    pub async fn ready_once_registered(&self, kvk: &str) -> (String, String) {
        let body = self.token(Role::CertificationBody, Some("cb-e2e"));
        self.clear_officers_and_active_g_account(kvk).await;
        let cert = self.certs_post(&format!("/api/v1/agencies/{kvk}/certificates"), &body, json!({})).await;
        let id = cert["certificate_id"].as_str().expect("id").to_string();
        for code in zegel_certificates::domain::RequirementCode::ALL.iter().copied() {
            // The agency houses no one (yet): its buildings, if any, are checked live.
            let outcome = if code == zegel_certificates::domain::RequirementCode::HousingCertified {
                "not_applicable"
            } else {
                "met"
            };
            self.call(
                reqwest::Method::PUT,
                format!("{}/api/v1/certificates/{id}/requirements/{}", self.at.certificates, code.as_str()),
                &body,
                json!({"outcome": outcome, "evidence_ref": "e2e"}),
            )
            .await;
        }
        (body, id)
    }

    /// The accredited body `cb-e2e` and the agency `kvk` registered by KvK; returns the
    /// body's token.
    async fn registered(&self, kvk: &str, name: &str, established_on: &str) -> String {
        self.accredited_body().await;
        self.register_agency(kvk, name, established_on).await;
        self.token(Role::CertificationBody, Some("cb-e2e"))
    }

    /// The KvK registers the staffing agency `kvk` (seated in the Netherlands, SBI 7820).
    pub async fn register_agency(&self, kvk: &str, name: &str, established_on: &str) -> Value {
        self.certs_post(
            "/api/v1/agencies",
            &self.token(Role::Kvk, None),
            json!({"kvk_number": kvk, "name": name, "seat_country": "NL", "sbi_codes": ["7820"], "established_on": established_on}),
        )
        .await
    }

    /// The accredited certification body `cb-e2e`; returns its token.
    pub async fn accredited_body(&self) -> String {
        let admin = self.token(Role::Admin, None);
        self.call(
            reqwest::Method::PUT,
            format!("{}/api/v1/certification-bodies/cb-e2e", self.at.certificates),
            &admin,
            json!({"name": "E2E body", "accredited": true}),
        )
        .await;
        self.token(Role::CertificationBody, Some("cb-e2e"))
    }

    /// A starter `kvk` with a provisional certificate from body `cb-e2e` and nothing else;
    /// returns the body's token.
    pub async fn provisional(&self, kvk: &str) -> String {
        let body = self.registered(kvk, "Starter Flex", "2026-06-01").await;
        self.passes_entry_test(kvk).await;
        let cert = self.certs_post(&format!("/api/v1/agencies/{kvk}/certificates"), &body, json!({})).await;
        assert_eq!(cert["status"], "provisional", "{cert}");
        body
    }

    /// Pays `cents` into `kvk`'s deposit (admission authority, with an idempotency key).
    pub async fn deposit_pay(&self, kvk: &str, cents: i64) -> Value {
        let url = format!("{}/api/v1/agencies/{kvk}/deposit/payments", self.at.deposits);
        let token = self.token(Role::AdmissionAuthority, None);
        let body = json!({"amount_cents": cents, "reference": "e2e transfer"});
        let r = self
            .http
            .post(url)
            .bearer_auth(token)
            .header("idempotency-key", uuid::Uuid::new_v4().to_string())
            .json(&body)
            .send()
            .await
            .expect("pay");
        assert!(r.status().is_success(), "{}", r.status());
        r.json().await.expect("json")
    }

    /// The certification body `token` revokes certificate `id` on `grounds`.
    pub async fn revoke(&self, id: &str, token: &str, reason: &str, grounds: &str) -> Value {
        self.certs_post(
            &format!("/api/v1/certificates/{id}/revocation"),
            token,
            json!({"reason": reason, "grounds": grounds}),
        )
        .await
    }

    /// The inspectorate files a claim on `kvk`'s deposit (with an idempotency key).
    pub async fn file_claim(&self, kvk: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}/api/v1/agencies/{kvk}/deposit/claims", self.at.deposits))
            .bearer_auth(self.token(Role::Inspectorate, None))
            .header("idempotency-key", uuid::Uuid::new_v4().to_string())
            .json(&body)
            .send()
            .await
            .expect("claim");
        assert_eq!(r.status(), 201, "claim filed");
        r.json().await.expect("json")
    }

    /// `kvk`'s deposit ledger held against its invariants: no claim paid twice, never
    /// overdrawn at any point, the balance the sum of its entries. Returns the payouts it
    /// holds and the violations found (`None`: the ledger could not be read).
    pub async fn ledger_violations(&self, kvk: &str) -> Option<(usize, usize)> {
        let ledger: Value = self
            .http
            .get(format!("{}/api/v1/agencies/{kvk}/deposit/ledger", self.at.deposits))
            .bearer_auth(self.token(Role::AdmissionAuthority, None))
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        let (mut money_in, mut money_out, mut payouts) = (0i64, 0i64, 0usize);
        let mut paid = std::collections::HashSet::new();
        let mut violations = 0usize;
        for e in ledger["entries"].as_array()? {
            let amount = e["amount_cents"].as_i64().unwrap_or(0);
            if e["kind"] == "payout" {
                money_out += amount;
                payouts += 1;
                if !paid.insert(e["claim_id"].as_str().unwrap_or_default().to_string()) {
                    violations += 1; // a claim paid twice
                }
            } else {
                money_in += amount;
            }
            if money_out > money_in {
                violations += 1; // overdrawn at some point of the ledger
            }
        }
        if ledger["standing"]["balance_cents"].as_i64() != Some(money_in - money_out) {
            violations += 1;
        }
        Some((payouts, violations))
    }

    /// A request to the deposits register (no idempotency key).
    pub async fn deposits_call(&self, method: reqwest::Method, path: &str, token: &str, body: Value) -> Value {
        self.call(method, format!("{}{path}", self.at.deposits), token, body).await
    }

    /// What the starter's entry test asks for: officers registered by KvK (none banned),
    /// the deposit's starter part paid (EUR 50,000) and a G-account requested.
    pub async fn passes_entry_test(&self, kvk: &str) {
        self.deposit_pay(kvk, 5_000_000).await;
        let officers = json!({"officers": [{"bsn": owner_bsn(kvk), "name": "Bob Bakker", "date_of_birth": "1980-05-06", "role": "owner", "from": "2020-01-01"}]});
        self.bans_call(
            reqwest::Method::PUT,
            &format!("/api/v1/agencies/{kvk}/officers"),
            &self.token(Role::Kvk, None),
            officers,
        )
        .await;
        // An account number of its own per agency: the last 7 digits of its number.
        let digits: String = kvk.chars().filter(char::is_ascii_digit).collect();
        let iban =
            zegel_gaccounts::domain::Iban::dutch("INGB", &format!("099{}", &digits[digits.len().saturating_sub(7)..]));
        let agency = self.token(Role::Agency, Some(kvk));
        let g = format!("/api/v1/agencies/{kvk}/g-account");
        self.gaccounts_call(reqwest::Method::PUT, &g, &agency, json!({"iban": iban, "bank": "ING"})).await;
    }

    /// What the live checks at certification ask for: the entry test's parts, the G-account
    /// verified (active), and the agency's declaration in the housing register that it
    /// houses no one (yet).
    pub async fn clear_officers_and_active_g_account(&self, kvk: &str) {
        self.passes_entry_test(kvk).await;
        let (status, body) = self
            .housing_call(
                reqwest::Method::PUT,
                &format!("/api/v1/agencies/{kvk}/housing-declaration"),
                &self.token(Role::Agency, Some(kvk)),
                json!({"houses_no_one": true}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let g = format!("/api/v1/agencies/{kvk}/g-account");
        self.gaccounts_call(
            reqwest::Method::POST,
            &format!("{g}/verification"),
            &self.token(Role::Tax, None),
            json!({}),
        )
        .await;
    }

    /// A seal for `kvk`'s certificate; returns the issue response.
    pub async fn seal(&self, kvk: &str, token: &str) -> Value {
        self.certs_post(&format!("/api/v1/agencies/{kvk}/certificate/seal"), token, json!({})).await
    }

    /// The lookup's verdict on `seal`.
    pub async fn verify(&self, seal: &str) -> Value {
        let r = self.http.get(format!("{}/api/v1/verify/{seal}", self.at.lookup)).send().await.expect("verify");
        assert_eq!(r.status(), 200);
        r.json().await.expect("json")
    }

    /// A request to the housing register: (status, body).
    pub async fn housing_call(&self, method: reqwest::Method, path: &str, token: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .request(method, format!("{}{path}", self.at.housing))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("housing");
        (r.status().as_u16(), r.json().await.unwrap_or_default())
    }

    /// A building of `provider` with two 6 m² bedrooms and 35 m² (capacity 2), inspected
    /// without deficiencies: certified. Returns its seal.
    pub async fn certified_building(&self, provider: &str, bag_id: &str) -> String {
        let token = self.token(Role::HousingProvider, Some(provider));
        let building = json!({"bag_id": bag_id, "street": "Kerkstraat", "number": 7, "postcode": "5911 BC", "place": "Venlo", "building_type": "group_housing"});
        let (status, body) = self.housing_call(reqwest::Method::POST, "/api/v1/buildings", &token, building).await;
        assert_eq!(status, 201, "{body}");
        let rooms = json!({"bedrooms": [6, 6], "living_area": 35});
        let (status, _) =
            self.housing_call(reqwest::Method::PUT, &format!("/api/v1/buildings/{bag_id}/rooms"), &token, rooms).await;
        assert_eq!(status, 200);
        let inspector = self.token(Role::HousingInspector, None);
        let inspection = json!({"kind": "announced", "findings": "All rooms as reported.",
            "measured": {"bedrooms": [6, 6], "living_area": 35}});
        let path = format!("/api/v1/buildings/{bag_id}/inspections");
        let (status, body) = self.housing_call(reqwest::Method::POST, &path, &inspector, inspection).await;
        assert_eq!((status, body["mark"]["status"].as_str()), (201, Some("certified")), "{body}");
        let (status, body) = self
            .housing_call(reqwest::Method::POST, &format!("/api/v1/buildings/{bag_id}/seal"), &token, json!({}))
            .await;
        assert_eq!(status, 201, "{body}");
        body["seal"].as_str().expect("seal").to_string()
    }

    /// Agency `kvk` records that it houses workers in `bag_id` from today; returns the
    /// answer. The agency must be held by a certification body, which the housing register
    /// learns from the certificates register's stream a moment later: a refusal for that is
    /// tried again for a few seconds.
    pub async fn place(&self, kvk: &str, bag_id: &str) -> Value {
        let agency = self.token(Role::Agency, Some(kvk));
        let today = platform::clock::dutch_date(chrono::Utc::now()).to_string();
        let placement = json!({"bag_id": bag_id, "from": today, "rent_withheld": false});
        let path = format!("/api/v1/agencies/{kvk}/placements");
        let mut placed = self.housing_call(reqwest::Method::POST, &path, &agency, placement.clone()).await;
        for _ in 0..100 {
            if placed.0 != 422 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            placed = self.housing_call(reqwest::Method::POST, &path, &agency, placement.clone()).await;
        }
        assert_eq!(placed.0, 201, "{}", placed.1);
        placed.1
    }

    /// The verdict page for `url` (the QR code's URL, pointed at the running lookup).
    pub async fn page(&self, seal: &str, lang: &str) -> String {
        self.lookup_page(&format!("/v/{seal}?lang={lang}")).await
    }

    /// The lookup's page at `path_and_query` (a hirer check, a receipt, a form), as HTML.
    pub async fn lookup_page(&self, path_and_query: &str) -> String {
        let r = self.http.get(format!("{}{path_and_query}", self.at.lookup)).send().await.expect("page");
        r.text().await.expect("html")
    }
}

/// Calls against services started from this repository's development keys (`just up`,
/// the soak): tokens signed with `certs/dev/token-signing-key.pem` (`just certs`).
pub fn dev_client(at: Addresses) -> anyhow::Result<Client> {
    let key = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../certs/dev/token-signing-key.pem"))
        .map_err(|e| anyhow::anyhow!("the development token key ({e}): run ./just certs"))?;
    Ok(Client::new(at, std::sync::Arc::new(zegel_testkit::DevIssuer::from_pkcs8_pem(&key, "zegel-dev")?)))
}

/// The owner KvK registers for agency `kvk` in these tests: a person of its own, so that one
/// agency's revocation never links another through the phoenix radar unless a test says so.
pub fn owner_bsn(kvk: &str) -> String {
    let digits: String = kvk.chars().filter(char::is_ascii_digit).collect();
    let n: u32 = digits[digits.len().saturating_sub(8)..].parse().unwrap_or(0);
    valid_bsn(100_000_000 + n % 800_000_000)
}

/// The first BSN from `start` on that the bans register accepts (11-proof).
pub fn valid_bsn(start: u32) -> String {
    (start..start + 100)
        .map(|n| format!("{n:09}"))
        .find(|b| zegel_bans::domain::Bsn::parse(b, "/bsn").is_ok())
        .expect("one in eleven numbers passes")
}

pub struct Running<S> {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    pub state: S,
    shutdown: Shutdown,
}

impl<S> Running<S> {
    /// Stops it (finishing requests in flight).
    pub fn stop(&self) {
        self.shutdown.trigger();
    }
}

impl std::ops::Deref for Suite {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

impl<S> Drop for Running<S> {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

#[derive(Default, Clone)]
pub struct Options {
    /// Redis URL to give the services (a proxy, to cut it).
    pub redis_url: Option<String>,
    pub rate_per_minute: Option<u32>,
    pub pool_size: Option<usize>,
    /// Worker threads per service runtime (default 1).
    pub threads: Option<usize>,
    /// The lookup's status readers per register (fewer readers, bigger batches).
    pub status_readers: Option<u64>,
    /// The lookup's scans per status statement at most.
    pub status_batch: Option<u64>,
    /// Seconds between the lookup's status list publications.
    pub status_list_secs: Option<u64>,
    /// OpenID providers whose access tokens the services accept (`ZEGEL_OIDC_ISSUERS`).
    pub oidc_issuers: Option<String>,
    /// The administrator URL of the server to make the suite's database on (a private
    /// primary: [`zegel_testkit::Streaming`]); the shared test server otherwise.
    pub database_server: Option<String>,
    /// The administrator URL of a streaming replica of that server: the lookup reads
    /// statuses and standings there (`ZEGEL_LOOKUP_REPLICA_URL`), waiting this long at most.
    pub replica: Option<(String, std::time::Duration)>,
}

impl Options {
    /// `common` with what these options change of it.
    fn common(&self, mut common: platform::config::CommonSettings) -> platform::config::CommonSettings {
        if let Some(url) = &self.redis_url {
            common.redis_url = url.clone();
        }
        if let Some(rate) = self.rate_per_minute {
            common.public_rate_per_minute = rate;
        }
        if let Some(issuers) = &self.oidc_issuers {
            common.oidc_issuers = Some(issuers.clone());
        }
        if let Some(size) = self.pool_size {
            common.db_pool_size = size;
        }
        common
    }
}

/// `N` distinct ports free on loopback now, for services that bind them a moment later.
/// They lie below the system's ephemeral range: the ports it hands to `bind(0)` and to
/// outgoing connections (every pool's connections to Postgres and Redis) come from that
/// range, and one of those took a port freed here before its service could bind it (a
/// suite failed to start with "Address already in use"). Within this process no port is
/// handed out twice; each is checked free by binding it.
fn free_ports<const N: usize>() -> [u16; N] {
    use std::sync::atomic::{AtomicU32, Ordering};
    // The ports below the ephemeral range that this takes from: 8,192 of them, starting
    // at a place that differs per process so that two test processes rarely meet.
    const SPAN: u32 = 8192;
    static NEXT: AtomicU32 = AtomicU32::new(u32::MAX);
    let floor = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next().and_then(|low| low.parse::<u32>().ok()))
        .unwrap_or(32768)
        .clamp(SPAN + 1024, 65535)
        - SPAN;
    let _ = NEXT.compare_exchange(u32::MAX, std::process::id() % SPAN, Ordering::SeqCst, Ordering::SeqCst);
    std::array::from_fn(|_| {
        for _ in 0..SPAN {
            let candidate = floor + NEXT.fetch_add(1, Ordering::SeqCst) % SPAN;
            let port = u16::try_from(candidate).expect("below 65536");
            if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
                return port;
            }
        }
        panic!("no free port in {floor}..{}", floor + SPAN)
    })
}

/// Every service's migrations, in the order the suite starts them.
async fn migrate_all(common: &platform::config::CommonSettings) {
    use platform::shell::migrate;
    migrate::<zegel_certificates::Certificates>(common).await.expect("certificates migrations");
    migrate::<zegel_lookup::Lookup>(common).await.expect("lookup migrations");
    migrate::<zegel_gaccounts::Gaccounts>(common).await.expect("gaccounts migrations");
    migrate::<zegel_bans::Bans>(common).await.expect("bans migrations");
    migrate::<zegel_deposits::Deposits>(common).await.expect("deposits migrations");
    migrate::<zegel_housing::Housing>(common).await.expect("housing migrations");
    migrate::<zegel_notifier::Notifier>(common).await.expect("notifier migrations");
}

/// The local settings of `S` on the suite's `common` ones, on `port` (0: any free one).
fn settings_on<S: Service>(common: &platform::config::CommonSettings, port: u16) -> Settings<S::Own> {
    let mut settings = Settings::<S::Own>::local();
    settings.common = common.clone();
    settings.port = port;
    settings.internal_port = 0;
    settings
}

/// Builds and runs `S` with `settings` on a runtime of its own with `threads` threads.
async fn run<S: Service>(settings: Settings<S::Own>, threads: usize) -> Running<S::State> {
    let (port, state, shutdown) = testing::spawn_on((S::NAME, threads), move || async move {
        let app =
            platform::shell::App::<S>::build(settings).await.unwrap_or_else(|e| panic!("{} builds: {e:#}", S::NAME));
        let handle = (app.port(), app.state().clone(), app.shutdown_handle());
        (handle, async move {
            let _ = app.run_until_stopped().await;
        })
    })
    .await;
    Running { address: format!("http://127.0.0.1:{port}"), state, shutdown }
}

/// The lookup's settings: the test PKI's trust list and receipt key, the registers' addresses
/// (`ports` of deposits, housing and certificates, chosen before they start), the options
/// (with a replica, database `db` on it).
fn lookup_settings(
    common: &platform::config::CommonSettings,
    options: &Options,
    (bans, db): (&str, &str),
    [deposits_port, housing_port, certificates_port]: [u16; 3],
) -> zegel_lookup::config::Settings {
    zegel_lookup::config::Settings {
        own: {
            let mut own = zegel_lookup::config::Settings::local().own;
            own.trust_list = pki().trust_list_path.clone();
            own.trust_anchor = pki().ca_path.clone();
            (own.seal_key, own.seal_cert) = pki().signer_paths(Register::Lookup);
            own.bans_url = bans.to_string();
            own.deposits_url = format!("http://127.0.0.1:{deposits_port}");
            own.housing_url = format!("http://127.0.0.1:{housing_port}");
            own.certificates_url = format!("http://127.0.0.1:{certificates_port}");
            own.status_readers = options.status_readers.unwrap_or(own.status_readers);
            own.status_batch = options.status_batch.unwrap_or(own.status_batch);
            own.status_list_secs = options.status_list_secs.unwrap_or(own.status_list_secs);
            if let Some((replica, wait)) = &options.replica {
                let base = replica.rsplit_once('/').map_or(replica.as_str(), |(b, _)| b);
                own.replica_url = format!("{base}/{db}").into();
                own.replica_wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
            }
            own
        },
        ..settings_on::<zegel_lookup::Lookup>(common, 0)
    }
}

/// The notifier's settings: webhooks may go to loopback receivers here, quickly, and
/// followers hear the public check of `lookup`.
fn notifier_settings(common: &platform::config::CommonSettings, lookup: &str) -> Settings<zegel_notifier::config::Own> {
    let mut settings = settings_on::<zegel_notifier::Notifier>(common, 0);
    settings.own.allow_private_targets = true;
    settings.own.lookup_url = lookup.into();
    settings.own.poll_ms = 50;
    settings.own.retry_base_ms = 50;
    settings
}

/// The certificates register's settings: the registers it asks live, on `port`.
fn certificates_settings(
    common: &platform::config::CommonSettings,
    port: u16,
    [bans, gaccounts, deposits, housing]: [&str; 4],
) -> Settings<zegel_certificates::config::Own> {
    let mut settings = settings_on::<zegel_certificates::Certificates>(common, port);
    settings.own.bans_url = bans.into();
    settings.own.gaccounts_url = gaccounts.into();
    settings.own.deposits_url = deposits.into();
    settings.own.housing_url = housing.into();
    (settings.own.seal_key, settings.own.seal_cert) = pki().signer_paths(Register::Certificates);
    settings
}

pub struct Suite {
    pub certificates: Running<zegel_certificates::state::AppState>,
    pub lookup: Running<zegel_lookup::state::AppState>,
    pub gaccounts: Running<zegel_gaccounts::state::AppState>,
    pub bans: Running<zegel_bans::state::AppState>,
    /// The deposits register (its state, to move its clock and run its sweep).
    pub deposits: Running<zegel_deposits::state::AppState>,
    /// The housing register (its state, to move its clock and run its sweep).
    pub housing: Running<zegel_housing::state::AppState>,
    /// The notifier (webhooks may go to loopback receivers here).
    pub notifier: Running<zegel_notifier::state::AppState>,
    /// The calls against it (`suite.http`, `suite.certified(..)`, ...).
    pub client: Client,
    pub prefix: TestPrefix,
    lookup_settings: zegel_lookup::config::Settings,
    threads: usize,
    /// The suite's database, reached as its administrator (to age rows behind the
    /// services' backs; the services act as their own roles).
    pub db: TestDb,
}

async fn start_lookup(
    settings: zegel_lookup::config::Settings,
    threads: usize,
) -> Running<zegel_lookup::state::AppState> {
    let (port, state, shutdown) = testing::spawn_on(("lookup", threads), move || async move {
        let app = zegel_lookup::Application::build(settings).await.expect("lookup builds");
        let handle = (app.port(), app.state().clone(), app.shutdown_handle());
        (handle, async move {
            let _ = app.run_until_stopped().await;
        })
    })
    .await;
    Running { address: format!("http://127.0.0.1:{port}"), state, shutdown }
}

impl Suite {
    pub async fn start() -> Self {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> Self {
        if std::env::var_os("ZEGEL_TEST_LOG").is_some() {
            platform::telemetry::init(platform::config::LogFormat::Pretty);
        }
        let server = options.database_server.clone().unwrap_or_else(zegel_testkit::admin_url);
        let db = TestDb::create_at(&server, "suite", &MIGRATIONS, async |common| migrate_all(&common).await).await;
        let prefix = TestPrefix::new();
        let common = options.common(testing::common_settings(&db, &prefix));
        let threads = options.threads.unwrap_or(1);
        // The bans register issues no seals: it starts first, so that the lookup can ask it.
        let bans = run::<zegel_bans::Bans>(settings_on::<zegel_bans::Bans>(&common, 0), threads).await;
        // The lookup's pages post their forms straight to the registers that take them, so
        // it must know their addresses before they start: their ports are chosen here.
        let [deposits_port, housing_port, certificates_port] = free_ports::<3>();
        let ports = [deposits_port, housing_port, certificates_port];
        let lookup_settings = lookup_settings(&common, &options, (&bans.address, &db.name), ports);
        let lookup = start_lookup(lookup_settings.clone(), threads).await;
        let mut common = common;
        common.verify_url = lookup.address.clone();

        // The registers the certificates register asks live come first.
        let mut g_settings = settings_on::<zegel_gaccounts::Gaccounts>(&common, 0);
        (g_settings.own.seal_key, g_settings.own.seal_cert) = pki().signer_paths(Register::Gaccounts);
        let gaccounts = run::<zegel_gaccounts::Gaccounts>(g_settings, threads).await;
        // The sweeps run when a test asks (`run_sweep`), not by the clock.
        let mut d_settings = settings_on::<zegel_deposits::Deposits>(&common, deposits_port);
        d_settings.own.sweep_interval_secs = 3600;
        (d_settings.own.seal_key, d_settings.own.seal_cert) = pki().signer_paths(Register::Deposits);
        let deposits = run::<zegel_deposits::Deposits>(d_settings, threads).await;
        let mut h_settings = settings_on::<zegel_housing::Housing>(&common, housing_port);
        h_settings.own.sweep_interval_secs = 3600;
        (h_settings.own.seal_key, h_settings.own.seal_cert) = pki().signer_paths(Register::Housing);
        let housing = run::<zegel_housing::Housing>(h_settings, threads).await;

        let notifier = run::<zegel_notifier::Notifier>(notifier_settings(&common, &lookup.address), threads).await;

        let registers = [bans.address.as_str(), &gaccounts.address, &deposits.address, &housing.address];
        let c_settings = certificates_settings(&common, certificates_port, registers);
        let certificates = run::<zegel_certificates::Certificates>(c_settings, threads).await;
        let mut suite = Self {
            certificates,
            gaccounts,
            bans,
            deposits,
            housing,
            notifier,
            lookup,
            client: Client::new(Addresses::of(|_| String::new()), testing::issuer().0.clone()),
            prefix,
            lookup_settings,
            threads,
            db,
        };
        let running = suite.services();
        let at = Addresses::of(|name| {
            running.iter().find(|(n, _)| *n == name).map(|(_, a)| a.to_string()).unwrap_or_default()
        });
        suite.client = Client::new(at, testing::issuer().0.clone());
        suite
    }

    /// Every service by its name (the name of its OpenAPI document) and its address.
    pub fn services(&self) -> [(&'static str, &str); 7] {
        [
            ("bans", &self.bans.address),
            ("certificates", &self.certificates.address),
            ("deposits", &self.deposits.address),
            ("gaccounts", &self.gaccounts.address),
            ("housing", &self.housing.address),
            ("lookup", &self.lookup.address),
            ("notifier", &self.notifier.address),
        ]
    }

    /// The settings the suite's lookup was started with.
    pub fn lookup_settings(&self) -> zegel_lookup::config::Settings {
        self.lookup_settings.clone()
    }

    /// A second lookup beside the first, on the same database and settings (as a second
    /// replica of its deployment runs); stopped when dropped.
    pub async fn another_lookup(&self) -> Running<zegel_lookup::state::AppState> {
        start_lookup(self.lookup_settings.clone(), self.threads).await
    }

    /// Stops the lookup and starts a fresh one (new process state, new port).
    pub async fn restart_lookup(&mut self) {
        self.lookup.stop();
        self.lookup = start_lookup(self.lookup_settings.clone(), self.threads).await;
        self.client.at.lookup = self.lookup.address.clone();
    }

    /// An unannounced inspection finds a deficiency in `bag_id` (deadline in three days):
    /// its mark is suspended.
    pub async fn suspend_building(&self, bag_id: &str) {
        let inspector = self.token(Role::HousingInspector, None);
        let deadline = (self.housing.state.clock.today() + chrono::Days::new(3)).to_string();
        let (status, body) = self
            .housing_call(
                reqwest::Method::POST,
                &format!("/api/v1/buildings/{bag_id}/inspections"),
                &inspector,
                json!({"kind": "unannounced", "findings": "Fire escape blocked.", "deficiencies": [{"description": "Fire escape blocked", "deadline": deadline}]}),
            )
            .await;
        assert_eq!((status, body["mark"]["status"].as_str()), (201, Some("suspended")), "{body}");
    }
}

/// The messages of one language of the lookup's pages, straight from its resource file.
pub fn messages(lang: &str) -> std::collections::HashMap<String, String> {
    let path = format!("{}/../services/lookup/locales/{lang}/main.ftl", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .expect("resource file")
        .lines()
        .filter_map(|l| l.split_once(" = ").map(|(k, v)| (k.trim().to_string(), v.to_string())))
        .collect()
}

/// `s` as the template engine escapes text.
pub fn esc(s: &str) -> String {
    s.replace('&', "&#38;").replace('<', "&#60;").replace('>', "&#62;").replace('"', "&#34;").replace('\'', "&#39;")
}
