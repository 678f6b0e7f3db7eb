//! The error type the registers without errors of their own share, and the one place it
//! becomes a problem. (The certificates register has its own: its lifecycle adds kinds.)

use crate::problem::{FieldError, Problem};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Already shaped for the client (authentication, body parsing, rate limit).
    #[error("{}", .0.title)]
    Client(Problem),
    /// The caller may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    /// Fields do not validate.
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    #[error("{detail}")]
    Conflict {
        /// Which kind of conflict (its slug, status and title).
        kind: crate::problem::Kind,
        detail: String,
    },
    /// Stored data that cannot be.
    #[error("corrupt data: {0}")]
    Corrupt(&'static str),
    /// The Idempotency-Key was used for another request.
    #[error("idempotency key reused")]
    IdempotencyKeyReused,
    /// No database connection could be had in time.
    #[error("database pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("database: {0}")]
    Db(#[from] tokio_postgres::Error),
}

impl From<Problem> for Error {
    fn from(p: Problem) -> Self {
        Error::Client(p)
    }
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Self {
        Error::Invalid(vec![e])
    }
}

impl From<crate::idempotency::BeginError> for Error {
    fn from(e: crate::idempotency::BeginError) -> Self {
        match e {
            crate::idempotency::BeginError::Mismatch => Error::IdempotencyKeyReused,
            crate::idempotency::BeginError::Db(e) => Error::Db(e),
        }
    }
}

impl Error {
    /// The problem the client sees; infrastructure causes are logged here, once.
    pub fn to_problem(&self, request_id: &str) -> Problem {
        match self {
            Error::Client(p) => p.clone(),
            Error::Forbidden(d) => Problem::forbidden(d.clone()),
            Error::NotFound(d) => Problem::not_found(d.clone()),
            Error::Invalid(errors) => Problem::validation(errors.clone()),
            Error::Conflict { kind, detail } => Problem::conflict(*kind, detail.clone()),
            Error::IdempotencyKeyReused => crate::idempotency::BeginError::mismatch_problem(),
            Error::Corrupt(what) => {
                tracing::error!(request.id = request_id, corrupt = what, "stored data is corrupt");
                Problem::internal()
            }
            Error::Pool(e) => pool_problem(e, request_id),
            Error::Db(e) => database_problem(e, request_id),
        }
    }
}

/// The problem for a pool that gave no connection in time: 503, the cause logged once.
pub fn pool_problem(e: &deadpool_postgres::PoolError, request_id: &str) -> Problem {
    tracing::error!(request.id = request_id, error = %e, "database pool exhausted or unreachable");
    Problem::unavailable()
}

/// The problem for a statement that failed, the cause logged once. The database gone
/// away — restarting, shutting down, the connection closed or broken — is a 503
/// `unavailable` the client may retry (with its Idempotency-Key, a write is not done
/// twice); anything else is a 500 without detail.
pub fn database_problem(e: &tokio_postgres::Error, request_id: &str) -> Problem {
    if database_gone(e) {
        tracing::error!(request.id = request_id, error = %e, "database unreachable during the request");
        Problem::unavailable()
    } else {
        tracing::error!(request.id = request_id, error = ?e, "database statement failed");
        Problem::internal()
    }
}

/// Whether a statement failed because the database went away rather than because of the
/// statement: a closed or broken connection, a connection exception (SQLSTATE class 08),
/// or the server shutting down, crashing or starting (57P01, 57P02, 57P03).
pub fn database_gone(e: &tokio_postgres::Error) -> bool {
    use std::error::Error as _;
    if e.is_closed() {
        return true;
    }
    if let Some(code) = e.code() {
        let code = code.code();
        return code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03");
    }
    e.source().is_some_and(|s| s.is::<std::io::Error>())
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
