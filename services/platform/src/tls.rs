//! TLS to the backing services (Postgres, Redis): verified against a configured CA, with
//! the host name checked. Never TLS without verification: that would only look safe.

use std::sync::Arc;

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// Makes ring the process's TLS provider (Redis's client builds its TLS configuration from
/// the process default; reqwest and ours name ring explicitly). Idempotent.
pub fn install_provider() {
    // Err only means a provider is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The certificates of a PEM file (a CA bundle), as bytes for clients that take PEM.
pub fn read_pem(path: &str) -> Result<Vec<u8>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    roots(&pem, path)?;
    Ok(pem)
}

/// The trust anchors in `pem`; at least one is required.
fn roots(pem: &[u8], path: &str) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| format!("{path}: not a PEM certificate bundle: {e}"))?;
        store.add(cert).map_err(|e| format!("{path}: unusable CA certificate: {e}"))?;
    }
    if store.is_empty() {
        return Err(format!("{path}: holds no certificate"));
    }
    Ok(store)
}

/// A client configuration that trusts only the CAs in the PEM file at `path` and checks
/// the server's name.
pub fn client_config(path: &str) -> Result<rustls::ClientConfig, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    trusting(roots(&pem, path)?)
}

/// A client configuration (ring, safe protocol versions) that trusts `store` only; an
/// empty store for a connector that is never used to encrypt.
pub fn trusting(store: RootCertStore) -> Result<rustls::ClientConfig, String> {
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(store)
        .with_no_client_auth())
}
