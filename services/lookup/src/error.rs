//! The one error type of the lookup service, and its mapping to problems.
//!
//! Verification itself never fails with an error: every outcome is a verdict. Errors are
//! what happens around it (rate limits, unknown paths).

use platform::Problem;

/// Why a check could not be made.
#[derive(Debug, thiserror::Error)]
#[error("a register could not be read: {0}")]
pub struct Unavailable(pub String);

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}", .0.title)]
    Client(Problem),
    #[error("not found: {0}")]
    NotFound(&'static str),
    /// A page did not render (logged where it happened).
    #[error("internal")]
    Internal,
    /// Fields do not validate.
    #[error("invalid request")]
    Invalid(Vec<platform::problem::FieldError>),
    /// A register could not be read (logged here, once).
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
    /// No database connection could be had in time.
    #[error("database pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("database: {0}")]
    Db(#[from] tokio_postgres::Error),
}

impl From<platform::idempotency::BeginError> for Error {
    fn from(e: platform::idempotency::BeginError) -> Self {
        match e {
            platform::idempotency::BeginError::Mismatch => {
                Error::Client(platform::idempotency::BeginError::mismatch_problem())
            }
            platform::idempotency::BeginError::Db(e) => Error::Db(e),
        }
    }
}

impl platform::core::ServiceError for Error {
    fn to_problem(&self, request_id: &str) -> Problem {
        match self {
            Error::Pool(e) => platform::error::pool_problem(e, request_id),
            Error::Db(e) => platform::error::database_problem(e, request_id),
            other => other.to_problem(),
        }
    }
}

impl From<platform::problem::FieldError> for Error {
    fn from(e: platform::problem::FieldError) -> Self {
        Error::Invalid(vec![e])
    }
}

impl From<Problem> for Error {
    fn from(p: Problem) -> Self {
        Error::Client(p)
    }
}

impl Error {
    pub fn to_problem(&self) -> Problem {
        match self {
            Error::Client(p) => p.clone(),
            Error::NotFound(detail) => Problem::not_found(*detail),
            Error::Internal => Problem::internal(),
            Error::Invalid(errors) => Problem::validation(errors.clone()),
            Error::Unavailable(e) => {
                tracing::warn!(error = %e, "hirer check unavailable");
                Problem::unavailable()
            }
            Error::Pool(_) => Problem::unavailable(),
            Error::Db(_) => Problem::internal(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
