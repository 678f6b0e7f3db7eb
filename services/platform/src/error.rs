//! The error type the registers without errors of their own share, and the one place it
//! becomes a problem. (The certificates register has its own: its lifecycle adds kinds.)

use crate::problem::{FieldError, Problem};

/// Everything that can go wrong in a request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Already shaped for the client (authentication, body parsing, rate limit).
    #[error("{}", .0.title)]
    Client(Problem),
    /// The caller may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Nothing there.
    #[error("not found: {0}")]
    NotFound(String),
    /// Fields do not validate.
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    /// Another state conflict.
    #[error("{detail}")]
    Conflict {
        /// Which kind of conflict (its slug, status and title).
        kind: crate::problem::Kind,
        /// What conflicts.
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
    /// A statement failed.
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
            Error::Pool(e) => {
                tracing::error!(request.id = request_id, error = %e, "database pool exhausted or unreachable");
                Problem::unavailable()
            }
            Error::Db(e) => {
                tracing::error!(request.id = request_id, error = ?e, "database statement failed");
                Problem::internal()
            }
        }
    }
}

/// Shorthand.
pub type Result<T, E = Error> = std::result::Result<T, E>;
