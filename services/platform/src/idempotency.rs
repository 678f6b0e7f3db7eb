//! Idempotency keys for POSTs that change a status or move money.
//!
//! The key row is inserted at the start of the caller's transaction and completed with
//! the response before it commits. A concurrent retry blocks on the key's primary key
//! until the first transaction ends, then finds the stored response; a failed first
//! attempt rolls back and leaves the key free. A key reused with a different request is
//! refused rather than silently answered with someone else's result.
//!
//! The fingerprint of a request is keyed (HMAC-SHA256 with the service's
//! `ZEGEL_IDEMPOTENCY_SECRET`): a body may hold a BSN, and an unkeyed hash of it could be
//! tested against the billion possible BSNs. Keys are kept for [`KEPT_FOR`]; after that a
//! key is free again and the purge removes it.

use std::fmt;
use std::time::Duration;

use deadpool_postgres::{GenericClient, Pool};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::problem::{FieldError, Problem};

pub const HEADER: &str = "idempotency-key";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key(String);

impl Key {
    /// Parses the header value: 1 to 255 visible ASCII characters.
    pub fn parse(raw: &str) -> Result<Self, Problem> {
        let ok = !raw.is_empty() && raw.len() <= 255 && raw.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            Ok(Self(raw.to_string()))
        } else {
            Err(Problem::validation(vec![FieldError::new(
                "/headers/Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            )]))
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    /// HTTP status of the first response.
    pub status: u16,
    pub body: Value,
}

/// How long a key and its response are kept: long enough for any client's retries, short
/// enough that fingerprints of bodies with personal data do not pile up.
pub const KEPT_FOR: Duration = Duration::from_secs(24 * 3600);

/// Makes request fingerprints with the service's secret.
#[derive(Clone)]
pub struct Fingerprints(SecretString);

impl fmt::Debug for Fingerprints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Fingerprints(***)")
    }
}

impl Fingerprints {
    /// Keyed with `secret`.
    pub fn new(secret: &SecretString) -> Self {
        Self(secret.clone())
    }

    /// Fingerprint of a request, so a reused key with another request is detected.
    pub fn of(&self, method: &str, path: &str, body: &[u8]) -> String {
        let parts: [&[u8]; 5] = [method.as_bytes(), &[0], path.as_bytes(), &[0], body];
        crate::keyed::hex(&crate::keyed::mac(self.0.expose_secret().as_bytes(), &parts))
    }
}

/// Removes the keys older than [`KEPT_FOR`]; returns how many.
pub async fn purge(pool: &Pool) -> anyhow::Result<u64> {
    let client = pool.get().await?;
    let stmt = client
        .prepare_cached("delete from idempotency_key where created_at < now() - make_interval(secs => $1)")
        .await?;
    Ok(client.execute(&stmt, &[&(KEPT_FOR.as_secs() as f64)]).await?)
}

/// Either claims `key` for this request (`Ok(None)`) or returns the earlier response.
pub async fn begin(
    tx: &impl GenericClient,
    principal: &str,
    key: &Key,
    request_hash: &str,
) -> Result<Option<Stored>, BeginError> {
    // An expired key is free again, whether or not the purge has run yet.
    let stmt = tx
        .prepare_cached(
            "delete from idempotency_key where principal = $1 and key = $2
             and created_at < now() - make_interval(secs => $3)",
        )
        .await?;
    tx.execute(&stmt, &[&principal, &key.0, &(KEPT_FOR.as_secs() as f64)]).await?;
    // The placeholder row holds the key for the rest of this transaction; it is completed
    // by `finish` before commit, so no other transaction ever sees it half-done.
    let stmt = tx
        .prepare_cached(
            "insert into idempotency_key (principal, key, request_hash, response_status, response_body)
             values ($1, $2, $3, 0, 'null') on conflict on constraint idempotency_key_pkey do nothing",
        )
        .await?;
    if tx.execute(&stmt, &[&principal, &key.0, &request_hash]).await? == 1 {
        return Ok(None);
    }
    let stmt = tx
        .prepare_cached(
            "select request_hash, response_status, response_body from idempotency_key
             where principal = $1 and key = $2",
        )
        .await?;
    let row = tx.query_one(&stmt, &[&principal, &key.0]).await?;
    let stored_hash: String = row.get(0);
    if stored_hash != request_hash {
        return Err(BeginError::Mismatch);
    }
    let status: i16 = row.get(1);
    Ok(Some(Stored { status: status as u16, body: row.get(2) }))
}

/// Stores the response for `key` (same transaction as `begin`).
pub async fn finish(
    tx: &impl GenericClient,
    principal: &str,
    key: &Key,
    stored: &Stored,
) -> Result<(), tokio_postgres::Error> {
    let stmt = tx
        .prepare_cached(
            "update idempotency_key set response_status = $3, response_body = $4
             where principal = $1 and key = $2",
        )
        .await?;
    tx.execute(&stmt, &[&principal, &key.0, &(stored.status as i16), &stored.body]).await?;
    Ok(())
}

/// Why a key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BeginError {
    /// The key was used before with a different request.
    #[error("idempotency key reused with a different request")]
    Mismatch,
    #[error(transparent)]
    Db(#[from] tokio_postgres::Error),
}

impl BeginError {
    pub fn mismatch_problem() -> Problem {
        Problem::of(crate::problem::Kind::IdempotencyKeyReused)
            .with_detail("This Idempotency-Key was already used with a different request.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_must_be_short_visible_ascii() {
        assert!(Key::parse("retry-1").is_ok());
        for (raw, case) in [("", "empty"), ("a b", "space"), ("ключ", "non-ASCII"), (&"x".repeat(256), "too long")]
        {
            assert_eq!(Key::parse(raw).unwrap_err().status, 422, "{case}");
        }
    }

    #[test]
    fn the_fingerprint_separates_method_path_and_body_and_depends_on_the_secret() {
        let one = Fingerprints::new(&SecretString::from("secret-one-of-sixteen"));
        let two = Fingerprints::new(&SecretString::from("secret-two-of-sixteen"));
        assert_ne!(one.of("POST", "/a", b"b"), one.of("POST", "/ab", b""));
        assert_eq!(one.of("POST", "/a", b"{}"), one.of("POST", "/a", b"{}"));
        assert_ne!(one.of("POST", "/a", b"{}"), two.of("POST", "/a", b"{}"));
        assert!(!format!("{one:?}").contains("secret"));
    }
}
