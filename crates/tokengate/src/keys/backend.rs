//! Which implementation of RSA, ECDSA and EdDSA signs and verifies: jsonwebtoken's
//! process-wide crypto provider, chosen by the `aws-lc-rs` feature.
//!
//! HMAC never goes through it (the core keeps its own keyed HMAC state, see `hmac.rs`).
//! jsonwebtoken panics on first use when both of its backends are compiled in and no provider
//! was installed, which feature unification can cause in an app that uses jsonwebtoken
//! itself; so every asymmetric key installs ours before it is made. An app that installed a
//! provider first keeps its own.

use jsonwebtoken::crypto::CryptoProvider;
use std::sync::Once;

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

/// Installs [`provider`] as the process default unless one is installed already.
pub(super) fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // An error means the app installed a provider of its own first: it stays.
        let _ = provider().install_default();
    });
}

/// The name of the backend this build verifies RSA, ECDSA and EdDSA signatures with:
/// `"aws-lc-rs"` with the `aws-lc-rs` feature, else `"rust-crypto"`.
///
/// ```
/// assert!(["aws-lc-rs", "rust-crypto"].contains(&tokengate::crypto_backend()));
/// ```
pub fn crypto_backend() -> &'static str {
    if cfg!(feature = "aws-lc-rs") {
        "aws-lc-rs"
    } else {
        "rust-crypto"
    }
}
