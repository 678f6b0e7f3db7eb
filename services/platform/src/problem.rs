//! RFC 9457 problem details, and the one `recover` that turns every warp rejection into one.
//!
//! Every error a client ever sees is a [`Problem`]: a stable `type` URI per kind, a
//! title, the status, and a detail that is safe to show. Infrastructure failures become a
//! generic 500 whose detail says nothing about the cause; the cause is logged once, at the
//! boundary, with the request id the client can quote.

use std::convert::Infallible;

use serde::Serialize;
use serde_json::{Map, Value};
use warp::http::{HeaderValue, StatusCode, header};
use warp::reject::Rejection;
use warp::reply::{Reply, Response};

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldError {
    /// JSON pointer (RFC 6901) to the offending member, e.g. `/kvk_number`.
    pub pointer: String,
    pub detail: String,
}

impl FieldError {
    /// A field error at `pointer`.
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self { pointer: pointer.into(), detail: detail.into() }
    }
}

/// Collects the field errors of one request, so that every invalid field is reported at
/// once; `Ok` only when there are none.
#[derive(Debug, Default)]
pub struct Checks(pub Vec<FieldError>);

impl Checks {
    pub fn check<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }

    /// Remembers an error at `pointer`.
    pub fn fail(&mut self, pointer: impl Into<String>, detail: impl Into<String>) {
        self.0.push(FieldError::new(pointer, detail));
    }

    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() { Ok(()) } else { Err(self.0) }
    }
}

pub use zegel_contracts::problem::Kind;

/// An RFC 9457 problem details object.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request this occurrence belongs to (`urn:zegel:request:<id>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Further members specific to a kind (for example the unmet requirements).
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
    /// Seconds to wait before retrying, sent as `Retry-After`.
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl warp::reject::Reject for Problem {}

impl Problem {
    pub fn of(kind: Kind) -> Self {
        Self {
            type_uri: format!("urn:zegel:problem:{}", kind.slug()),
            title: kind.title().into(),
            status: kind.status(),
            detail: None,
            instance: None,
            errors: Vec::new(),
            extensions: Map::new(),
            retry_after: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    pub fn with_extension(mut self, key: &str, value: Value) -> Self {
        self.extensions.insert(key.into(), value);
        self
    }

    pub fn with_request_id(mut self, request_id: &str) -> Self {
        self.instance = Some(format!("urn:zegel:request:{request_id}"));
        self
    }

    /// 400: the request cannot be understood.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::of(Kind::MalformedRequest).with_detail(detail)
    }

    pub fn unauthorized() -> Self {
        Self::of(Kind::Unauthorized).with_detail("A valid bearer token is required.")
    }

    /// 403: authenticated, but not allowed to do this.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::of(Kind::Forbidden).with_detail(detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::of(Kind::NotFound).with_detail(detail)
    }

    /// A kind that says the request conflicts with the current state (mostly 409).
    pub fn conflict(kind: Kind, detail: impl Into<String>) -> Self {
        Self::of(kind).with_detail(detail)
    }

    /// 422: well-formed, but the fields do not validate.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        Self::of(Kind::Validation).with_detail("One or more fields are invalid.").with_errors(errors)
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut p = Self::of(Kind::RateLimited).with_detail("Too many requests from this address; retry later.");
        p.retry_after = Some(retry_after_secs.max(1));
        p
    }

    /// 503: a dependency is down; nothing was changed.
    pub fn unavailable() -> Self {
        Self::of(Kind::Unavailable)
            .with_detail("The service cannot answer right now; nothing was changed. Retry later.")
    }

    /// 500: something broke on our side. Never carries the cause.
    pub fn internal() -> Self {
        Self::of(Kind::Internal).with_detail("Something went wrong on our side. Quote the instance when reporting it.")
    }

    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl Reply for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let body = serde_json::to_vec(&self).unwrap_or_else(|_| b"{}".to_vec());
        let mut res = Response::new(body.into());
        *res.status_mut() = status;
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

