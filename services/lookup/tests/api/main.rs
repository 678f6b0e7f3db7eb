#![expect(clippy::unwrap_used, reason = "tests fail by panicking")]

mod helpers;
mod openapi;
mod statements;
mod trust_list;
mod verdicts;
