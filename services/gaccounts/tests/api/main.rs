#![expect(clippy::unwrap_used, reason = "tests fail by panicking")]

mod accounts;
mod helpers;
mod openapi;
