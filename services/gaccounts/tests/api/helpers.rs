//! Test harness: the G-account register on port 0 against a fresh database.

use zegel_gaccounts::Gaccounts;

/// The g-account register under test (client, state, clock, Redis prefix, database).
pub type TestApp = zegel_testkit::Running<Gaccounts>;

/// Starts the G-account register on port 0 against a fresh database, with its sweep slowed to an hour.
pub async fn spawn_app() -> TestApp {
    zegel_testkit::start::<Gaccounts>(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"), |s| {
        let (key, cert) = zegel_testkit::pki().signer_paths(zegel_attest::Register::Gaccounts);
        (s.own.seal_key, s.own.seal_cert) = (key, cert);
    })
    .await
}

/// A valid Dutch G-account IBAN (099 after the bank code).
pub fn g_iban(n: u32) -> String {
    zegel_gaccounts::domain::Iban::dutch("INGB", &format!("099{n:07}"))
}
