//! Test harness: the lookup on the test kit (port 0, a fresh database and Redis prefix), with
//! the test PKI's trust list. Seals of registers are made here with the test PKI's keys; tests that need a
//! register's live status run the real registers (see the workspace's tests/).

use std::collections::BTreeMap;

use zegel_attest::{Register, Signer};
use zegel_lookup::Lookup;
use zegel_lookup::config::Settings;
use zegel_testkit::{Running, pki};

/// The lookup under test: the test kit's service, with the lookup's own asks below.
pub type TestLookup = Running<Lookup>;

/// The lookup on the test kit, with the test PKI's trust list and receipt key; `adjust`
/// tunes its settings further.
pub async fn spawn_lookup_with(adjust: impl FnOnce(&mut Settings) + Send + 'static) -> TestLookup {
    zegel_testkit::start::<Lookup>(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"), move |settings| {
        settings.own.trust_list = pki().trust_list_path.clone();
        settings.own.trust_anchor = pki().ca_path.clone();
        let (key, cert) = pki().signer_paths(Register::Lookup);
        settings.own.seal_key = key;
        settings.own.seal_cert = cert;
        adjust(settings);
    })
    .await
}

pub async fn spawn_lookup() -> TestLookup {
    spawn_lookup_with(|_| {}).await
}

/// A seal signed with the test PKI's key for `register`.
pub fn seal(register: Register, iat_offset: i64, exp_offset: i64) -> String {
    let (key, cert) = pki().signer_paths(register);
    let signer =
        Signer::from_pem(register, &std::fs::read_to_string(key).unwrap(), &std::fs::read_to_string(cert).unwrap())
            .unwrap();
    let now = chrono::Utc::now().timestamp();
    signer.issue("12345678", uuid::Uuid::now_v7(), now + iat_offset, now + exp_offset, BTreeMap::new()).unwrap()
}

/// What the lookup's tests ask of it.
pub trait Asks {
    /// The body of `GET <lookup><path_and_query>`.
    async fn text(&self, path_and_query: &str) -> String;
    /// `GET /api/v1/verify/{seal}`: the status and the verdict.
    async fn verify(&self, seal: &str) -> (u16, serde_json::Value);
    /// `GET /v/{seal}{query}` as a browser with `accept_language` asks it.
    async fn page(&self, seal: &str, query: &str, accept_language: Option<&str>) -> (u16, String);
}

impl Asks for TestLookup {
    async fn text(&self, path_and_query: &str) -> String {
        // The test kit's reply holds a body that is not JSON as a JSON string.
        self.get(path_and_query, None).await.body.as_str().unwrap_or_default().to_string()
    }

    async fn verify(&self, seal: &str) -> (u16, serde_json::Value) {
        let r = self.http.get(format!("{}/api/v1/verify/{seal}", self.address)).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or_default())
    }

    async fn page(&self, seal: &str, query: &str, accept_language: Option<&str>) -> (u16, String) {
        let mut rb = self.http.get(format!("{}/v/{seal}{query}", self.address));
        if let Some(al) = accept_language {
            rb = rb.header("accept-language", al);
        }
        let r = rb.send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
}
