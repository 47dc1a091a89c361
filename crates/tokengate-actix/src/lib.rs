#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod cors;
mod extract;
mod middleware;
mod permission;
#[cfg(feature = "accounts")]
mod routes;
mod view;

pub use cors::{cors, Cors, CorsMiddleware};
pub use extract::{Authenticated, Authorized, MaybeAuthenticated, TokenRejection};
pub use middleware::{TokenGate, TokenGateMiddleware};
pub use permission::{DocumentRead, DocumentWrite, RequiredPermission};
#[cfg(feature = "accounts")]
pub use routes::{
    configure, cs_token, healthz, jwks, login, logout, me, method_not_allowed, not_allowed,
    not_found, openapi, refresh, session_login, session_logout, session_refresh, signup,
};

/// The guide to tokengate with this framework.
pub mod guide {
    #![doc = include_str!("../guide.md")]
}

/// The core crate, re-exported.
pub use tokengate;
