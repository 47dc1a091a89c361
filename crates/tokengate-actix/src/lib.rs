#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod cors;
mod extract;
mod middleware;
#[cfg(feature = "accounts")]
mod routes;
mod view;

pub use cors::{cors, Cors, CorsMiddleware};
pub use extract::{Authenticated, Authorized, MaybeAuthenticated, Scoped, TokenRejection};
pub use middleware::{TokenGate, TokenGateMiddleware};
#[cfg(feature = "accounts")]
pub use routes::{
    configure, cs_token, healthz, jwks, login, logout, me, method_not_allowed, not_allowed,
    not_found, openapi, openid_configuration, refresh, session_login, session_logout,
    session_refresh, signup,
};
pub use tokengate::{DocumentRead, DocumentWrite, RequiredPermission, Scope};

/// The guide to tokengate with this framework.
pub mod guide {
    #![doc = include_str!("../guide.md")]
}

/// The core crate, re-exported.
pub use tokengate;
