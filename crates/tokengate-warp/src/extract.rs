//! `authenticated` and `optional`: the verified claims of a request as a filter, and the
//! rejection when there are none.

use serde::de::DeserializeOwned;
use tokengate::Gate;
use warp::reject::{Reject, Rejection};
use warp::Filter;

use crate::view::{into_response, view};

tokengate::adapter_guard_types! {
    /// The verified claims of the request's bearer token, as extracted by [`authenticated`].
    ///
    /// It dereferences to [`Claims<C>`]; `C` holds your app-defined claims ([`NoExtra`] by
    /// default).
    Authenticated;
    /// Verified claims that grant `P`'s permission on [`document`](Self::document), as extracted
    /// by [`require_permission`]. Dereferences to the claims.
    Authorized;
}

/// Why a request was refused: the core's [`tokengate::Refusal`] (status,
/// `WWW-Authenticate` challenge, body in the gate's error format) as a warp rejection.
///
/// The guard filters reject with it; [`handle_rejection`](crate::handle_rejection) turns it
/// into the response, ahead of any 404 or 405 that warp merged from other routes.
#[derive(Debug, Clone)]
pub struct TokenRejection(pub tokengate::Refusal);

impl TokenRejection {
    /// The rendered response as a warp response.
    pub fn into_response(self) -> warp::reply::Response {
        into_response(self.0.into_reply())
    }
}

impl Reject for TokenRejection {}

impl std::fmt::Display for TokenRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for TokenRejection {}

pub(crate) fn rejection(rejection: tokengate::Refusal) -> Rejection {
    warp::reject::custom(TokenRejection(rejection))
}

/// A filter that finds the token (`Authorization: Bearer`, then `x-access-token` by
/// default), verifies it with `gate`, and extracts its claims; otherwise it rejects with a
/// [`TokenRejection`] (401 `missing_token`, `invalid_token` or `token_expired`).
///
/// Put it after the path and method filters of a route, so that a request for another route
/// is never asked for a token, and recover with [`handle_rejection`](crate::handle_rejection).
///
/// ```
/// use tokengate::Gate;
/// use tokengate_warp::{authenticated, Authenticated};
/// use warp::Filter;
///
/// fn whoami(gate: Gate) -> impl Filter<Extract = (String,), Error = warp::Rejection> + Clone {
///     warp::path!("whoami")
///         .and(warp::get())
///         .and(authenticated(gate))
///         .map(|user: Authenticated| user.sub.clone().unwrap_or_default())
/// }
/// ```
pub fn authenticated<C>(
    gate: Gate,
) -> impl Filter<Extract = (Authenticated<C>,), Error = Rejection> + Clone
where
    C: DeserializeOwned + Clone + Send + 'static,
{
    view().and_then(move |view| {
        let verified = gate.require_async(&view);
        async move { verified.await.map(Authenticated).map_err(rejection) }
    })
}

/// Like [`authenticated`], but the token is optional: a request without any token extracts
/// `None`, while an invalid or expired token is still rejected.
///
/// ```
/// use tokengate::Gate;
/// use tokengate_warp::{optional, Authenticated};
/// use warp::Filter;
///
/// fn greeting(gate: Gate) -> impl Filter<Extract = (String,), Error = warp::Rejection> + Clone {
///     warp::path!("greeting")
///         .and(optional(gate))
///         .map(|user: Option<Authenticated>| match user {
///             Some(user) => format!("hello {}", user.sub.as_deref().unwrap_or("?")),
///             None => "hello stranger".to_owned(),
///         })
/// }
/// ```
pub fn optional<C>(
    gate: Gate,
) -> impl Filter<Extract = (Option<Authenticated<C>>,), Error = Rejection> + Clone
where
    C: DeserializeOwned + Clone + Send + 'static,
{
    view().and_then(move |view| {
        let verified = gate.require_optional_async(&view);
        async move {
            verified
                .await
                .map(|claims| claims.map(Authenticated))
                .map_err(rejection)
        }
    })
}
