//! `Authenticated<C>`: the verified claims of a request, and the rejection when there are none.

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use tokengate::{AuthError, Claims, Gate, Refusal};

use crate::view::{to_response, View};

tokengate::adapter_guard_types! {
    /// The verified claims of the request's bearer token.
    ///
    /// As an extractor it finds the token (`Authorization: Bearer`, then `x-access-token` by
    /// default), verifies it with the [`Gate`] of the router state (any state with
    /// `Gate: FromRef<S>`: the gate itself, or your own state struct with a gate field), and
    /// rejects the request with the HTTP API's 401 otherwise; the handler never runs. Behind a
    /// [`TokenGateLayer`](crate::TokenGateLayer) it reuses the claims the layer verified.
    ///
    /// `Option<Authenticated<C>>` makes the token optional: no token is `None`, but an invalid or
    /// expired token is still rejected.
    ///
    /// ```
    /// use axum::{extract::FromRef, routing::get, Json, Router};
    /// use tokengate::Gate;
    /// use tokengate_axum::Authenticated;
    ///
    /// #[derive(Clone)]
    /// struct AppState { gate: Gate, greeting: String }
    ///
    /// impl FromRef<AppState> for Gate {
    ///     fn from_ref(state: &AppState) -> Gate { state.gate.clone() }
    /// }
    ///
    /// async fn whoami(Authenticated(claims): Authenticated) -> Json<Option<String>> {
    ///     Json(claims.sub)
    /// }
    ///
    /// async fn greeting(user: Option<Authenticated>) -> String {
    ///     match user {
    ///         Some(Authenticated(claims)) => format!("hello {}", claims.sub.unwrap_or_default()),
    ///         None => "hello stranger".into(),
    ///     }
    /// }
    ///
    /// fn app(gate: Gate) -> Router {
    ///     Router::new()
    ///         .route("/whoami", get(whoami))
    ///         .route("/greeting", get(greeting))
    ///         .with_state(AppState { gate, greeting: "hello".into() })
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
}

/// Why a request was refused: the core's [`Refusal`] (status, `WWW-Authenticate`
/// challenge, body in the gate's error format) as an axum response.
#[derive(Debug, Clone)]
pub struct TokenRejection(pub Refusal);

impl IntoResponse for TokenRejection {
    fn into_response(self) -> Response {
        to_response(self.0.into_reply())
    }
}

impl std::fmt::Display for TokenRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for TokenRejection {}

/// Claims already verified for this request by the layer, or verified now (a trusted
/// issuer's keys fetched again for an unknown `kid`).
async fn claims_of<C>(parts: &Parts, gate: &Gate) -> Result<Option<Claims<C>>, Refusal>
where
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    match parts.extensions.get::<Authenticated<C>>() {
        Some(Authenticated(claims)) => Ok(Some(claims.clone())),
        None => gate.require_optional_async(&View::of(parts)).await,
    }
}

/// The claims, or the rejection (401 `missing_token` without a token).
pub(crate) async fn required<C>(parts: &Parts, gate: &Gate) -> Result<Claims<C>, TokenRejection>
where
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    match claims_of(parts, gate).await {
        Ok(Some(claims)) => Ok(claims),
        Ok(None) => Err(TokenRejection(Refusal::new(gate, AuthError::MissingToken))),
        Err(rejection) => Err(TokenRejection(rejection)),
    }
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
            .map(Authenticated)
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
    ) -> Result<Option<Self>, TokenRejection> {
        claims_of(parts, &Gate::from_ref(state))
            .await
            .map(|claims| claims.map(Authenticated))
            .map_err(TokenRejection)
    }
}
