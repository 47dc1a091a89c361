#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod ckeditor;
pub mod gate;
pub mod guide;
mod log_format;
pub mod service;
#[cfg(feature = "testing")]
pub mod testing;
pub mod token;

pub use gate::session;
#[cfg(feature = "accounts")]
pub use service::accounts;
pub use service::openapi;
#[cfg(feature = "remote-keys")]
pub use token::remote;

pub use gate::{
    template_matches, CorsAnswer, CorsPolicy, Decision, DocumentSegment, ErrorFormat, Gate,
    GateBuilder, HeaderValue, HttpReply, JsonErrors, Problem, Refusal, RenderedBody, RequestView,
    RevocationList, Scope, SharedErrorFormat, TokenSource, TokenSources, Verdict,
    CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_MAX_AGE_SECS, DEFAULT_REALM,
};
pub use log_format::LogFormat;
#[cfg(feature = "accounts")]
pub use service::{
    basic_credentials, BodyRoute, CkeditorConfig, ClaimsRoute, Config, OpenRoute,
    PrincipalResolver, ReadBody, RequestBody, Secret, StorePrincipals, TokenKey, TokenService,
    DEFAULT_ADDR, DEFAULT_DATABASE_URL, JWKS_MAX_AGE_SECS, REVOCATION_SYNC_INTERVAL,
};
pub use service::{setting_text, ApiError, ConfigError, Opened, Setup, MAX_BODY_BYTES};
pub use token::{
    crypto_backend, install_crypto_backend, random_id, unix_now, Algorithm, Audience, Auth,
    AuthError, Challenge, Claims, CsUser, DocumentRead, DocumentWrite, Grant, IssueError,
    IssuedToken, Issuer, JwkError, JwksError, JwksKeys, Key, KeyError, KeySet, NoExtra, Permission,
    RequiredPermission, Role, SkippedJwk, Verifier, ALL_DOCUMENTS, DEFAULT_LEEWAY,
    DEFAULT_MAX_TOKEN_LEN, DEFAULT_TTL, MAX_LEEWAY, MAX_NUMERIC_DATE,
};

/// Re-exported so that apps can build JWKS documents and keys with the same version.
pub use jsonwebtoken;
