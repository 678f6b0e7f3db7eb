//! The one error type of the lookup service, and its mapping to problems.
//!
//! Verification itself never fails with an error: every outcome is a verdict. Errors are
//! what happens around it (rate limits, unknown paths).

use platform::Problem;

/// What can go wrong in a request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Already shaped for the client.
    #[error("{}", .0.title)]
    Client(Problem),
    /// Nothing there.
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
    Unavailable(#[from] crate::agency::Unavailable),
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
    /// The problem the client sees.
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
        }
    }
}
