#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod catchers;
#[cfg(feature = "accounts")]
mod config;
mod cors;
mod extract;
mod fairing;
mod permission;
#[cfg(feature = "accounts")]
mod routes;
mod view;

pub use catchers::catchers;
#[cfg(feature = "accounts")]
pub use config::config_from_figment;
pub use cors::CorsFairing;
pub use extract::{Authenticated, Authorized, MaybeAuthenticated, TokenRejection};
pub use fairing::TokenGateFairing;
pub use permission::{DocumentRead, DocumentWrite, RequiredPermission};
#[cfg(feature = "accounts")]
pub use routes::{
    cs_token, healthz, jwks, login, logout, me, openapi, refresh, routes, session_login,
    session_logout, session_refresh, signup, WholeRequest,
};
pub use view::ReplyResponder;

/// The guide to tokengate with this framework.
pub mod guide {
    #![doc = include_str!("../guide.md")]
}

/// The core crate, re-exported.
pub use tokengate;
