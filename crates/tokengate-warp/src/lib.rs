#![doc = include_str!("../README.md")]

mod cors;
mod extract;
mod permission;
mod rejection;
#[cfg(feature = "accounts")]
mod routes;
mod view;

pub use cors::cors;
pub use extract::{authenticated, optional, Authenticated, TokenRejection};
pub use permission::{
    require_permission, Authorized, DocumentRead, DocumentWrite, RequiredPermission,
};
pub use rejection::{handle_rejection, render_rejection};
#[cfg(feature = "accounts")]
pub use routes::{cs_token, healthz, jwks, login, logout, me, openapi, refresh, routes, signup};
pub use view::into_response;

/// The core crate, re-exported.
pub use tokengate;
