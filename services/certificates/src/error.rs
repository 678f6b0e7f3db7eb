//! The one error type of the certificates service, and the one place it becomes a problem.

use platform::Problem;
use platform::problem::FieldError;
use platform::problem::Kind;

use crate::domain::RequirementCode;
use crate::domain::lifecycle::{Action, Status};

/// Everything that can go wrong in a request or a sweep.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A problem already shaped for the client (authentication, body parsing).
    #[error("{}", .0.title)]
    Client(Problem),
    /// The caller may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Nothing by that id.
    #[error("not found: {0}")]
    NotFound(String),
    /// Fields do not validate.
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    /// The certificate's status does not allow the action.
    #[error("cannot {action:?} a {from:?} certificate")]
    IllegalTransition {
        /// Current status.
        from: Status,
        /// What was tried.
        action: Action,
    },
    /// A state conflict other than a transition.
    #[error("{detail}")]
    Conflict {
        /// Which kind of conflict.
        kind: Kind,
        /// What conflicts.
        detail: String,
    },
    /// Certification asked with requirements unmet.
    #[error("requirements unmet")]
    Unmet(Vec<(RequirementCode, String)>),
    /// Reinstatement asked while deficiencies are open past their deadlines.
    #[error("deficiencies past their deadline")]
    PastDeadline(Vec<crate::domain::requirement::Deficiency>),
    /// A provisional certificate asked for a starter that fails the entry test: each
    /// failing requirement with the standing's reason.
    #[error("entry test failed")]
    EntryTest(Vec<(RequirementCode, zegel_contracts::agency::Reason)>),
    /// The agency's past refuses the certificate asked for (`domain::reentry`).
    #[error("re-entry refused")]
    ReentryRefused(crate::domain::reentry::Refusal),
    /// Another register could not be asked; nothing was changed.
    #[error(transparent)]
    RegisterUnreachable(#[from] crate::registers::Unreachable),
    /// The Idempotency-Key was used for another request.
    #[error("idempotency key reused")]
    IdempotencyKeyReused,
    /// Stored data that cannot be: a bug or tampering, never the client's fault.
    #[error("corrupt data: {0}")]
    Corrupt(&'static str),
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

impl From<platform::idempotency::BeginError> for Error {
    fn from(e: platform::idempotency::BeginError) -> Self {
        match e {
            platform::idempotency::BeginError::Mismatch => Error::IdempotencyKeyReused,
            platform::idempotency::BeginError::Db(e) => Error::Db(e),
        }
    }
}

/// What the shared pieces (the seal desk) report, in this register's terms.
impl From<platform::error::Error> for Error {
    fn from(e: platform::error::Error) -> Self {
        use platform::error::Error as Shared;
        match e {
            Shared::Client(p) => Error::Client(p),
            Shared::Forbidden(d) => Error::Forbidden(d),
            Shared::NotFound(d) => Error::NotFound(d),
            Shared::Invalid(errors) => Error::Invalid(errors),
            Shared::Conflict { kind, detail } => Error::Conflict { kind, detail },
            Shared::Corrupt(what) => Error::Corrupt(what),
            Shared::IdempotencyKeyReused => Error::IdempotencyKeyReused,
            Shared::Pool(e) => Error::Pool(e),
            Shared::Db(e) => Error::Db(e),
        }
    }
}

impl platform::core::ServiceError for Error {
    fn to_problem(&self, request_id: &str) -> Problem {
        Error::to_problem(self, request_id)
    }
}

impl Error {
    /// The problem the client sees. Infrastructure causes are logged here, once, and never shown.
    pub fn to_problem(&self, request_id: &str) -> Problem {
        match self {
            Error::Client(p) => p.clone(),
            Error::Forbidden(detail) => Problem::forbidden(detail.clone()),
            Error::NotFound(detail) => Problem::not_found(detail.clone()),
            Error::Invalid(errors) => Problem::validation(errors.clone()),
            Error::IllegalTransition { from, action } => Problem::conflict(
                Kind::IllegalTransition,
                format!("A {} certificate cannot {}.", from.as_str(), action.as_str().replace('_', " ")),
            )
            .with_extension("certificate_status", serde_json::json!(from.as_str())),
            Error::Conflict { kind, detail } => Problem::conflict(*kind, detail.clone()),
            Error::Unmet(unmet) => Problem::of(Kind::RequirementsUnmet)
                .with_detail(
                    "Every requirement must be met: recorded as met, or confirmed by the register that holds it.",
                )
                .with_errors(
                    unmet
                        .iter()
                        .map(|(code, why)| FieldError::new(format!("/requirements/{}", code.as_str()), why.clone()))
                        .collect(),
                )
                .with_extension("unmet", serde_json::json!(unmet.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>())),
            Error::PastDeadline(open) => Problem::of(Kind::RequirementsUnmet)
                .with_detail(
                    "Every deficiency past its deadline must be resolved before the certificate is reinstated.",
                )
                .with_errors(
                    open.iter()
                        .map(|d| {
                            FieldError::new(
                                format!("/deficiencies/{}", d.deficiency_id),
                                format!("open past its deadline {}: {}", d.remedy_by, d.description),
                            )
                        })
                        .collect(),
                ),
            Error::EntryTest(missing) => Problem::of(Kind::RequirementsUnmet)
                .with_detail(
                    "A starter's entry test must pass before a provisional certificate: officers registered by KvK \
                     and none banned, the deposit's starter part paid, a G-account requested.",
                )
                .with_errors(
                    missing
                        .iter()
                        .map(|(code, why)| {
                            FieldError::new(
                                format!("/requirements/{}", code.as_str()),
                                crate::domain::requirement::explain(*why),
                            )
                        })
                        .collect(),
                )
                .with_extension("unmet", serde_json::json!(missing.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>()))
                .with_extension("reason_codes", serde_json::json!(missing.iter().map(|(_, r)| *r).collect::<Vec<_>>())),
            Error::ReentryRefused(refusal) => Problem::of(Kind::ReentryRefused)
                .with_detail(refusal.detail.clone())
                .with_extension("earlier_certificate", serde_json::json!(refusal.earlier))
                .with_extension("final_sanction", serde_json::json!(refusal.final_sanction))
                .with_extension("may_apply_from", serde_json::json!(refusal.may_apply_from))
                .with_extension("may_apply_for", serde_json::json!(refusal.may_apply_for))
                .with_extension("linked_agency", serde_json::json!(refusal.linked_agency)),
            Error::RegisterUnreachable(e) => {
                tracing::warn!(request.id = request_id, error = %e, "live requirement check failed");
                Problem::unavailable().with_detail(format!(
                    "The {} register cannot be asked right now; nothing was changed. Retry later.",
                    e.register
                ))
            }
            Error::IdempotencyKeyReused => platform::idempotency::BeginError::mismatch_problem(),
            Error::Pool(e) => platform::error::pool_problem(e, request_id),
            Error::Corrupt(what) => {
                tracing::error!(request.id = request_id, corrupt = what, "stored data is corrupt");
                Problem::internal()
            }
            Error::Db(e) => platform::error::database_problem(e, request_id),
        }
    }
}

/// Shorthand.
pub type Result<T, E = Error> = std::result::Result<T, E>;
