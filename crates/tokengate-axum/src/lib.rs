#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod cors;
mod extract;
mod layer;
#[cfg(feature = "accounts")]
mod routes;
#[cfg(feature = "accounts")]
mod state;
mod view;

pub use cors::{cors_layer, Cors, CorsLayer};
pub use extract::{Authenticated, Authorized, Scoped, TokenRejection};
pub use layer::{RefusalBody, TokenGate, TokenGateLayer};
#[cfg(feature = "accounts")]
pub use routes::{
    body_route, claims_route, gateway_route, method_not_allowed, not_found, open_route, routes,
    service_route, view_route,
};
pub use tokengate::token::RequiredPermission;
pub use tokengate::{DocumentRead, DocumentWrite, Scope};

#[cfg(feature = "accounts")]
pub use state::TokenState;

/// The guide to tokengate with this framework.
pub mod guide {
    #![doc = include_str!("../guide.md")]
}

/// The core crate, re-exported.
pub use tokengate;
