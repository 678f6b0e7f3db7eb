//! The registers' signed status lists as last published: what the status list route
//! serves and the publication task replaces (`status_lists` makes them).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use zegel_attest::Register;

#[derive(Debug, Clone)]
pub struct Published {
    /// The `statuslist+jwt`.
    pub token: String,
    /// Its ETag (SHA-256 of the token).
    pub etag: String,
    /// When it was made (seconds since the epoch).
    pub issued_at: i64,
    /// Its `ttl` (seconds).
    pub ttl: i64,
    pub seals: usize,
    /// How many it does not call valid.
    pub not_valid: usize,
    /// Milliseconds to read, judge, compress and sign it.
    pub build_ms: u128,
    /// Of those, until the standing of every sealed agency was read and judged (only the
    /// certificates register's list reads any; 0 for a list taken as shared).
    pub standings_ms: u128,
    /// Whether this lookup made it (else it took the one another lookup published).
    pub made_here: bool,
}

/// The ETag of a document the lookup serves as it is (a status list, the trust list): the
/// SHA-256 of its bytes, quoted.
pub(crate) fn etag_of(document: &str) -> String {
    use sha2::Digest;
    format!("\"{:x}\"", sha2::Sha256::digest(document.as_bytes()))
}

/// The list in force per register, and how many this lookup made of each.
#[derive(Debug, Default)]
pub struct Lists(RwLock<HashMap<Register, (Arc<Published>, u64)>>);

impl Lists {
    /// The list of `register` in force, if one was made.
    pub fn get(&self, register: Register) -> Option<Arc<Published>> {
        self.0.read().ok().and_then(|m| m.get(&register).map(|(list, _)| list.clone()))
    }

    /// How many lists of `register` this lookup has made since it started.
    pub fn made(&self, register: Register) -> u64 {
        self.0.read().ok().and_then(|m| m.get(&register).map(|(_, made)| *made)).unwrap_or(0)
    }

    pub(crate) fn put(&self, register: Register, list: Published) {
        if let Ok(mut m) = self.0.write() {
            let made = m.get(&register).map_or(0, |(_, made)| *made) + u64::from(list.made_here);
            m.insert(register, (Arc::new(list), made));
        }
    }
}