/// The single `recover` of a service: every rejection becomes a problem.
///
/// Routes respond once they matched (see [`crate::http`]), so the rejections that reach
/// this point are warp's own: no route, wrong method, and the body and query guards.
pub async fn recover(rejection: Rejection) -> Result<Response, Infallible> {
    use warp::reject::{
        InvalidHeader, InvalidQuery, LengthRequired, MethodNotAllowed, MissingHeader, PayloadTooLarge,
        UnsupportedMediaType,
    };
    let problem = if let Some(p) = rejection.find::<Problem>() {
        p.clone()
    } else if rejection.is_not_found() {
        Problem::not_found("No resource at this path.")
    } else if rejection.find::<InvalidQuery>().is_some() {
        Problem::bad_request("The query string is malformed.")
    } else if rejection.find::<LengthRequired>().is_some() {
        Problem::of(Kind::LengthRequired).with_detail("A Content-Length header is required.")
    } else if rejection.find::<PayloadTooLarge>().is_some() {
        Problem::of(Kind::PayloadTooLarge).with_detail("The request body is larger than this endpoint accepts.")
    } else if rejection.find::<UnsupportedMediaType>().is_some() {
        unsupported_media_type()
    } else if let Some(h) = rejection.find::<MissingHeader>() {
        Problem::bad_request(format!("Missing header {}.", h.name()))
    } else if let Some(h) = rejection.find::<InvalidHeader>() {
        Problem::bad_request(format!("Invalid header {}.", h.name()))
    } else if rejection.find::<warp::filters::body::BodyDeserializeError>().is_some() {
        Problem::bad_request("The request body is not valid JSON of the expected shape.")
    } else if rejection.find::<MethodNotAllowed>().is_some() {
        // Last of warp's own: the method of one route does not make the request's fault
        // when the route that takes its method refused its body or query (a POST without
        // Content-Length is a 411, though the same path also answers GET).
        Problem::of(Kind::MethodNotAllowed).with_detail("This resource does not support that method.")
    } else {
        tracing::error!(rejection = ?rejection, "unhandled rejection");
        Problem::internal()
    };
    Ok(problem.into_response())
}

/// 415: only JSON is accepted.
pub fn unsupported_media_type() -> Problem {
    Problem::of(Kind::UnsupportedMediaType).with_detail("Send the body as application/json.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_validation_problem_serialises_as_rfc_9457_with_field_errors() {
        let p = Problem::validation(vec![FieldError::new("/kvk_number", "must be 8 digits")]).with_request_id("r1");
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "type": "urn:zegel:problem:validation",
                "title": "Invalid request",
                "status": 422,
                "detail": "One or more fields are invalid.",
                "instance": "urn:zegel:request:r1",
                "errors": [{"pointer": "/kvk_number", "detail": "must be 8 digits"}]
            })
        );
    }

    /// Found by the fuzzer: a POST without Content-Length to a path that also answers GET
    /// was answered 405 (the GET route's rejection), which no document lists; it is 411.
    #[tokio::test]
    async fn a_body_refused_by_the_route_of_its_method_is_not_a_wrong_method() {
        use warp::Filter;
        let get = warp::path("things").and(warp::get()).map(|| "list");
        let post = warp::path("things")
            .and(warp::post())
            .and(warp::body::content_length_limit(1024))
            .and(warp::body::bytes())
            .map(|_: bytes::Bytes| "made");
        let routes = get.or(post).recover(recover);
        let status = |r: warp::http::Response<bytes::Bytes>| r.status().as_u16();
        let unmeasured = warp::test::request().method("POST").path("/things").reply(&routes).await;
        assert_eq!(status(unmeasured), 411);
        let large = warp::test::request().method("POST").path("/things").body(vec![b'x'; 2048]).reply(&routes).await;
        assert_eq!(status(large), 413);
        let wrong = warp::test::request().method("DELETE").path("/things").reply(&routes).await;
        assert_eq!(status(wrong), 405);
        let fine = warp::test::request().method("POST").path("/things").body("{}").reply(&routes).await;
        assert_eq!(status(fine), 200);
    }

    #[test]
    fn unauthorized_carries_www_authenticate_and_rate_limited_retry_after() {
        let res = Problem::unauthorized().into_response();
        assert_eq!(res.status(), 401);
        assert_eq!(res.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(res.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        let res = Problem::rate_limited(7).into_response();
        assert_eq!(res.headers()[header::RETRY_AFTER], "7");
    }
}
