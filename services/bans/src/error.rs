//! Errors of the bans register: the shared register error, mapped to problems in one
//! place (`platform::error`).

pub use platform::error::{Error, Result};
