//! The workbench (issue 35): one web application where the people who keep the registers
//! log in and do their work. So far its login and its sessions: a person logs in at the
//! OpenID provider ([`login`]) and the workbench keeps a session for them ([`session`]),
//! acting at every register with the person's own token. The desks come next.

pub mod login;
pub mod session;
