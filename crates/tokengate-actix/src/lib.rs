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
    body_route, claims_route, configure, gateway_route, method_not_allowed, not_allowed, not_found,
    open_route, service_route, view_route,
};
pub use tokengate::token::RequiredPermission;
pub use tokengate::{DocumentRead, DocumentWrite, Scope};

/// The guide to tokengate with this framework.
pub mod guide {
    #![doc = include_str!("../guide.md")]
}

/// The core crate, re-exported.
pub use tokengate;
