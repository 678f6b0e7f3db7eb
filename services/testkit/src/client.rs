//! A typed HTTP client for one service under test.

use std::time::Duration;

use crate::tokens::issuer;

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    /// Body as JSON (a JSON string when it is not JSON; null when empty).
    pub body: serde_json::Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Debug, Clone)]
pub struct Client {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    pub http: reqwest::Client,
}

impl Client {
    /// A client for the service at `address`.
    pub fn new(address: String) -> Self {
        Self { address, http: reqwest::Client::builder().timeout(Duration::from_secs(20)).build().expect("client") }
    }

    /// A token for `roles` acting for `org`.
    pub fn token(&self, roles: &[platform::auth::Role], org: Option<&str>) -> String {
        let subject = format!("test-{}", roles.first().map(|r| r.as_str()).unwrap_or("none"));
        issuer().0.token(&subject, roles, org, 600).expect("token")
    }

    /// Sends a request; `token` as bearer, `body` as JSON.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
        idempotency_key: Option<&str>,
    ) -> Reply {
        let mut rb = self.http.request(method.parse().expect("method"), format!("{}{path}", self.address));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        if let Some(k) = idempotency_key {
            rb = rb.header("Idempotency-Key", k);
        }
        let res = rb.send().await.expect("request sent");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let body = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
        };
        Reply { status, headers, body }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send("GET", path, token, None, None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: serde_json::Value) -> Reply {
        self.send("POST", path, Some(token), Some(body), None).await
    }

    pub async fn put(&self, path: &str, token: &str, body: serde_json::Value) -> Reply {
        self.send("PUT", path, Some(token), Some(body), None).await
    }
}
