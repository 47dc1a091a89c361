//! One-line tokens for testing apps built on tokengate (feature `testing`).
//!
//! ```
//! use tokengate::testing::TestTokens;
//! use tokengate::{Algorithm, Gate, Issuer, Key, Verifier};
//! use tokengate::token::{Auth, Grant, Role};
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

/// Headers an app may put in an [`HttpReply`](crate::gate::HttpReply) (its `headers` are
/// public): names in any case, a name and a value that are not HTTP at all. An adapter must
/// send the valid ones, names lowercased, leave out the others, and never panic; what must
/// arrive is [`AWKWARD_HEADERS_SENT`], or [`AWKWARD_HEADERS_DECORATED`] when they decorate a
/// response (the CORS headers do) that already has `vary: accept` and `x-custom: old`.
pub fn awkward_headers() -> Vec<(&'static str, String)> {
    [
        ("X-Custom", "1"),
        ("WWW-Authenticate", "Bearer"),
        ("retry-after", "5"),
        ("Vary", "origin"),
        ("bad name", "2"),
        ("", "3"),
        ("x-bad-value", "line\nbreak"),
    ]
    .into_iter()
    .map(|(name, value)| (name, value.to_owned()))
    .collect()
}

/// A 401 JSON reply carrying [`awkward_headers`]: what an adapter's conversion of a reply
/// into its framework's response must survive.
pub fn awkward_reply() -> crate::gate::HttpReply {
    let mut reply = crate::gate::HttpReply::json(401, &"refused");
    reply.headers = awkward_headers();
    reply
}

/// What of [`awkward_headers`] a response must carry, as sorted (name, value) pairs.
pub const AWKWARD_HEADERS_SENT: [(&str, &str); 4] = [
    ("retry-after", "5"),
    ("vary", "origin"),
    ("www-authenticate", "Bearer"),
    ("x-custom", "1"),
];

/// The headers of a response that had `vary: accept` and `x-custom: old` once decorated with
/// [`awkward_headers`], as sorted (name, value) pairs: `Vary` is added to, every other name
/// replaces.
pub const AWKWARD_HEADERS_DECORATED: [(&str, &str); 5] = [
    ("retry-after", "5"),
    ("vary", "accept"),
    ("vary", "origin"),
    ("www-authenticate", "Bearer"),
    ("x-custom", "1"),
];

/// A response's headers as sorted (name, value) pairs, `content-type` left out, to compare
/// with [`AWKWARD_HEADERS_SENT`] and [`AWKWARD_HEADERS_DECORATED`] whatever the framework's
/// header map: `sorted_headers(map.iter().map(|(n, v)| (n.as_str(), v.as_bytes())))`.
pub fn sorted_headers<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Vec<(&'a str, &'a str)> {
    let mut pairs: Vec<_> = headers
        .into_iter()
        .filter(|(name, _)| *name != "content-type")
        .map(|(name, value)| (name, std::str::from_utf8(value).unwrap_or("<not UTF-8>")))
        .collect();
    pairs.sort_unstable();
    pairs
}
