#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod extract;
mod fairing;
#[cfg(feature = "accounts")]
mod routes;

pub use extract::{
    catchers, Authenticated, Authorized, MaybeAuthenticated, ReplyResponder, Scoped, TokenRejection,
};
#[cfg(feature = "accounts")]
pub use fairing::config_from_figment;
pub use fairing::{CorsFairing, TokenGateFairing};
#[cfg(feature = "accounts")]
pub use routes::{routes, service_route};
pub use tokengate::token::RequiredPermission;
pub use tokengate::{DocumentRead, DocumentWrite, Scope};

/// The guide to tokengate with this framework.
pub mod guide {
    #![doc = include_str!("../guide.md")]
}

/// The core crate, re-exported.
pub use tokengate;
