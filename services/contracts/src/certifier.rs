//! Which certification body holds an agency, as every register that lets a body read about
//! its own agencies learns it from the certificates register's events (advice 2.1 A: the
//! body assesses the agencies it certifies). The rule is here, once; each register keeps
//! what it learned in its own tables (`platform::certifier`).

use uuid::Uuid;

use crate::event::Body;

/// What one event says about who holds whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hold<'a> {
    /// The body holds the agency's application or certificate from now on (a new
    /// certificate, provisional or full, replaces an earlier one).
    Starts { kvk_number: &'a str, certification_body_id: &'a str, certificate_id: Uuid },
    /// The certificate ended (revoked, lapsed, withdrawn): its body holds the agency no more.
    Ends { certificate_id: Uuid },
    /// The accreditation council granted or withdrew a body's accreditation: a body that is
    /// not accredited holds nothing, whatever it held.
    Accredited {
        certification_body_id: &'a str,
        /// Granted (`true`) or withdrawn.
        accredited: bool,
    },
}

/// What `body` says about who holds whom; `None` for every event that says nothing about it.
pub fn hold(body: &Body) -> Option<Hold<'_>> {
    Some(match body {
        Body::CertificateProvisionalIssued(i) | Body::CertificateIssuedFull(i) => Hold::Starts {
            kvk_number: &i.kvk_number,
            certification_body_id: &i.certification_body_id,
            certificate_id: i.certificate_id,
        },
        Body::CertificateRevoked(c) | Body::CertificateLapsed(c) | Body::CertificateWithdrawn(c) => {
            Hold::Ends { certificate_id: c.certificate_id }
        }
        Body::CertificateBodyAccreditation(a) => {
            Hold::Accredited { certification_body_id: &a.certification_body_id, accredited: a.accredited }
        }
        _ => return None,
    })
}

/// Whether an event of `kind` may say something about who holds whom (a consumer that
/// reads nothing else skips the others unread).
pub fn concerns(kind: crate::EventType) -> bool {
    use crate::EventType::*;
    matches!(
        kind,
        CertificateProvisionalIssued
            | CertificateIssuedFull
            | CertificateRevoked
            | CertificateLapsed
            | CertificateWithdrawn
            | CertificateBodyAccreditation
    )
}
