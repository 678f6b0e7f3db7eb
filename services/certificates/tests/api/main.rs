#![expect(clippy::unwrap_used, reason = "tests fail by panicking")]

mod errors;
mod events;
mod helpers;
mod lifecycle;
mod openapi;
mod reentry;
mod sanctions;
mod seals;
