//! Test harness: the bans register on port 0 against a fresh database.

use zegel_bans::Bans;

/// The bans register under test (client, state, clock, Redis prefix, database).
pub type TestApp = zegel_testkit::Running<Bans>;

/// Starts the bans register on port 0 against a fresh database, with its sweep slowed to an hour.
pub async fn spawn_app() -> TestApp {
    zegel_testkit::start::<Bans>(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"), |s| {
        s.own.sweep_interval_secs = 3600;
    })
    .await
}
