//! `TokenGateLayer`: protect a whole router, verifying once per request.

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;
use std::task::{Context, Poll};
use tokengate::{Claims, Gate, NoExtra};
use tower::{Layer, Service};

use crate::extract::{Authenticated, TokenRejection};
use crate::view::View;

/// A tower [`Layer`] that lets through only requests with a valid token, and puts their
/// claims in the request extensions, where [`Authenticated<C>`] finds them without verifying
/// again. Put it on a nested router; the [guide](crate::guide) shows one in an app with its
/// own state.
///
/// ```
/// use axum::{routing::get, Router};
/// use tokengate::{Algorithm, Gate, Key, Verifier};
/// use tokengate_axum::{Authenticated, TokenGateLayer};
///
/// let gate = Gate::new(Verifier::new(Key::hmac(Algorithm::HS256, &[7; 32]).unwrap()));
/// let admin = Router::new()
///     .route("/stats", get(|| async { "private" }))
///     // Reuses the claims the layer verified.
///     .route("/me", get(|Authenticated(claims): Authenticated| async move { claims.sub.unwrap_or_default() }))
///     .layer(TokenGateLayer::new(gate.clone()));
/// let app: Router = Router::new().nest("/admin", admin).with_state(gate);
/// ```
#[derive(Debug, Clone)]
pub struct TokenGateLayer<C = NoExtra> {
    gate: Gate,
    claims: PhantomData<fn() -> C>,
}

impl TokenGateLayer<NoExtra> {
    /// A layer verifying with `gate`, for tokens without app-defined claims.
    pub fn new(gate: Gate) -> Self {
        TokenGateLayer::with_claims(gate)
    }
}

impl<C> TokenGateLayer<C> {
    /// A layer verifying with `gate` and deserializing app-defined claims `C`
    /// (`TokenGateLayer::<MyClaims>::with_claims(gate)`), which handlers then extract as
    /// `Authenticated<MyClaims>`.
    pub fn with_claims(gate: Gate) -> Self {
        TokenGateLayer {
            gate,
            claims: PhantomData,
        }
    }
}

impl<S, C> Layer<S> for TokenGateLayer<C> {
    type Service = TokenGate<S, C>;

    fn layer(&self, inner: S) -> Self::Service {
        TokenGate {
            inner,
            gate: self.gate.clone(),
            claims: PhantomData,
        }
    }
}

/// The service made by [`TokenGateLayer`].
#[derive(Debug, Clone)]
pub struct TokenGate<S, C = NoExtra> {
    inner: S,
    gate: Gate,
    claims: PhantomData<fn() -> C>,
}

impl<S, C> Service<Request> for TokenGate<S, C>
where
    S: Service<Request, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        // The verification may wait for a trusted issuer's keys (an unknown `kid`), so the
        // inner service that was made ready is taken along, and a fresh clone left behind.
        let verified = self.gate.decide::<Claims<C>>(&View::of_request(&request));
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            match verified.await {
                Ok(claims) => {
                    request.extensions_mut().insert(Authenticated::from(claims));
                    inner.call(request).await
                }
                Err(rejection) => Ok(TokenRejection(rejection).into_response()),
            }
        })
    }
}
