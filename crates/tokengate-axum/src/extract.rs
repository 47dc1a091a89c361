//! The extractors: `Authenticated<C>`, `Authorized<P, C>` and `Scoped<S, C>`, and the
//! rejection when a request has no claims that do.

use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use tokengate::gate::{PathSegment, Verdict};
use tokengate::token::RequiredPermission;
use tokengate::{AuthError, Claims, Gate, Refusal, Scope};

use crate::view::{to_response, View};

tokengate::adapter_guard_types! {
    /// The verified claims of the request's bearer token.
    ///
    /// As an extractor it finds the token (`Authorization: Bearer`, then `x-access-token` by
    /// default), verifies it with the [`Gate`] of the router state (any state with
    /// `Gate: FromRef<S>`), and rejects the request with the HTTP API's 401 otherwise; the
    /// handler never runs. Behind a [`TokenGateLayer`](crate::TokenGateLayer) it reuses the
    /// claims the layer verified. `Option<Authenticated<C>>` makes the token optional: no token
    /// is `None`, but an invalid or expired token is still rejected. The [guide](crate::guide)
    /// shows a state of your own and an optional token.
    ///
    /// ```
    /// use axum::{routing::get, Router};
    /// use tokengate::Gate;
    /// use tokengate_axum::Authenticated;
    ///
    /// async fn whoami(Authenticated(claims): Authenticated) -> String {
    ///     claims.sub.unwrap_or_default()
    /// }
    ///
    /// fn app(gate: Gate) -> Router {
    ///     Router::new().route("/whoami", get(whoami)).with_state(gate)
    /// }
    /// ```
    Authenticated;
    /// Extracts verified claims that grant `P`'s permission on the document in the path (the
    /// parameter [`P::PARAM`](RequiredPermission::PARAM)); otherwise 401 (no valid token) or 403
    /// `insufficient_scope`, as a [`TokenRejection`]. Finds the gate like [`Authenticated`].
    ///
    /// ```
    /// use axum::{routing::get, Router};
    /// use tokengate::Gate;
    /// use tokengate_axum::{Authorized, DocumentRead};
    ///
    /// async fn read(doc: Authorized<DocumentRead>) -> String {
    ///     format!("{} may read {}", doc.sub.as_deref().unwrap_or("?"), doc.document)
    /// }
    ///
    /// fn app(gate: Gate) -> Router {
    ///     Router::new().route("/documents/{id}", get(read)).with_state(gate)
    /// }
    /// ```
    Authorized;
    /// Extracts verified claims whose `scope` holds [`S::SCOPE`](Scope::SCOPE); otherwise 401
    /// (no valid token) or 403 `insufficient_scope` with the scope in the challenge, as a
    /// [`TokenRejection`]. Finds the gate like [`Authenticated`]; the [guide](crate::guide)
    /// has an example.
    Scoped;
    /// Why a request was refused: the core's [`Refusal`] (status, `WWW-Authenticate`
    /// challenge, body in the gate's error format) as an axum response.
    TokenRejection;
}

impl IntoResponse for TokenRejection {
    fn into_response(self) -> Response {
        to_response(self.0.into_reply())
    }
}

/// Claims already verified for this request by the layer, or the gate's verdict on the
/// request's token (ready at once unless a trusted issuer's keys must be fetched again).
fn claims_of<C>(parts: &Parts, gate: &Gate) -> Verdict<Result<Option<Claims<C>>, Refusal>>
where
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    match parts.extensions.get::<Authenticated<C>>() {
        Some(Authenticated(claims)) => Verdict::ready(Ok(Some(Claims::clone(claims)))),
        None => gate.decide(&View::of(parts)),
    }
}

/// The claims, or the rejection (401 `missing_token` without a token).
pub(crate) async fn required<C>(parts: &Parts, gate: &Gate) -> Result<Claims<C>, TokenRejection>
where
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    let claims = claims_of(parts, gate).await?;
    Ok(claims.ok_or_else(|| gate.refuse(AuthError::MissingToken))?)
}

impl<S, C> FromRequestParts<S> for Authenticated<C>
where
    Gate: FromRef<S>,
    S: Send + Sync,
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Rejection = TokenRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, TokenRejection> {
        required(parts, &Gate::from_ref(state))
            .await
            .map(Authenticated::from)
    }
}

impl<S, C> OptionalFromRequestParts<S> for Authenticated<C>
where
    Gate: FromRef<S>,
    S: Send + Sync,
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Rejection = TokenRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        let claims = claims_of(parts, &Gate::from_ref(state)).await?;
        Ok(claims.map(Authenticated::from))
    }
}

impl<S, P, C> FromRequestParts<S> for Authorized<P, C>
where
    Gate: FromRef<S>,
    S: Send + Sync,
    P: RequiredPermission,
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Rejection = TokenRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, TokenRejection> {
        let gate = Gate::from_ref(state);
        let claims = required::<C>(parts, &gate).await?;
        // axum has percent-decoded the parameters already; it fails on ids that are not UTF-8.
        let params = RawPathParams::from_request_parts(parts, state).await;
        let segment = match &params {
            Ok(params) => params
                .iter()
                .find(|(name, _)| *name == P::PARAM)
                .map_or(PathSegment::Missing, |(_, id)| PathSegment::Decoded(id)),
            Err(RawPathParamsRejection::InvalidUtf8InPathParam(_)) => PathSegment::Undecodable,
            Err(_) => PathSegment::Missing,
        };
        let document = gate.authorize_segment::<P, C>(&claims, segment)?;
        Ok(Authorized::granted(claims, document))
    }
}

impl<S, Sc, C> FromRequestParts<S> for Scoped<Sc, C>
where
    Gate: FromRef<S>,
    S: Send + Sync,
    Sc: Scope,
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Rejection = TokenRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, TokenRejection> {
        let gate = Gate::from_ref(state);
        let claims = required::<C>(parts, &gate).await?;
        Ok(Scoped::check(&gate, claims)?)
    }
}
