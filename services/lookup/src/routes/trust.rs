//! What offline verifiers fetch: the trust list and the registers' status lists.

use platform::http::{Request, request, with_state};
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::{HeaderMap, HeaderValue, StatusCode, header};
use warp::reply::Response;

use zegel_attest::Register;

use crate::error::Error;
use crate::state::AppState;

/// GET /.well-known/zegel/trust-list
pub(super) fn trust_list_get(state: AppState) -> BoxedFilter<(Response,)> {
    warp::path!(".well-known" / "zegel" / "trust-list")
        .and(warp::get())
        .and(request())
        .and(warp::header::headers_cloned())
        .and(with_state(state))
        .then(|req: Request, headers: HeaderMap, state: AppState| async move {
            let result = async {
                state.core.limiter.check(&req)?;
                let (document, etag) = state.trust_document();
                let document = document.ok_or_else(|| Error::Client(platform::Problem::unavailable()))?;
                Ok(published(&headers, document, "application/jose", &etag, 300))
            }
            .await;
            platform::http::finish::<Error>(&req, result)
        })
        // Its problems too: a page elsewhere may read why there is no list.
        .map(|res| platform::http::answered_by(platform::http::readable_anywhere(res), "/.well-known/zegel/trust-list"))
        .boxed()
}

/// GET /api/v1/status-lists/{register}: the register's signed status list (its `iss`
/// code), cacheable until a fresher one is due.
pub(super) fn status_list_get(state: AppState) -> BoxedFilter<(Response,)> {
    warp::path!("api" / "v1" / "status-lists" / String)
        .and(warp::get())
        .and(request())
        .and(warp::header::headers_cloned())
        .and(with_state(state))
        .then(|code: String, req: Request, headers: HeaderMap, state: AppState| async move {
            let result = async {
                state.core.limiter.check(&req)?;
                let register = Register::from_code(&code)
                    .filter(|r| crate::status_lists::COVERED.contains(r))
                    .ok_or(Error::NotFound("No status list by that name: the registers' are crt, dep, gac and hsg."))?;
                let list = state.lists.get(register).ok_or_else(|| Error::Client(platform::Problem::unavailable()))?;
                // Fresh until the next one is due; a shared cache may keep it as long.
                let fresh_for = (list.issued_at + list.ttl - state.clock.now().timestamp()).clamp(0, list.ttl);
                Ok(published(&headers, list.token.clone(), zegel_attest::status::MEDIA_TYPE, &list.etag, fresh_for))
            }
            .await;
            platform::http::finish::<Error>(&req, result)
        })
        .map(|res| {
            platform::http::answered_by(platform::http::readable_anywhere(res), "/api/v1/status-lists/{register}")
        })
        .boxed()
}

/// A signed document as published: 304 when the client holds it already (`If-None-Match`),
/// its ETag, public caching for `max_age` seconds.
fn published(headers: &HeaderMap, document: String, media_type: &'static str, etag: &str, max_age: i64) -> Response {
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut res = if matches {
        let mut r = Response::new(Vec::new().into());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(document.into_bytes().into());
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
        r
    };
    if let Ok(v) = HeaderValue::from_str(etag) {
        res.headers_mut().insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={max_age}")) {
        res.headers_mut().insert(header::CACHE_CONTROL, v);
    }
    res
}
