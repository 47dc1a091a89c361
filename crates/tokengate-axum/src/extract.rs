//! `Authenticated<C>`: the verified claims of a request, and the rejection when there are none.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use std::ops::{Deref, DerefMut};
use tokengate::{AuthError, Claims, Gate, NoExtra, Reply};

use crate::state::GateState;
use crate::view::{to_response, View};

/// The verified claims of the request's bearer token.
///
/// As an extractor it finds the token (`Authorization: Bearer`, then `x-access-token` by
/// default), verifies it with the [`Gate`] of the router state ([`GateState`]), and rejects the request with
/// the HTTP API's 401 otherwise; the handler never runs. Behind a [`TokenGateLayer`](crate::TokenGateLayer)
/// it reuses the claims the layer verified.
///
/// `Option<Authenticated<C>>` makes the token optional: no token is `None`, but an invalid or
/// expired token is still rejected.
///
/// ```
/// use axum::{routing::get, Json, Router};
/// use tokengate::Gate;
/// use tokengate_axum::Authenticated;
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
///         .with_state(gate)
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Authenticated<C = NoExtra>(pub Claims<C>);

impl<C> Deref for Authenticated<C> {
    type Target = Claims<C>;
    fn deref(&self) -> &Claims<C> {
        &self.0
    }
}

impl<C> DerefMut for Authenticated<C> {
    fn deref_mut(&mut self) -> &mut Claims<C> {
        &mut self.0
    }
}

/// Why a request was refused: renders the status, `WWW-Authenticate` challenge and
/// body, in the gate's error format.
#[derive(Debug, Clone)]
pub struct TokenRejection {
    error: AuthError,
    reply: Reply,
}

impl TokenRejection {
    /// Renders `error` with `gate`'s realm and error format.
    pub fn new(gate: &Gate, error: AuthError) -> Self {
        let reply = gate.reject(&error);
        TokenRejection { error, reply }
    }

    /// What was wrong.
    pub fn error(&self) -> &AuthError {
        &self.error
    }
}

impl IntoResponse for TokenRejection {
    fn into_response(self) -> Response {
        to_response(self.reply)
    }
}

impl std::fmt::Display for TokenRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for TokenRejection {}

/// Claims already verified for this request by the layer, or verified now.
fn claims_of<C>(parts: &Parts, gate: &Gate) -> Result<Option<Claims<C>>, AuthError>
where
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    if let Some(Authenticated(claims)) = parts.extensions.get::<Authenticated<C>>() {
        return Ok(Some(claims.clone()));
    }
    let view = View {
        method: &parts.method,
        headers: &parts.headers,
        uri: &parts.uri,
    };
    gate.authenticate_optional(&view)
}

impl<S, C> FromRequestParts<S> for Authenticated<C>
where
    S: GateState,
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Rejection = TokenRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let gate = state.gate();
        match claims_of(parts, gate) {
            Ok(Some(claims)) => Ok(Authenticated(claims)),
            Ok(None) => Err(TokenRejection::new(gate, AuthError::MissingToken)),
            Err(error) => Err(TokenRejection::new(gate, error)),
        }
    }
}

impl<S, C> OptionalFromRequestParts<S> for Authenticated<C>
where
    S: GateState,
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Rejection = TokenRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        let gate = state.gate();
        claims_of(parts, gate)
            .map(|claims| claims.map(Authenticated))
            .map_err(|error| TokenRejection::new(gate, error))
    }
}
