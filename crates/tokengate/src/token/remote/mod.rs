//! Verification keys fetched from a provider: a JWKS URL, or an OpenID Connect issuer whose
//! discovery document names it. (Feature `remote-keys`.)
//!
//! A [`RemoteKeys`] holds the provider's current keys behind an atomic pointer: looking a key
//! up by `kid` ([`RemoteKeys::lookup`]) takes no lock and makes no request. Keys are fetched
//! in the background ([`RemoteKeys::spawn_refresher`]) when they expire (the answer's
//! `Cache-Control: max-age`, held between [`MIN_CACHE_LIFETIME`] and [`MAX_CACHE_LIFETIME`],
//! else [`DEFAULT_CACHE_LIFETIME`]), and again when a token names a `kid` that is not known
//! ([`RemoteKeys::refresh_for_unknown_kid`]): at most once per
//! [`DEFAULT_UNKNOWN_KID_INTERVAL`], with one fetch in flight that every caller waits for.
//! A failed fetch keeps the keys already loaded. Every fetch has a timeout and a size cap,
//! and only `https` URLs are fetched unless plain `http` is allowed explicitly.
//!
//! Several providers are [`TrustedIssuers`]: a token's `iss` picks one, and only its keys
//! count.

mod error;
mod fetch;
mod issuers;
mod source;

pub use error::RemoteKeysError;
pub use fetch::{cache_lifetime, DEFAULT_CACHE_LIFETIME, MAX_CACHE_LIFETIME, MIN_CACHE_LIFETIME};
pub use issuers::{TrustedIssuers, TrustedRules};
pub use source::{
    RemoteKeys, RemoteKeysBuilder, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT,
    DEFAULT_UNKNOWN_KID_INTERVAL,
};

use crate::token::keys::Key;

/// What a [`RemoteKeys`] holds for a token's `kid`.
#[derive(Debug, Clone)]
pub enum Lookup {
    /// The key the `kid` names (or, for a token without `kid`, the set's only key).
    Found(Key),
    /// The keys are loaded, and none is chosen by this `kid`: the token is invalid (after
    /// [`RemoteKeys::refresh_for_unknown_kid`], if it has not been tried yet).
    UnknownKid,
    /// The provider's keys have never been loaded: the caller cannot tell whether the token
    /// is good, and should answer "unavailable" (503 with `Retry-After`, see
    /// [`RemoteKeys::retry_after`]).
    NotLoaded,
}

impl Lookup {
    /// The key, if one was found.
    pub fn key(self) -> Option<Key> {
        match self {
            Lookup::Found(key) => Some(key),
            _ => None,
        }
    }
}
