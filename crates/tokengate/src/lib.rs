#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod ckeditor;
pub mod gate;
pub mod guide;
mod log_format;
pub mod service;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod token;

// The handful of names nearly every user needs; everything else is reached through the layer
// that owns it (`tokengate::token`, `tokengate::gate`, `tokengate::service`).
pub use gate::{Gate, GateBuilder, Refusal, Scope};
pub use log_format::LogFormat;
pub use service::ConfigError;
#[cfg(feature = "accounts")]
pub use service::{Config, TokenService};
#[cfg(feature = "metrics")]
pub use telemetry::Metrics;
pub use token::{
    Algorithm, AuthError, Claims, DocumentRead, DocumentWrite, Issuer, Key, NoExtra, Verifier,
};

/// Re-exported so that apps can build JWKS documents and keys with the same version.
pub use jsonwebtoken;
