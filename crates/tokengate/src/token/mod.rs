//! The token layer: the claims model, keys bound to one algorithm, the compact form, issuing
//! and verifying.
//!
//! Nothing here knows about HTTP requests, cookies or databases: a [`Verifier`] turns a token
//! string into [`Claims`] or an [`AuthError`], an [`Issuer`] turns claims into a token. The
//! [gate](crate::gate) builds on this layer; nothing in this layer imports from above it.

pub(crate) mod atob_json;
pub(crate) mod base64url;
pub(crate) mod claims;
pub(crate) mod collaboration;
pub(crate) mod compact;
pub(crate) mod confirmation;
pub(crate) mod constant_time;
pub(crate) mod error;
pub(crate) mod issue;
pub(crate) mod keys;
#[cfg(feature = "remote-keys")]
pub mod remote;
pub(crate) mod time;
pub(crate) mod verify;

pub use claims::{Audience, Claims, NoExtra, MAX_NUMERIC_DATE};
pub use collaboration::{
    Auth, CsUser, DocumentRead, DocumentWrite, Grant, Permission, RequiredPermission, Role,
    ALL_DOCUMENTS,
};
pub use confirmation::Confirmation;
pub use error::{AuthError, Challenge};
pub use issue::{random_id, IssueError, IssuedToken, Issuer, DEFAULT_TTL};
pub use keys::{
    crypto_backend, install_crypto_backend, Algorithm, JwkError, JwksError, JwksKeys, Key,
    KeyError, KeySet, SkippedJwk, DPOP_ALGORITHMS,
};
pub use time::unix_now;
pub use verify::{Verifier, DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_LEN, MAX_LEEWAY};
