//! `TokenGateLayer`: protect a whole router, or a tonic server, verifying once per request.

use axum::http;
use futures_util::future::BoxFuture;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokengate::gate::{is_grpc, Refusal};
use tokengate::{AuthError, Claims, Gate, NoExtra};
use tower::{Layer, Service};

use crate::extract::Authenticated;
use crate::view::{to_response, View};

/// A response body the layer can answer a refusal with: axum's, and tonic's (feature
/// `tonic`), so that the same layer goes on an axum `Router` and on tonic's `Server::layer`.
pub trait RefusalBody {
    /// A body holding `bytes`.
    fn from_refusal(bytes: Vec<u8>) -> Self;
}

impl RefusalBody for axum::body::Body {
    fn from_refusal(bytes: Vec<u8>) -> Self {
        axum::body::Body::from(bytes)
    }
}

#[cfg(feature = "tonic")]
impl RefusalBody for tonic::body::Body {
    fn from_refusal(bytes: Vec<u8>) -> Self {
        tonic::body::Body::new(http_body_util::Full::new(axum::body::Bytes::from(bytes)))
    }
}

/// A tower [`Layer`] that lets through only requests with a valid token (and, with
/// [`scope`](Self::scope), the scopes it names), and puts their claims in the request
/// extensions, where [`Authenticated<C>`] finds them without verifying again. Put it on a
/// nested router (the [guide](crate::guide) shows one in an app with its own state), or on a
/// tonic server (`Server::builder().layer(…)`, feature `tonic`): a gRPC call is refused with
/// the gRPC status (`UNAUTHENTICATED`, `PERMISSION_DENIED`), any other request with the HTTP
/// API's 401 or 403.
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
    scope: Option<Arc<str>>,
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
            scope: None,
            claims: PhantomData,
        }
    }

    /// Also requires that the token's `scope` claim hold `scope` (every scope of it, when
    /// space-separated): otherwise 403 `insufficient_scope`, naming it in the challenge.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        let scope: String = scope.into();
        // An empty scope is a mistake in the app; it must not open the layer to every token.
        assert!(
            !scope.trim().is_empty(),
            "TokenGateLayer::scope needs a scope"
        );
        self.scope = Some(scope.into());
        self
    }
}

impl<S, C> Layer<S> for TokenGateLayer<C> {
    type Service = TokenGate<S, C>;

    fn layer(&self, inner: S) -> Self::Service {
        TokenGate {
            inner,
            gate: self.gate.clone(),
            scope: self.scope.clone(),
            claims: PhantomData,
        }
    }
}

/// The service made by [`TokenGateLayer`].
#[derive(Debug, Clone)]
pub struct TokenGate<S, C = NoExtra> {
    inner: S,
    gate: Gate,
    scope: Option<Arc<str>>,
    claims: PhantomData<fn() -> C>,
}

impl<S, C, ReqBody, ResBody> Service<http::Request<ReqBody>> for TokenGate<S, C>
where
    S: Service<http::Request<ReqBody>, Response = http::Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqBody: Send + 'static,
    ResBody: RefusalBody + Send + 'static,
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Response = http::Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<ReqBody>) -> Self::Future {
        let view = View::of_request(&request);
        let grpc = is_grpc(&view);
        let verified = self.gate.decide::<Claims<C>>(&view);
        // The verification may wait for a trusted issuer's keys (an unknown `kid`), so the
        // inner service that was made ready is taken along, and a fresh clone left behind.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let gate = self.gate.clone();
        let scope = self.scope.clone();
        Box::pin(async move {
            let checked = verified.await.and_then(|claims| match &scope {
                Some(scope) if !claims.has_scopes(scope) => {
                    let scope = scope.to_string().into();
                    Err(gate.refuse(AuthError::MissingScope { scope }))
                }
                _ => Ok(claims),
            });
            match checked {
                Ok(claims) => {
                    request.extensions_mut().insert(Authenticated::from(claims));
                    inner.call(request).await
                }
                Err(refusal) => Ok(refused(&refusal, grpc)),
            }
        })
    }
}

/// The answer to a refused request: the gRPC status for a gRPC call, the HTTP API's reply
/// otherwise.
fn refused<B: RefusalBody>(refusal: &Refusal, grpc: bool) -> http::Response<B> {
    let mut reply = match grpc {
        true => refusal.grpc_reply(),
        false => refusal.reply().clone(),
    };
    let body = std::mem::take(&mut reply.body);
    to_response(reply).map(|_| B::from_refusal(body))
}
