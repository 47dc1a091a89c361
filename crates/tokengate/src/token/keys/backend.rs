//! Which implementation of RSA, ECDSA and EdDSA signs and verifies: jsonwebtoken's
//! process-wide crypto provider, chosen by the `aws-lc-rs` feature.
//!
//! HMAC never goes through it (the core keeps its own keyed HMAC state, see `hmac.rs`).
//! jsonwebtoken panics on first use when both of its backends are compiled in and no provider
//! was installed, which the `aws-lc-rs` feature (or feature unification, in an app that uses
//! jsonwebtoken itself) causes; so every key installs ours before it is made. An app that
//! installed a provider first keeps its own.

use jsonwebtoken::crypto::CryptoProvider;
use std::sync::OnceLock;

/// The provider the `aws-lc-rs` feature selects: aws-lc-rs (C, about 8× faster RSA and 5×
/// faster ECDSA verification) or the pure-Rust RustCrypto crates.
fn provider() -> &'static CryptoProvider {
    #[cfg(feature = "aws-lc-rs")]
    {
        &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER
    }
    #[cfg(not(feature = "aws-lc-rs"))]
    {
        &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER
    }
}

/// Installs the backend this build chose (see [`crypto_backend`]) as jsonwebtoken's
/// process-wide crypto provider, unless one is installed already. Returns the backend's name,
/// or `"installed by the app"` when the app had installed a provider of its own first (which
/// then stays).
///
/// tokengate calls it before it makes its first key. Call it yourself at start-up if your
/// code calls `jsonwebtoken` directly before tokengate has made a key: with both of
/// jsonwebtoken's backends compiled in (tokengate's `aws-lc-rs` feature adds the second),
/// jsonwebtoken cannot choose one on its own and panics.
///
/// ```
/// let installed = tokengate::token::install_crypto_backend();
/// assert!([tokengate::token::crypto_backend(), "installed by the app"].contains(&installed));
/// ```
pub fn install_crypto_backend() -> &'static str {
    static INSTALLED: OnceLock<&'static str> = OnceLock::new();
    INSTALLED.get_or_init(|| match provider().install_default() {
        Ok(()) => crypto_backend(),
        Err(_) => "installed by the app",
    })
}

/// The name of the backend this build chose for RSA, ECDSA and EdDSA signatures:
/// `"aws-lc-rs"` with the `aws-lc-rs` feature, else `"rust-crypto"`. Which one runs is what
/// [`install_crypto_backend`] returns (an app may have installed its own).
///
/// ```
/// assert!(["aws-lc-rs", "rust-crypto"].contains(&tokengate::token::crypto_backend()));
/// ```
pub fn crypto_backend() -> &'static str {
    if cfg!(feature = "aws-lc-rs") {
        "aws-lc-rs"
    } else {
        "rust-crypto"
    }
}
