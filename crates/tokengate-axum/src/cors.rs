//! CORS for browser clients (CKEditor's `tokenUrl`, pages holding a session cookie): the
//! core's [`CorsPolicy`] as a tower layer, so that axum answers exactly as the other adapters.

use axum::extract::Request;
use axum::response::Response;
use futures_util::future::{BoxFuture, FutureExt};
use std::task::{Context, Poll};
use tokengate::gate::{CorsAnswer, CorsPolicy};
use tower::{Layer, Service};

use crate::view::{append_headers, to_response, View};

/// A CORS layer allowing exactly `origins` (e.g. `config.cors_origins`) to call the service
/// from a browser, with credentials, as [`CorsPolicy`] answers: preflights 204 at once, other
/// responses decorated for an allowed origin. An empty list allows none.
///
/// ```
/// use axum::{routing::get, Router};
///
/// let origins = vec!["https://editor.example".to_owned()];
/// let app: Router = Router::new()
///     .route("/", get(|| async { "hello" }))
///     .layer(tokengate_axum::cors_layer(&origins));
/// ```
pub fn cors_layer(origins: &[String]) -> CorsLayer {
    CorsLayer {
        policy: CorsPolicy::new(origins),
    }
}

/// The layer made by [`cors_layer`].
#[derive(Debug, Clone)]
pub struct CorsLayer {
    policy: CorsPolicy,
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Cors<S> {
        Cors {
            inner,
            policy: self.policy.clone(),
        }
    }
}

/// The service made by [`CorsLayer`].
#[derive(Debug, Clone)]
pub struct Cors<S> {
    inner: S,
    policy: CorsPolicy,
}

impl<S> Service<Request> for Cors<S>
where
    S: Service<Request, Response = Response> + Send,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match self.policy.answer(&View::of_request(&request)) {
            CorsAnswer::Preflight(reply) => {
                let response = to_response(reply);
                async move { Ok(response) }.boxed()
            }
            CorsAnswer::Decorate(headers) => {
                let call = self.inner.call(request);
                async move {
                    let mut response = call.await?;
                    append_headers(response.headers_mut(), headers);
                    Ok(response)
                }
                .boxed()
            }
        }
    }
}
