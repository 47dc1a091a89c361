//! The guard filters: `authenticated`, `optional`, `require_permission` and `scoped`, and the
//! rejection when a request has no claims that do.

use serde::de::DeserializeOwned;
use tokengate::gate::PathSegment;
use tokengate::token::RequiredPermission;
use tokengate::{Claims, Gate, Scope};
use warp::reject::{Reject, Rejection};
use warp::Filter;

use crate::view::{into_response, view, View};

tokengate::adapter_guard_types! {
    /// The verified claims of the request's bearer token, as extracted by [`authenticated`].
    ///
    /// It dereferences to [`Claims<C>`](tokengate::Claims); `C` holds your app-defined claims
    /// ([`NoExtra`](tokengate::NoExtra) by default).
    Authenticated;
    /// Verified claims that grant `P`'s permission on [`document`](Self::document), as extracted
    /// by [`require_permission`]. Dereferences to the claims.
    Authorized;
    /// Verified claims whose `scope` holds `S`, as extracted by [`scoped`]. Dereferences to the
    /// claims.
    Scoped;
    /// Why a request was refused: the core's [`tokengate::Refusal`] (status,
    /// `WWW-Authenticate` challenge, body in the gate's error format) as a warp rejection.
    ///
    /// The guard filters reject with it; [`handle_rejection`](crate::handle_rejection) turns it
    /// into the response, ahead of any 404 or 405 that warp merged from other routes.
    TokenRejection;
}

impl TokenRejection {
    /// The rendered response as a warp response.
    pub fn into_response(self) -> warp::reply::Response {
        into_response(self.0.into_reply())
    }
}

impl Reject for TokenRejection {}

fn rejection(rejection: tokengate::Refusal) -> Rejection {
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
        let verified = gate.decide::<Claims<C>>(&view);
        async move { verified.await.map(Authenticated::from).map_err(rejection) }
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
        let verified = gate.decide::<Option<Claims<C>>>(&view);
        async move {
            let claims = verified.await.map_err(rejection)?;
            Ok::<_, Rejection>(claims.map(Authenticated::from))
        }
    })
}

/// A filter for the document segment of a route: it takes the next path segment as the
/// document id (percent-decoded, so `x%20y` is `x y`), requires the path to end there,
/// verifies the token with `gate` and checks that it grants `permission` on that document.
/// It extracts [`Authorized<P>`]; otherwise it rejects with a [`TokenRejection`]: 401 for a
/// missing or bad token, 403 `insufficient_scope` for a missing permission, 404 for an id
/// that is not UTF-8 once decoded.
///
/// It stands where `String` stands in `warp::path!("documents" / String)`: write the route's
/// prefix with a trailing `..`, add the filter, then the method filter (the
/// [guide](crate::guide) says why). The id must be the last segment; for a route such as
/// `/documents/{id}/comments`, use [`authenticated`] and [`Gate::authorize_segment`].
///
/// ```
/// use tokengate::Gate;
/// use tokengate_warp::{require_permission, Authorized, DocumentRead};
/// use warp::Filter;
///
/// fn read(gate: Gate) -> impl Filter<Extract = (String,), Error = warp::Rejection> + Clone {
///     warp::path!("documents" / ..)
///         .and(require_permission(gate, DocumentRead))
///         .and(warp::get())
///         .map(|doc: Authorized<DocumentRead>| format!("may read {}", doc.document))
/// }
/// ```
pub fn require_permission<P, C>(
    gate: Gate,
    // The marker value only names `P`, so that calls read `require_permission(gate, DocumentRead)`.
    _permission: P,
) -> impl Filter<Extract = (Authorized<P, C>,), Error = Rejection> + Clone
where
    P: RequiredPermission,
    C: DeserializeOwned + Clone + Send + 'static,
{
    warp::path::param::<String>()
        .and(warp::path::end())
        .and(view())
        .and_then(move |segment: String, view: View| {
            let verified = gate.decide::<Claims<C>>(&view);
            let gate = gate.clone();
            async move {
                let claims = verified.await.map_err(rejection)?;
                let segment = PathSegment::Encoded(&segment);
                let document = gate.authorize_segment::<P, C>(&claims, segment);
                Ok::<_, Rejection>(Authorized::granted(claims, document.map_err(rejection)?))
            }
        })
}

/// A filter that verifies the token with `gate` and requires its `scope` to hold
/// [`S::SCOPE`](Scope::SCOPE), extracting [`Scoped<S>`]; otherwise it rejects with a
/// [`TokenRejection`]: 401 for a missing or bad token, 403 `insufficient_scope` (the scope in
/// the challenge) without the scope. Place it like [`authenticated`]; the
/// [guide](crate::guide) has an example.
pub fn scoped<S, C>(
    gate: Gate,
    // The marker value only names `S`, as in `require_permission`.
    _scope: S,
) -> impl Filter<Extract = (Scoped<S, C>,), Error = Rejection> + Clone
where
    S: Scope,
    C: DeserializeOwned + Clone + Send + 'static,
{
    view().and_then(move |view: View| {
        let verified = gate.decide::<Claims<C>>(&view);
        let gate = gate.clone();
        async move {
            let claims = verified.await.map_err(rejection)?;
            Scoped::check(&gate, claims).map_err(rejection)
        }
    })
}
