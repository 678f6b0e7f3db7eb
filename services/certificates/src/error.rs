//! The one error type of the certificates service, and the one place it becomes a problem.

use platform::Problem;
use platform::problem::FieldError;
use platform::problem::Kind;

use crate::domain::RequirementCode;
use crate::domain::lifecycle::{Action, Status};

/// Everything that can go wrong in a request or a sweep: what every register can meet
/// ([`Shared`]), and what only the certificates' lifecycle and requirements add.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// What every register can meet: the client's problem, a refusal, nothing there, bad
    /// fields, a conflict, corrupt data, a reused key, the database.
    #[error(transparent)]
    Shared(#[from] Shared),
    /// The certificate's status does not allow the action.
    #[error("cannot {action:?} a {from:?} certificate")]
    IllegalTransition { from: Status, action: Action },
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
}

pub use platform::error::Error as Shared;

/// The shared kinds by name, so that a handler says `Error::forbidden(..)` as in any
/// register.
impl Error {
    /// A problem already shaped for the client (authentication, body parsing).
    pub fn client(p: Problem) -> Self {
        Shared::Client(p).into()
    }
    /// The caller may not do this.
    pub fn forbidden(detail: String) -> Self {
        Shared::Forbidden(detail).into()
    }
    /// Nothing by that id (or nothing the caller may know of).
    pub fn not_found(detail: String) -> Self {
        Shared::NotFound(detail).into()
    }
    /// Fields do not validate.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        Shared::Invalid(errors).into()
    }
    pub fn conflict(kind: Kind, detail: String) -> Self {
        Shared::Conflict { kind, detail }.into()
    }
    /// Stored data that cannot be: a bug or tampering, never the client's fault.
    pub fn corrupt(what: &'static str) -> Self {
        Shared::Corrupt(what).into()
    }
}

impl From<Problem> for Error {
    fn from(p: Problem) -> Self {
        Error::client(p)
    }
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Self {
        Error::invalid(vec![e])
    }
}

impl From<platform::idempotency::BeginError> for Error {
    fn from(e: platform::idempotency::BeginError) -> Self {
        Shared::from(e).into()
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        Shared::Db(e).into()
    }
}

impl From<deadpool_postgres::PoolError> for Error {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        Shared::Pool(e).into()
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
            Error::Shared(e) => e.to_problem(request_id),
            Error::IllegalTransition { from, action } => Problem::conflict(
                Kind::IllegalTransition,
                format!("A {} certificate cannot {}.", from.as_str(), action.as_str().replace('_', " ")),
            )
            .with_extension("certificate_status", serde_json::json!(from.as_str())),
            Error::Unmet(unmet) => unmet_problem(unmet),
            Error::PastDeadline(open) => past_deadline_problem(open),
            Error::EntryTest(missing) => entry_test_problem(missing),
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
        }
    }
}

/// Certification asked with requirements unmet: each, with why.
fn unmet_problem(unmet: &[(RequirementCode, String)]) -> Problem {
    Problem::of(Kind::RequirementsUnmet)
        .with_detail("Every requirement must be met: recorded as met, or confirmed by the register that holds it.")
        .with_errors(
            unmet
                .iter()
                .map(|(code, why)| FieldError::new(format!("/requirements/{}", code.as_str()), why.clone()))
                .collect(),
        )
        .with_extension("unmet", serde_json::json!(unmet.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>()))
}

/// Reinstatement asked with deficiencies open past their deadlines: each.
fn past_deadline_problem(open: &[crate::domain::requirement::Deficiency]) -> Problem {
    Problem::of(Kind::RequirementsUnmet)
        .with_detail("Every deficiency past its deadline must be resolved before the certificate is reinstated.")
        .with_errors(
            open.iter()
                .map(|d| {
                    FieldError::new(
                        format!("/deficiencies/{}", d.deficiency_id),
                        format!("open past its deadline {}: {}", d.remedy_by, d.description),
                    )
                })
                .collect(),
        )
}

/// A starter failing the entry test: each requirement with the standing's reason.
fn entry_test_problem(missing: &[(RequirementCode, zegel_contracts::agency::Reason)]) -> Problem {
    Problem::of(Kind::RequirementsUnmet)
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
        .with_extension("reason_codes", serde_json::json!(missing.iter().map(|(_, r)| *r).collect::<Vec<_>>()))
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
