//! One-line tokens for testing apps built on tokengate (feature `testing`).
//!
//! ```
//! use tokengate::testing::TestTokens;
//! use tokengate::{Algorithm, Auth, Gate, Grant, Issuer, Key, Role, Verifier};
//!
//! let key = Key::hmac(Algorithm::HS256, b"a test secret of at least 32 byte").unwrap();
//! let tokens = TestTokens::from_issuer(Issuer::new(key.clone()));
//! let gate = Gate::new(Verifier::new(key));
//!
//! assert!(gate.verify::<tokengate::NoExtra>(&tokens.valid("user-1")).is_ok());
//! assert_eq!(
//!     gate.verify::<tokengate::NoExtra>(&tokens.expired("user-1")).unwrap_err(),
//!     tokengate::AuthError::Expired
//! );
//! let reader = tokens.with_grants("user-2", Auth::new().grant("doc-1", Grant::role(Role::Reader)));
//! assert!(gate.verify::<tokengate::NoExtra>(&reader).is_ok());
//! ```

#[cfg(feature = "accounts")]
use crate::service::config::Config;
use crate::token::claims::Claims;
use crate::token::collaboration::Auth;
use crate::token::issue::Issuer;
use crate::token::verify::unix_now;

/// Mints access tokens exactly as an app with the same issuer (or, with the `accounts`
/// feature, the same `Config`) would.
#[derive(Debug, Clone)]
pub struct TestTokens {
    issuer: Issuer,
}

impl TestTokens {
    /// Tokens with the key, issuer, audience and TTL of `config`.
    #[cfg(feature = "accounts")]
    #[cfg_attr(docsrs, doc(cfg(feature = "accounts")))]
    pub fn new(config: &Config) -> Self {
        TestTokens {
            issuer: config.issuer(),
        }
    }

    /// Tokens from any issuer.
    pub fn from_issuer(issuer: Issuer) -> Self {
        TestTokens { issuer }
    }

    /// A valid token for `subject`.
    pub fn valid(&self, subject: &str) -> String {
        self.mint(Claims::for_subject(subject), unix_now())
    }

    /// A token for `subject` that expired an hour ago.
    pub fn expired(&self, subject: &str) -> String {
        let issued = unix_now().saturating_sub(self.issuer.ttl_secs() + 3600);
        self.mint(Claims::for_subject(subject), issued)
    }

    /// A valid token for `subject` with these collaboration grants.
    pub fn with_grants(&self, subject: &str, auth: Auth) -> String {
        let claims = Claims {
            auth: Some(auth),
            ..Claims::for_subject(subject)
        };
        self.mint(claims, unix_now())
    }

    /// A valid token with exactly these claims (registered claims left empty are filled in).
    pub fn with_claims<E: serde::Serialize>(&self, claims: Claims<E>) -> String {
        self.mint(claims, unix_now())
    }

    fn mint<E: serde::Serialize>(&self, claims: Claims<E>, now: u64) -> String {
        self.issuer
            .issue_at(claims, now)
            .expect("test token claims serialize")
            .token
    }
}
