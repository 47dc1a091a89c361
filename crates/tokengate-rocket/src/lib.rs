#![doc = include_str!("../README.md")]

mod catchers;
mod config;
mod cors;
mod extract;
mod fairing;
mod permission;
mod routes;
mod view;

pub use catchers::catchers;
pub use config::config_from_figment;
pub use extract::{Authenticated, MaybeAuthenticated, TokenRejection};
pub use fairing::TokenGateFairing;
pub use permission::{Authorized, DocumentRead, DocumentWrite, RequiredPermission};
pub use routes::{cs_token, healthz, jwks, login, logout, me, refresh, routes, signup, Headers};
pub use view::ReplyResponder;

/// The core crate, re-exported.
pub use tokengate;
