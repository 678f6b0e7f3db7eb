//! The words of the bans register that other registers read: KvK checks an officer by
//! role, the certificates register learns the role of a banned officer.

crate::text_enum! {
    /// What an officer is at an agency (the roles a ban covers).
    pub enum OfficerRole {
        Owner = "owner",
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
    pub role: OfficerRole,
    pub linked_kvk: String,
    pub certificate_id: uuid::Uuid,
    /// Why it ended (a revocation ground, or the sanction a withdrawal escaped).
    pub ground: crate::certificate::Ground,
    pub ended_on: chrono::NaiveDate,
    pub waits_until: chrono::NaiveDate,
}

/// Whether a ban that starts on `starts_on`, ends on `ends_on` (if it ends) and was lifted
/// on `lifted_on` (if it was) is in force on `day`: the one rule the bans register answers
/// a person check with and KvK's registration check applies to that answer.
pub fn in_force(
    starts_on: chrono::NaiveDate,
    ends_on: Option<chrono::NaiveDate>,
    lifted_on: Option<chrono::NaiveDate>,
    day: chrono::NaiveDate,
) -> bool {
    starts_on <= day && ends_on.is_none_or(|e| e >= day) && lifted_on.is_none_or(|l| l > day)
}

/// A ban as a person check answers it (the read contract of `POST /api/v1/person-checks`):
/// its term and the roles it covers, never who.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BanTerm {
    pub starts_on: chrono::NaiveDate,
    pub ends_on: Option<chrono::NaiveDate>,
    pub lifted_on: Option<chrono::NaiveDate>,
    pub roles_covered: Vec<OfficerRole>,
}

impl BanTerm {
    /// Whether it covers `role` on `day`.
    pub fn covers(&self, role: OfficerRole, day: chrono::NaiveDate) -> bool {
        in_force(self.starts_on, self.ends_on, self.lifted_on, day) && self.roles_covered.contains(&role)
    }
}

/// What a person check answers: the bans of the person, if any.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PersonCheck {
    pub bans: Vec<BanTerm>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> chrono::NaiveDate {
        s.parse().expect("a date")
    }

    #[test]
    fn a_ban_is_in_force_from_its_first_to_its_last_day_until_the_day_it_is_lifted() {
        let ban = BanTerm {
            starts_on: d("2026-01-01"),
            ends_on: Some(d("2026-12-31")),
            lifted_on: Some(d("2026-07-01")),
            roles_covered: vec![OfficerRole::Director],
        };
        assert!(!ban.covers(OfficerRole::Director, d("2025-12-31")));
        assert!(ban.covers(OfficerRole::Director, d("2026-01-01")));
        assert!(ban.covers(OfficerRole::Director, d("2026-06-30")));
        assert!(!ban.covers(OfficerRole::Director, d("2026-07-01")), "lifted");
        assert!(!ban.covers(OfficerRole::Owner, d("2026-03-01")), "another role");
        assert!(in_force(d("2026-01-01"), Some(d("2026-12-31")), None, d("2026-12-31")), "its last day");
        assert!(!in_force(d("2026-01-01"), Some(d("2026-12-31")), None, d("2027-01-01")));
    }
}
