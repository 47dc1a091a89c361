//! The token endpoint and account routes as axum handlers, and a router holding them all,
//! built from the core's route table: each handler hands the core a view of the request (and
//! the body it read); the core answers.

use axum::body::to_bytes;
use axum::extract::{FromRef, Request, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter};
use axum::Router;
use tokengate::{
    BodyRoute, ClaimsRoute, OpenRoute, Problem, ReadBody, TokenService, MAX_BODY_BYTES,
};

use crate::extract::required;
use crate::view::{to_response, View};

macro_rules! handlers {
    ($($(#[$doc:meta])* $name:ident $method:ident $path:literal $kind:ident($arg:ident);)*) => {
        /// Every service route ([`tokengate::SERVICE_ROUTES`]: the account, session and token
        /// routes, `/healthz`, the JWKS, the OpenID Connect discovery document and
        /// `/openapi.json`), to [`merge`](Router::merge) or [`nest`](Router::nest) into an app
        /// whose state gives the [`TokenService`] (`TokenService: FromRef<S>`), as the
        /// [crate documentation](crate)'s program does: `routes().with_state(service)`.
        pub fn routes<S>() -> Router<S>
        where
            TokenService: FromRef<S>,
            S: Clone + Send + Sync + 'static,
        {
            Router::new()$(.route($path, on(MethodFilter::$method, $name)))*
        }

        $(handlers!(@ $(#[$doc])* $name $kind($arg));)*
    };
    (@ $(#[$doc:meta])* $name:ident open($route:ident)) => {
        $(#[$doc])*
        pub async fn $name(State(service): State<TokenService>) -> Response {
            to_response(service.open_route(OpenRoute::$route).await)
        }
    };
    (@ $(#[$doc:meta])* $name:ident view($method:ident)) => {
        $(#[$doc])*
        pub async fn $name(State(service): State<TokenService>, parts: Parts) -> Response {
            to_response(service.$method(&View::of(&parts)).await)
        }
    };
    (@ $(#[$doc:meta])* $name:ident body($route:ident)) => {
        $(#[$doc])*
        pub async fn $name(State(service): State<TokenService>, request: Request) -> Response {
            with_body(&service, request, BodyRoute::$route).await
        }
    };
    (@ $(#[$doc:meta])* $name:ident claims($route:ident)) => {
        $(#[$doc])*
        ///
        /// Takes the claims of a [`TokenGateLayer`](crate::TokenGateLayer) if one ran.
        pub async fn $name(State(service): State<TokenService>, parts: Parts) -> Response {
            match required(&parts, service.gate()).await {
                Ok(claims) => to_response(service.claims_route(ClaimsRoute::$route, &claims).await),
                Err(rejection) => rejection.into_response(),
            }
        }
    };
}

tokengate::adapter_service_routes!(handlers);

/// The service's JSON 404, for [`Router::fallback`], so that unknown paths answer like every
/// other error.
pub async fn not_found(State(service): State<TokenService>) -> Response {
    to_response(service.gate().render(&Problem::not_found()))
}

/// The service's JSON 405, for [`Router::method_not_allowed_fallback`] (axum adds `Allow`).
pub async fn method_not_allowed(State(service): State<TokenService>) -> Response {
    to_response(service.gate().render(&Problem::method_not_allowed()))
}

/// Reads the body (at most [`MAX_BODY_BYTES`]) and runs a body route. What axum's limited
/// read gave goes to the core: more than the limit is 413, any other failure a broken body.
async fn with_body(service: &TokenService, request: Request, route: BodyRoute) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_BODY_BYTES).await;
    let body = match &bytes {
        Ok(bytes) => ReadBody::Complete(bytes),
        Err(error) if is_length_limit(error) => ReadBody::TooLarge,
        Err(_) => ReadBody::Unreadable,
    };
    to_response(service.body_route(route, &View::of(&parts), body).await)
}

fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = source {
        if error.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = error.source();
    }
    false
}
