//! Test harness: the deposits register on port 0 against a fresh database.

use zegel_deposits::Deposits;

/// The deposits register under test (client, state, clock, Redis prefix, database).
pub type TestApp = zegel_testkit::Running<Deposits>;

/// Starts the deposits register on port 0 against a fresh database, with its sweep slowed to an hour.
pub async fn spawn_app() -> TestApp {
    zegel_testkit::start::<Deposits>(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"), |s| {
        s.own.sweep_interval_secs = 3600;
        let (key, cert) = zegel_testkit::pki().signer_paths(zegel_attest::Register::Deposits);
        (s.own.seal_key, s.own.seal_cert) = (key, cert);
    })
    .await
}
