//! The gate: from a request to a decision.
//!
//! A [`Gate`] reads a token from a request ([`TokenSources`] over a [`RequestView`] each
//! adapter implements), applies the browser-session rule ([`session`]), verifies the token
//! with the [token layer](crate::token) (its own keys, or a trusted issuer's), checks
//! revocation and permissions, and turns every refusal into the same [`HttpReply`] on every
//! framework. The gate never touches a database: revocations reach it as an in-memory
//! [`RevocationList`].
//!
//! The whole of it, with a request view of one header:
//!
//! ```
//! use tokengate::gate::{HeaderValue, RequestView};
//! use tokengate::{Algorithm, Claims, Gate, Issuer, Key, Verifier};
//!
//! struct Req(String);
//! impl RequestView for Req {
//!     fn header(&self, name: &str) -> HeaderValue<'_> {
//!         let present = name == "authorization" && !self.0.is_empty();
//!         if present { HeaderValue::One(self.0.as_bytes()) } else { HeaderValue::Absent }
//!     }
//!     fn query(&self) -> Option<&str> { None }
//!     fn method(&self) -> &str { "GET" }
//! }
//!
//! let key = Key::hmac(Algorithm::HS256, &[3; 32]).unwrap();
//! let token = Issuer::new(key.clone()).issue(Claims::for_subject("u1")).unwrap().token;
//! let gate = Gate::new(Verifier::new(key));
//! # decided(async {
//! let claims: Claims = gate.decide(&Req(format!("Bearer {token}"))).await.unwrap();
//! assert_eq!(claims.sub.as_deref(), Some("u1"));
//!
//! let refused = gate.decide::<Claims>(&Req("Bearer nope".into())).await.unwrap_err();
//! assert_eq!(refused.reply().status, 401);
//! // No token at all: `None` where one is optional, 401 `missing_token` where it is not.
//! assert!(gate.decide::<Option<Claims>>(&Req(String::new())).await.unwrap().is_none());
//! let missing = gate.decide::<Claims>(&Req(String::new())).await.unwrap_err();
//! assert_eq!(missing.auth_error().map(|e| e.code()), Some("missing_token"));
//! # });
//! # fn decided(f: impl std::future::Future<Output = ()>) {
//! #     let mut f = std::pin::pin!(f);
//! #     let waker = std::task::Waker::noop();
//! #     assert!(f.as_mut().poll(&mut std::task::Context::from_waker(&waker)).is_ready());
//! # }
//! ```

pub(crate) mod allow;
pub(crate) mod builder;
pub(crate) mod cors;
pub(crate) mod decision;
pub mod dpop;
pub mod gateway;
mod grpc;
pub(crate) mod guard_types;
pub(crate) mod permission;
pub(crate) mod problem;
pub(crate) mod refusal;
pub(crate) mod reply;
pub(crate) mod revocation;
#[cfg(feature = "revocation-feed")]
mod revocation_feed;
pub mod session;
pub(crate) mod source;
#[cfg(feature = "remote-keys")]
pub(crate) mod trusted;
pub(crate) mod verdict;

pub use allow::template_matches;
pub use builder::{GateBuilder, DEFAULT_REALM};
pub use cors::{
    CorsAnswer, CorsPolicy, CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_MAX_AGE_SECS,
};
pub use decision::Gate;
pub use grpc::{grpc_code, is_grpc};
pub use permission::{PathSegment, Scope};
pub use problem::{ErrorFormat, JsonErrors, Problem, RenderedBody, SharedErrorFormat};
pub use refusal::Refusal;
pub use reply::{is_header_name, HttpReply};
pub use revocation::{RevocationList, RevocationPage, RevokedId};
#[cfg(feature = "revocation-feed")]
pub use revocation_feed::{FeedUrlError, RevocationFeed, DEFAULT_FEED_INTERVAL};
pub use source::{HeaderValue, RequestView, TokenSource, TokenSources};
pub use verdict::{Decision, Verdict};
