//! The registers as the workbench asks them: over HTTP, with the person's own token, so
//! each register decides as it does for anyone. What a register refuses comes back as a
//! [`Refusal`] the page shows in the person's words: its sentence and, for a form, each
//! field it named.

use std::time::Duration;

use platform::request::REQUEST_ID;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;
use zegel_contracts::register::Service;

/// Why a register did not do what was asked.
#[derive(Debug, Clone)]
pub enum Refusal {
    /// The register answered with a problem: its status, sentence and field errors
    /// (`pointer: detail`).
    Said { status: u16, detail: String, fields: Vec<String> },
    /// The register could not be reached, or answered what it documents not.
    Unavailable,
}

impl Refusal {
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Said { status, .. } => *status,
            Refusal::Unavailable => 503,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Registers {
    http: reqwest::Client,
    /// Each register the workbench asks, and its base URL.
    bases: Vec<(Service, String)>,
}

impl Registers {
    /// The registers at these base URLs.
    pub fn new(bases: &[(Service, &str)]) -> Self {
        // No redirects: a register never sends the workbench elsewhere with a token.
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self { http, bases: bases.iter().map(|(s, url)| (*s, url.to_string())).collect() }
    }

    fn base(&self, service: Service) -> Option<&str> {
        self.bases.iter().find(|(s, _)| *s == service).map(|(_, url)| url.as_str())
    }

    /// `method path` at `service` with `token` (none for a public read), a JSON body and,
    /// for a write that must happen once, an idempotency key; the answer read as `T`.
    pub async fn ask<T: DeserializeOwned>(
        &self,
        service: Service,
        token: Option<&str>,
        (method, path): (Method, &str),
        body: Option<&Value>,
        (request_id, idempotency_key): (&str, Option<&str>),
    ) -> Result<T, Refusal> {
        let Some(base) = self.base(service) else {
            tracing::error!(service = service.as_str(), "the workbench does not know this register");
            return Err(Refusal::Unavailable);
        };
        let mut request = self.http.request(method, format!("{base}{path}")).header(REQUEST_ID, request_id);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(key) = idempotency_key {
            request = request.header("idempotency-key", key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| {
            tracing::warn!(service = service.as_str(), error = %e, "a register did not answer");
            Refusal::Unavailable
        })?;
        let status = response.status().as_u16();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return serde_json::from_value(answer).map_err(|e| {
                tracing::error!(service = service.as_str(), error = %e, "a register's answer is not what it documents");
                Refusal::Unavailable
            });
        }
        if status >= 500 {
            tracing::warn!(service = service.as_str(), status, "a register failed");
            return Err(Refusal::Unavailable);
        }
        Err(refusal(status, &answer))
    }
}

/// A problem (RFC 9457) as the page shows it.
fn refusal(status: u16, problem: &Value) -> Refusal {
    let detail = problem["detail"].as_str().or(problem["title"].as_str()).unwrap_or_default().to_string();
    let fields = problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let pointer = e["pointer"].as_str().unwrap_or_default().trim_start_matches('/');
            let detail = e["detail"].as_str().unwrap_or_default();
            if pointer.is_empty() { detail.to_string() } else { format!("{pointer}: {detail}") }
        })
        .collect();
    Refusal::Said { status, detail, fields }
}
