//! What the registers that issue seals share: the link a seal's QR code holds, the
//! "seal not issued" problem, and the route that renders a stored seal's QR code again.
//!
//! Every such register keeps its seals in a `seal` table of its own schema with the compact
//! JWS in `token` (the same contract as its `seal_status` view), so one statement serves
//! them all.

use std::sync::Arc;

use deadpool_postgres::Pool;
use warp::Filter;
use warp::filters::BoxedFilter;
use warp::reply::Response;
use zegel_attest::qr::{self, Rendering};

use crate::core::Core;
use crate::error::{Error, Result};
use crate::http::{PublicLimiter, Request, request, respond};

/// The URL a seal's QR code holds: the lookup's page for it.
pub fn link(verify_url: &str, token: &str) -> String {
    format!("{verify_url}/v/{token}")
}

/// A seal or its QR code could not be made.
pub fn not_issued(e: impl std::fmt::Display) -> Error {
    Error::Conflict { slug: "seal-not-issued", title: "Seal not issued", detail: e.to_string() }
}

/// GET /api/v1/seals/{id}/qr.svg and /api/v1/seals/{id}/qr.png — public, rate limited; the
/// image never changes for its URL.
pub fn qr_route(core: &Core, verify_url: Arc<str>) -> BoxedFilter<(Response,)> {
    let (pool, limiter) = (core.pool.clone(), core.limiter.clone());
    warp::path!("api" / "v1" / "seals" / String / Rendering)
        .and(warp::get())
        .and(request())
        .then(move |id: String, rendering: Rendering, req: Request| {
            let (pool, limiter, verify_url) = (pool.clone(), limiter.clone(), verify_url.clone());
            async move {
                let result = render(&pool, &limiter, &verify_url, &req, &id, rendering).await;
                respond(&req, result.map_err(|e| e.to_problem(&req.id)))
            }
        })
        .boxed()
}

async fn render(
    pool: &Pool,
    limiter: &PublicLimiter,
    verify_url: &str,
    req: &Request,
    id: &str,
    rendering: Rendering,
) -> Result<Response> {
    limiter.check(req)?;
    let id: uuid::Uuid =
        id.parse().map_err(|_| Error::Client(crate::Problem::bad_request("Malformed seal id: expected a UUID.")))?;
    let client = pool.get().await?;
    let stmt = client.prepare_cached("select token from seal where seal_id = $1").await?;
    let token: String = client
        .query_opt(&stmt, &[&id])
        .await?
        .map(|r| r.get(0))
        .ok_or_else(|| Error::NotFound(format!("No seal {id}.")))?;
    let code = qr::render(&link(verify_url, &token)).map_err(not_issued)?;
    let (bytes, media_type) = code.into_image(rendering);
    Ok(crate::http::immutable_image(bytes, media_type))
}
