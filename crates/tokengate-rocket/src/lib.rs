#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod catchers;
#[cfg(feature = "accounts")]
mod config;
mod extract;
mod fairing;
#[cfg(feature = "accounts")]
mod routes;
mod view;

pub use catchers::catchers;
#[cfg(feature = "accounts")]
pub use config::config_from_figment;
pub use extract::{Authenticated, Authorized, MaybeAuthenticated, Scoped, TokenRejection};
pub use fairing::{CorsFairing, TokenGateFairing};
#[cfg(feature = "accounts")]
pub use routes::{
    cs_token, healthz, jwks, login, logout, me, openapi, openid_configuration, refresh, routes,
    session_login, session_logout, session_refresh, signup, WholeRequest,
};
pub use tokengate::{DocumentRead, DocumentWrite, RequiredPermission, Scope};
pub use view::ReplyResponder;

/// The guide to tokengate with this framework.
pub mod guide {
    #![doc = include_str!("../guide.md")]
}

/// The core crate, re-exported.
pub use tokengate;
