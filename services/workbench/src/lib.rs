//! The workbench (issue 35): one web application where the people who keep the registers
//! log in and do their work. A person logs in at the OpenID provider ([`login`]), the
//! workbench keeps a session for them ([`session`]) and acts at every register with the
//! person's own token, so each register decides as it does for anyone and names the person
//! in its audit trail. Desks so far: the certification body's ([`body`]), the housing
//! inspector's ([`inspector`]), the admission authority's ([`admission`]), the Labour
//! Authority's ([`labour`]), the municipality's ([`municipality`]), the agency's
//! ([`agency`]), the housing provider's ([`provider`]), the tax authority's ([`tax`]),
//! the hirer's ([`hirer`]) and the KvK's ([`kvk`]).

pub mod admission;
pub mod agency;
pub mod body;
pub mod config;
pub mod desk;
pub mod hirer;
pub mod i18n;
pub mod inspector;
pub mod kvk;
pub mod labour;
pub mod login;
pub mod municipality;
pub mod page;
pub mod provider;
pub mod registers;
pub mod routes;
pub mod session;
pub mod state;
pub mod tax;

platform::service! {
    /// The workbench.
    Workbench: state::AppState, openapi: "workbench"
}
