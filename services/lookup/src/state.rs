//! What every handler of the lookup shares, and the trust list in force.

use std::sync::{Arc, RwLock};

use anyhow::Context;
use platform::clock::Clock;
use platform::core::Core;
use zegel_attest::TrustStore;
use zegel_attest::seal::Verified;
use zegel_attest::verdict::Refused;

use crate::config::Own;

/// The trust store, the document it came from, and the seals found genuine under it.
#[derive(Debug, Default)]
pub(crate) struct Trust {
    store: Arc<TrustStore>,
    raw: String,
    etag: String,
    genuine: Arc<Genuine>,
}

/// The seals whose signature checked under one trust list, keyed by the seal itself. A
/// signature never changes, so it is checked once per list; a new list starts empty, so
/// a key withdrawn from the list stops verifying at once.
pub(crate) struct Genuine(quick_cache::sync::Cache<String, Verified>);

impl Genuine {
    fn holding(items: u64) -> Self {
        Self(quick_cache::sync::Cache::new(usize::try_from(items).unwrap_or(usize::MAX).max(1)))
    }
}

impl Default for Genuine {
    fn default() -> Self {
        Self::holding(1)
    }
}

impl std::fmt::Debug for Genuine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Genuine({} seals)", self.0.len())
    }
}

#[derive(Clone, Debug)]
pub struct AppState {
    /// Pool (reads the registers' `seal_status` views), bus, auth (the KvK API), relay
    /// (signals of deregistration checks), the rate limit of every public endpoint, metrics.
    pub core: Core,
    pub clock: Clock,
    pub settings: Arc<Own>,
    /// Signs the receipts of hirer checks (their URLs point at this lookup).
    pub desk: zegel_desk::Desk,
    /// Asks other registers over HTTP (the bans register's person checks).
    pub http: reqwest::Client,
    /// The live status reads of scans, coalesced per register.
    pub reads: crate::reads::Reads,
    /// Where statuses and standings are read: a replica that has caught up, else the primary.
    pub fresh: crate::replica::Fresh,
    /// Seal checks by verdict (`zegel_verdicts_total`).
    pub verdicts: crate::verdicts::Verdicts,
    /// The registers' status lists as last published (`status_lists`).
    pub lists: Arc<crate::published::Lists>,
    pub(crate) trust: Arc<RwLock<Trust>>,
}

impl AppState {
    /// The trust store in force (a cheap clone of an `Arc`).
    pub fn trust(&self) -> Arc<TrustStore> {
        self.trust.read().map(|t| t.store.clone()).unwrap_or_default()
    }

    /// Verifies `seal` offline at `now`: form, signer, signature, register and time window
    /// (`zegel_attest::seal::verify`). A seal found genuine under the trust list in force
    /// is remembered, so that scanning it again costs a lookup instead of an Ed25519
    /// check; the list's expiry and the seal's time window are judged at every scan, and
    /// a seal's live status is never kept here.
    pub fn verify_offline(&self, seal: &str, now: i64) -> Result<Verified, Refused> {
        let (store, genuine) = self.trust.read().map(|t| (t.store.clone(), t.genuine.clone())).unwrap_or_default();
        let verified = match genuine.0.get(seal) {
            Some(known) => known,
            None => {
                let found = zegel_attest::seal::genuine(seal, &store, now)?;
                genuine.0.insert(seal.to_owned(), found.clone());
                found
            }
        };
        zegel_attest::seal::in_force(verified, &store, now)
    }

    pub fn trust_document(&self) -> (Option<String>, String) {
        self.trust.read().map(|t| (Some(t.raw.clone()).filter(|r| !r.is_empty()), t.etag.clone())).unwrap_or_default()
    }

    /// Loads the trust list file if it changed; keeps the current one when the new one fails.
    pub fn reload_trust(&self) -> anyhow::Result<bool> {
        let raw = std::fs::read_to_string(&self.settings.trust_list)
            .with_context(|| format!("cannot read {} (run `just certs`)", self.settings.trust_list))?;
        let raw = raw.trim().to_string();
        if self.trust.read().map(|t| t.raw == raw).unwrap_or(false) {
            return Ok(false);
        }
        let anchor = std::fs::read_to_string(&self.settings.trust_anchor)
            .with_context(|| format!("cannot read {}", self.settings.trust_anchor))?;
        let current = self.trust();
        let (store, refused) = current.newer(&raw, &anchor, self.clock.now().timestamp())?;
        for r in &refused {
            tracing::warn!(trust.refused = %r, "trust list entry refused");
        }
        let etag = crate::published::etag_of(&raw);
        tracing::info!(trust.keys = store.len(), trust.etag = %etag, "trust list loaded");
        if let Some(end) = store.expires_at {
            self.core.metrics.trust_list_not_after(end);
        }
        if let Ok(mut t) = self.trust.write() {
            let genuine = Arc::new(Genuine::holding(self.settings.genuine_seals));
            *t = Trust { store: Arc::new(store), raw, etag, genuine };
        }
        Ok(true)
    }
}

impl platform::core::State for AppState {
    type Error = crate::error::Error;

    fn core(&self) -> &Core {
        &self.core
    }
}
