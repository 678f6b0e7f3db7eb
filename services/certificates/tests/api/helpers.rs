//! Test harness: the real service on port 0, against a fresh database cloned from a
//! migrated template, with its own Redis key prefix and ephemeral keys
//! (`zegel_testkit` does the shared work).

use std::time::Duration;

use platform::auth::Role;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use zegel_attest::Register;
use zegel_certificates::Certificates;
use zegel_certificates::config::Settings;
use zegel_testkit::{self as testing, Reply, Running};

pub use zegel_testkit::{RedisProxy, pki};

/// The migration directories that shape this service's schema.
pub const MIGRATIONS: [&str; 2] = [
    concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/../platform/migrations"),
];

/// The service under test: the test kit's service, with the certificates register's own
/// asks below.
pub type TestApp = Running<Certificates>;

/// Starts the service with default test settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the service after `adjust` had its say on the settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings) + Send + 'static) -> TestApp {
    zegel_testkit::start::<Certificates>(MIGRATIONS[0], move |settings| {
        settings.own.sweep_interval_secs = 3600;
        let (key, cert) = pki().signer_paths(Register::Certificates);
        settings.own.seal_key = key;
        settings.own.seal_cert = cert;
        // This register alone: ban and G-account requirements are decided by what was
        // recorded (the cross-service tests run the live checks).
        settings.own.bans_url = String::new();
        settings.own.gaccounts_url = String::new();
        settings.own.deposits_url = String::new();
        settings.own.housing_url = String::new();
        adjust(settings);
    })
    .await
}

/// What the certificates register's tests ask of it.
#[allow(async_fn_in_trait)]
pub trait Asks {
    /// An accredited certification body `id`, returning its token.
    async fn body(&self, id: &str) -> String;
    /// A registered Dutch staffing agency established `established_days_ago` days ago.
    async fn agency(&self, kvk: &str, established_days_ago: u64) -> Reply;
    /// A provisional certificate for `kvk` by the body with `token`; returns its id.
    async fn provisional(&self, kvk: &str, token: &str) -> String;
    /// Body `cb-one` and a provisional certificate for agency `kvk`, established `days` ago:
    /// (body token, certificate id).
    async fn starter(&self, kvk: &str, days: u64) -> (String, String);
    /// Records the answer on requirement `code` of certificate `id`.
    async fn requirement(&self, id: &str, token: &str, code: &str, answer: Value) -> Reply;
    /// Body `token` revokes certificate `id` on `grounds`, for `reason`.
    async fn revoke(&self, id: &str, token: &str, grounds: &str, reason: &str) -> Reply;
    /// Records every requirement as met.
    async fn meet_all(&self, id: &str, token: &str);
    /// A fully certified agency `kvk` under body `body_id`; returns (body token, certificate id).
    async fn certified(&self, kvk: &str, body_id: &str) -> (String, String);
    /// The public view of `kvk`'s certificate.
    async fn public(&self, kvk: &str) -> Value;
    /// Waits (a few seconds at most) until `kvk`'s public status is `status`; the last one seen.
    async fn public_status(&self, kvk: &str, status: &str) -> String;
    /// Events of type `kind` on this test's stream, as JSON.
    async fn events(&self, kind: &str) -> Vec<Value>;
    /// Waits until `n` events of `kind` are on the stream (or a few seconds pass).
    async fn wait_for_events(&self, kind: &str, n: usize) -> Vec<Value>;
    /// Runs SQL in the test's database (to break it on purpose).
    async fn sql(&self, statement: &str);
    /// Sends raw bytes over TCP and returns the status code and whole response text.
    async fn raw(&self, request: &str) -> (u16, String);
}

