//! The test kit every Zegel test suite shares — never linked into a service binary.
//!
//! - [`TestDb`]: a fresh database per test, cloned from a migrated template.
//! - [`TestPrefix`], [`RedisProxy`], [`events`], [`publish`]: Redis per test, cut on demand,
//!   and the event stream.
//! - [`issuer`], [`DevIssuer`]: an ephemeral token key and its JWKS file.
//! - [`pki`]: an ephemeral suite CA, a seal key per register, and a signed trust list.
//! - [`spawn`], [`common_settings`]: a service on its own thread and runtime, as in its own
//!   process, with the test's database and Redis prefix.
//! - [`openapi`], [`contract_violations`], [`shape_violations`]: the contracts.
//! - [`Client`], [`Receiver`]: HTTP in both directions.
//! - [`Streaming`]: a private primary and its streaming standby (reads from a replica).

pub mod client;
pub mod db;
pub mod events;
pub mod openapi;
pub mod pki;
pub mod receiver;
pub mod redis;
pub mod spawn;
pub mod streaming;
pub mod tokens;

pub use client::{Client, Reply};
pub use db::{TestDb, admin_url, db_url, redis_url};
pub use openapi::{MatrixRow, authorization_matrix, contract_violations, openapi, shape_violations};
pub use pki::{TestPki, pki};
pub use receiver::{Received, Receiver};
pub use redis::{RedisProxy, TestPrefix, accreditation, events, publish, publish_signed_by, wait_for_events};
pub use spawn::{Instance, Running, common_settings, common_settings_for, spawn, spawn_on, start, start_at};
pub use streaming::Streaming;
pub use tokens::{DevIssuer, issuer};
