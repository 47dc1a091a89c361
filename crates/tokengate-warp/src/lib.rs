#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod cors;
mod extract;
mod rejection;
#[cfg(feature = "accounts")]
mod routes;
mod view;

pub use cors::cors;
pub use extract::{
    authenticated, optional, require_permission, scoped, Authenticated, Authorized, Scoped,
    TokenRejection,
};
pub use rejection::{handle_rejection, method_not_allowed, render_rejection};
#[cfg(feature = "accounts")]
pub use routes::{routes, service_route};
pub use tokengate::token::RequiredPermission;
pub use tokengate::{DocumentRead, DocumentWrite, Scope};
pub use view::into_response;

/// The guide to tokengate with this framework.
pub mod guide {
    #![doc = include_str!("../guide.md")]
}

/// The core crate, re-exported.
pub use tokengate;
