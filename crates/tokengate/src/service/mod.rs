//! The service: accounts (signup, login, refresh, logout), the SQL stores, configuration from
//! `TOKENGATE_*` variables, the route table every adapter mounts, and the OpenAPI document.
//!
//! It builds on the [gate](crate::gate) and the [token layer](crate::token), and on
//! [CKEditor](crate::ckeditor) for `/cs-token`. Most of it is behind the `accounts` feature;
//! what a verify-only app also needs (the configuration error, the JSON error of the API,
//! [`Setup`] for Rocket's fairing) is not.

#[cfg(feature = "accounts")]
pub mod accounts;
pub(crate) mod api_error;
#[cfg(feature = "accounts")]
pub mod audit;
#[cfg(feature = "accounts")]
pub(crate) mod body;
#[cfg(feature = "accounts")]
pub(crate) mod config;
pub(crate) mod config_error;
#[cfg(feature = "accounts")]
pub(crate) mod discovery;
pub mod openapi;
#[cfg(feature = "accounts")]
pub(crate) mod principals;
#[cfg(feature = "accounts")]
pub(crate) mod route_table;
pub(crate) mod setup;
#[cfg(feature = "accounts")]
pub(crate) mod token_service;
#[cfg(feature = "accounts")]
pub(crate) mod trace_context;

pub use api_error::{ApiError, MAX_BODY_BYTES};
#[cfg(feature = "accounts")]
pub use body::{basic_credentials, ReadBody, RequestBody};
#[cfg(feature = "accounts")]
pub use config::{
    CkeditorConfig, Config, Secret, TokenKey, DEFAULT_ADDR, DEFAULT_DATABASE_URL,
    DEFAULT_REFRESH_GRACE,
};
pub use config_error::ConfigError;
#[cfg(feature = "accounts")]
pub use discovery::JWKS_MAX_AGE_SECS;
#[cfg(feature = "accounts")]
pub use principals::{PrincipalResolver, StorePrincipals};
#[cfg(feature = "accounts")]
pub use route_table::{
    service_methods, service_paths, BodyRoute, ClaimsRoute, ItemRoute, Method, OpenRoute, Serve,
    ServiceRoute, ViewRoute, SERVICE_ROUTES,
};
pub use setup::{setting_text, Opened, Setup};
#[cfg(feature = "accounts")]
pub use token_service::{TokenService, REVOCATION_SYNC_INTERVAL};
