//! The words of the bans register that other registers read: KvK checks an officer by
//! role, the certificates register learns the role of a banned officer.

crate::text_enum! {
    /// What an officer is at an agency (the roles a ban covers).
    pub enum OfficerRole {
        /// Owner.
        Owner = "owner",
        /// Statutory director.
        Director = "director",
        /// De facto manager (feitelijk leidinggevende).
        DeFactoManager = "de_facto_manager",
    }
}

crate::text_enum! {
    /// Who imposed a ban: the basis decides who may impose and lift it, and how long it
    /// may last.
    pub enum Basis {
        /// Imposed by the inspectorate or the tax authority.
        Administrative = "administrative",
        /// Ordered by a court; recorded by an admin.
        Civil = "civil",
    }
}

/// A link the bans register finds (its phoenix radar): a current officer of an agency ran
/// another agency whose certificate ended with a waiting period still running. Never who:
/// the certificates register refuses an entry on it, the inspectorate follows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OfficerLink {
    /// Their role at the agency asked about.
    pub role: OfficerRole,
    pub linked_kvk: String,
    /// Its certificate that ended.
    pub certificate_id: uuid::Uuid,
    /// Why it ended (a revocation ground, or the sanction a withdrawal escaped).
    pub ground: crate::certificate::Ground,
    /// The day it ended.
    pub ended_on: chrono::NaiveDate,
    /// The last day of the waiting period it started.
    pub waits_until: chrono::NaiveDate,
}
