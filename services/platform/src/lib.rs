//! The Zegel platform: everything the register services share, and nothing that belongs
//! to one register's domain.
//!
//! A service builds on it in a fixed order: [`config`] loads typed settings, [`db`] opens
//! the pool and runs the migrations of its own schema, [`bus`] connects Redis, [`auth`]
//! verifies bearer tokens, [`http`] supplies the request plumbing and the one `recover`,
//! [`audit`], [`outbox`] and [`idempotency`] make every state change traceable and safe
//! to retry, and [`server`] runs the whole thing until it is told to stop.

pub mod audit;
pub mod auth;
pub mod bus;
pub mod certifier;
pub mod clock;
pub mod complaint;
pub mod config;
pub mod consumer;
pub mod core;
pub mod db;
pub mod dossier;
pub mod error;
pub mod event;
pub mod http;
pub mod idempotency;
pub mod ids;
pub mod keyed;
pub mod limiter;
pub mod outbox;
pub mod problem;
pub mod provenance;
pub mod request;
pub mod server;
pub mod shell;
pub mod telemetry;
pub mod tls;
pub mod trace;
/// The closed vocabularies live in `zegel-contracts`; the services name them through here too.
pub use zegel_contracts::{text_enum, vocab};
pub mod write;

pub use problem::Problem;
