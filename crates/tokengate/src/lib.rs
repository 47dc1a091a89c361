#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "accounts")]
pub mod accounts;
mod allow;
mod api_error;
mod atob_json;
mod base64url;
#[cfg(feature = "accounts")]
mod body;
pub mod ckeditor;
mod claims;
mod collaboration;
mod compact;
#[cfg(feature = "accounts")]
mod config;
mod config_error;
mod constant_time;
mod cors;
#[cfg(feature = "accounts")]
mod discovery;
mod error;
mod gate;
mod guard;
mod guard_types;
pub mod guide;
mod issue;
mod keys;
mod log_format;
pub mod openapi;
mod problem;
#[cfg(feature = "remote-keys")]
pub mod remote;
mod reply;
mod revocation;
#[cfg(feature = "accounts")]
mod service;
#[cfg(feature = "accounts")]
mod service_routes;
pub mod session;
mod setup;
mod source;
#[cfg(feature = "testing")]
pub mod testing;
mod time;
#[cfg(feature = "remote-keys")]
mod trusted;
mod verdict;
mod verify;

pub use allow::{allowed_methods, template_matches, SERVICE_ROUTES};
pub use api_error::{ApiError, MAX_BODY_BYTES};
#[cfg(feature = "accounts")]
pub use body::{basic_credentials, ReadBody, RequestBody};
pub use claims::{Audience, Claims, NoExtra, MAX_NUMERIC_DATE};
pub use collaboration::{
    Auth, CsUser, DocumentRead, DocumentWrite, Grant, Permission, RequiredPermission, Role,
    ALL_DOCUMENTS,
};
#[cfg(feature = "accounts")]
pub use config::{CkeditorConfig, Config, Secret, TokenKey, DEFAULT_ADDR, DEFAULT_DATABASE_URL};
pub use config_error::ConfigError;
pub use cors::{
    CorsAnswer, CorsPolicy, CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_MAX_AGE_SECS,
};
pub use error::{AuthError, Challenge};
pub use gate::{Gate, GateBuilder, DEFAULT_REALM};
pub use guard::{DocumentSegment, Refusal, Scope};
pub use issue::{random_id, IssueError, IssuedToken, Issuer, DEFAULT_TTL};
pub use keys::{
    crypto_backend, install_crypto_backend, Algorithm, JwkError, JwksError, JwksKeys, Key,
    KeyError, KeySet, SkippedJwk,
};
pub use log_format::LogFormat;
pub use problem::{ErrorFormat, JsonErrors, Problem, RenderedBody, SharedErrorFormat};
pub use reply::HttpReply;
pub use revocation::RevocationList;
#[cfg(feature = "accounts")]
pub use service::{
    PrincipalResolver, StorePrincipals, TokenService, JWKS_MAX_AGE_SECS, REVOCATION_SYNC_INTERVAL,
};
#[cfg(feature = "accounts")]
pub use service_routes::{BodyRoute, ClaimsRoute, OpenRoute};
pub use setup::{setting_text, Opened, Setup};
pub use source::{HeaderValue, RequestView, TokenSource, TokenSources};
pub use time::unix_now;
pub use verdict::Verdict;
pub use verify::{Verifier, DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_LEN, MAX_LEEWAY};

/// Re-exported so that apps can build JWKS documents and keys with the same version.
pub use jsonwebtoken;
