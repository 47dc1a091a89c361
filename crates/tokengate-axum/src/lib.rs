#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod cors;
mod extract;
mod layer;
mod permission;
#[cfg(feature = "accounts")]
mod routes;
#[cfg(feature = "accounts")]
mod state;
mod view;

pub use cors::{cors_layer, Cors, CorsLayer};
pub use extract::{Authenticated, Authorized, TokenRejection};
pub use layer::{TokenGate, TokenGateLayer};
pub use permission::{DocumentRead, DocumentWrite, RequiredPermission};
#[cfg(feature = "accounts")]
pub use routes::{
    cs_token, healthz, jwks, login, logout, me, method_not_allowed, not_found, openapi, refresh,
    routes, session_login, session_logout, session_refresh, signup,
};

#[cfg(feature = "accounts")]
pub use state::TokenState;

/// The guide to tokengate with this framework.
pub mod guide {
    #![doc = include_str!("../guide.md")]
}

/// The core crate, re-exported.
pub use tokengate;