impl Asks for TestApp {
    /// An accredited certification body `id`, returning its token.
    async fn body(&self, id: &str) -> String {
        let admin = self.token(&[Role::Admin], None);
        let r = self
            .put(
                &format!("/api/v1/certification-bodies/{id}"),
                &admin,
                serde_json::json!({"name": format!("Body {id}"), "accredited": true}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        self.token(&[Role::CertificationBody], Some(id))
    }

    /// A registered Dutch staffing agency established `established_days_ago` days ago.
    async fn agency(&self, kvk: &str, established_days_ago: u64) -> Reply {
        let kvk_token = self.token(&[Role::Kvk], None);
        let established = self.clock.today() - chrono::Days::new(established_days_ago);
        let r = self
            .post(
                "/api/v1/agencies",
                &kvk_token,
                serde_json::json!({"kvk_number": kvk, "name": "Flex BV", "seat_country": "NL", "sbi_codes": ["7820"], "established_on": established}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r
    }

    /// A provisional certificate for `kvk` by the body with `token`; returns its id.
    async fn provisional(&self, kvk: &str, token: &str) -> String {
        let r = self.post(&format!("/api/v1/agencies/{kvk}/certificates"), token, serde_json::json!({})).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.body["certificate_id"].as_str().expect("id").to_string()
    }

    async fn starter(&self, kvk: &str, days: u64) -> (String, String) {
        let body = self.body("cb-one").await;
        self.agency(kvk, days).await;
        let id = self.provisional(kvk, &body).await;
        (body, id)
    }

    async fn requirement(&self, id: &str, token: &str, code: &str, answer: Value) -> Reply {
        self.put(&format!("/api/v1/certificates/{id}/requirements/{code}"), token, answer).await
    }

    async fn revoke(&self, id: &str, token: &str, grounds: &str, reason: &str) -> Reply {
        let body = serde_json::json!({"reason": reason, "grounds": grounds});
        self.post(&format!("/api/v1/certificates/{id}/revocation"), token, body).await
    }

    /// Records every requirement as met.
    async fn meet_all(&self, id: &str, token: &str) {
        for code in zegel_certificates::domain::RequirementCode::ALL {
            let answer = serde_json::json!({"outcome": "met", "evidence_ref": format!("dossier/{code}")});
            let r = self.requirement(id, token, code.as_str(), answer).await;
            assert_eq!(r.status, 200, "{code:?}: {:?}", r.body);
        }
    }

    /// A fully certified agency `kvk` under body `body_id`; returns (body token, certificate id).
    async fn certified(&self, kvk: &str, body_id: &str) -> (String, String) {
        let token = self.body(body_id).await;
        self.agency(kvk, 400).await;
        let id = self.provisional(kvk, &token).await;
        self.meet_all(&id, &token).await;
        let r = self.post(&format!("/api/v1/certificates/{id}/certification"), &token, serde_json::json!({})).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        (token, id)
    }

    /// The public view of `kvk`'s certificate.
    async fn public(&self, kvk: &str) -> Value {
        let r = self.get(&format!("/api/v1/agencies/{kvk}/certificate"), None).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body
    }

    async fn public_status(&self, kvk: &str, status: &str) -> String {
        let mut seen = String::new();
        for _ in 0..100 {
            seen = self.public(kvk).await["status"].as_str().expect("a status").to_string();
            if seen == status {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        seen
    }

    /// Events of type `kind` on this test's stream, as JSON.
    async fn events(&self, kind: &str) -> Vec<Value> {
        testing::events(&self.prefix.0, kind)
            .await
            .iter()
            .map(|e| serde_json::to_value(e).expect("event json"))
            .collect()
    }

    /// Waits until `n` events of `kind` are on the stream (or a few seconds pass).
    async fn wait_for_events(&self, kind: &str, n: usize) -> Vec<Value> {
        testing::wait_for_events(&self.prefix.0, kind, n)
            .await
            .iter()
            .map(|e| serde_json::to_value(e).expect("event json"))
            .collect()
    }

    /// Runs SQL in the test's database (to break it on purpose).
    async fn sql(&self, statement: &str) {
        self.db.sql(statement).await;
    }

    /// Sends raw bytes over TCP and returns the status code and whole response text.
    async fn raw(&self, request: &str) -> (u16, String) {
        let addr = self.address.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut buf = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut buf)).await;
        let text = String::from_utf8_lossy(&buf).into_owned();
        let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        (status, text)
    }
}
