#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod cors;
mod extract;
mod permission;
mod rejection;
#[cfg(feature = "accounts")]
mod routes;
mod view;

pub use cors::cors;
pub use extract::{authenticated, optional, Authenticated, Authorized, TokenRejection};
pub use permission::{require_permission, DocumentRead, DocumentWrite, RequiredPermission};
pub use rejection::{handle_rejection, method_not_allowed, render_rejection};
#[cfg(feature = "accounts")]
pub use routes::{cs_token, healthz, jwks, login, logout, me, openapi, refresh, routes, signup};
pub use view::into_response;

/// The guide to tokengate with this framework.
pub mod guide {
    #![doc = include_str!("../guide.md")]
}

/// The core crate, re-exported.
pub use tokengate;
