//! The published trust list, for offline verifiers.

use platform::http::{Request, request, with_state};
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::http::{HeaderMap, HeaderValue, StatusCode, header};
use warp::reply::Response;

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
                    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/jose"));
                    r
                };
                if let Ok(v) = HeaderValue::from_str(&etag) {
                    res.headers_mut().insert(header::ETAG, v);
                }
                res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
                Ok(platform::http::readable_anywhere(res))
            }
            .await;
            platform::http::finish::<Error>(&req, result)
        })
        .map(|res| platform::http::answered_by(res, "/.well-known/zegel/trust-list"))
        .boxed()
}
