//! What every handler of the deposits register shares.

use crate::config::Own;

/// What every handler shares: the platform's parts, the settings and the seal desk.
pub type AppState = zegel_desk::Sealing<Own, crate::error::Error>;
