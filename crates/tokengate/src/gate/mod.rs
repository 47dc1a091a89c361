//! The gate: from a request to a decision.
//!
//! A [`Gate`] reads a token from a request ([`TokenSources`] over a [`RequestView`] each
//! adapter implements), applies the browser-session rule ([`session`]), verifies the token
//! with the [token layer](crate::token) (its own keys, or a trusted issuer's), checks
//! revocation and permissions, and turns every refusal into the same [`HttpReply`] on every
//! framework. The gate never touches a database: revocations reach it as an in-memory
//! [`RevocationList`].

pub(crate) mod allow;
pub(crate) mod cors;
pub(crate) mod decision;
pub(crate) mod guard;
pub(crate) mod guard_types;
pub(crate) mod problem;
pub(crate) mod reply;
pub(crate) mod revocation;
pub mod session;
pub(crate) mod source;
#[cfg(feature = "remote-keys")]
pub(crate) mod trusted;
pub(crate) mod verdict;

pub use allow::{allowed_methods, template_matches, SERVICE_ROUTES};
pub use cors::{
    CorsAnswer, CorsPolicy, CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_MAX_AGE_SECS,
};
pub use decision::{Gate, GateBuilder, DEFAULT_REALM};
pub use guard::{DocumentSegment, Refusal, Scope};
pub use problem::{ErrorFormat, JsonErrors, Problem, RenderedBody, SharedErrorFormat};
pub use reply::HttpReply;
pub use revocation::RevocationList;
pub use source::{HeaderValue, RequestView, TokenSource, TokenSources};
pub use verdict::Verdict;
