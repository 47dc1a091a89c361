//! The service routes as axum handlers: one plain handler for each kind of route
//! ([`Serve`]), and [`routes`] mounting every route of the core's table
//! ([`SERVICE_ROUTES`]) with them.

use axum::body::to_bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRef, Path, Request, State};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, on, MethodFilter, MethodRouter};
use axum::Router;
use tokengate::gate::{PathSegment, Problem};
use tokengate::service::{
    BodyRoute, ClaimsRoute, ItemRoute, Method, OpenRoute, ReadBody, Serve, ServiceRoute, ViewRoute,
    MAX_BODY_BYTES, SERVICE_ROUTES,
};
use tokengate::TokenService;

use crate::extract::required;
use crate::view::{to_response, View};

/// Every service route ([`SERVICE_ROUTES`]: the account, session and token routes,
/// `/healthz`, the JWKS, the OpenID Connect discovery document and `/openapi.json`), to
/// [`merge`](Router::merge) or [`nest`](Router::nest) into an app whose state gives the
/// [`TokenService`] (`TokenService: FromRef<S>`), as the [crate documentation](crate)'s
/// program does: `Router::new().merge(routes()).with_state(TokenState::new(service))`
/// ([`TokenState`](crate::TokenState), or a state of your own).
pub fn routes<S>() -> Router<S>
where
    TokenService: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    SERVICE_ROUTES.iter().fold(Router::new(), |router, route| {
        let router = router.route(route.path, service_route(route));
        match route.serve {
            // The gateway answers at every path under its own too (Envoy's path_prefix);
            // axum's wildcard needs one character, so `/authz/` is a route of its own.
            Serve::Gateway => router
                .route(&format!("{}/", route.path), service_route(route))
                .route(&format!("{}/{{*rest}}", route.path), service_route(route)),
            _ => router,
        }
    })
}

/// One route of the table, to mount alone:
/// `.route("/cs-token", service_route(&ServiceRoute::CS_TOKEN))`.
pub fn service_route<S>(route: &ServiceRoute) -> MethodRouter<S>
where
    TokenService: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    let method = route.method;
    match route.serve {
        Serve::Open(open) => mount(method, move |service| open_route(service, open)),
        Serve::View(view) => mount(method, move |service, parts| {
            view_route(service, parts, view)
        }),
        Serve::Body(body) => mount(method, move |service, request| {
            body_route(service, request, body)
        }),
        Serve::Claims(claims) => mount(method, move |service, parts| {
            claims_route(service, parts, claims)
        }),
        Serve::Item(item) => mount(method, move |service, id, parts| {
            item_route(service, id, parts, item)
        }),
        Serve::Gateway => mount(method, gateway_route),
    }
}

/// `handler` for the table's method: axum's filter for one, every method for
/// [`Method::Any`].
fn mount<H, T, S>(method: Method, handler: H) -> MethodRouter<S>
where
    H: Handler<T, S>,
    T: 'static,
    S: Clone + Send + Sync + 'static,
{
    match method_filter(method) {
        Some(filter) => on(filter, handler),
        None => any(handler),
    }
}

/// The gateway route (`/authz`, any method, and every path under it): the answer to a proxy
/// asking whether the request its headers describe may pass.
pub async fn gateway_route(State(service): State<TokenService>, request: Request) -> Response {
    // The request by value: taking `Parts` would clone its header map, on every decision.
    let view = View::of_request(&request);
    to_response(service.gateway_route(&view, request.uri().path()).await)
}

/// A route that needs nothing of the request (`/healthz`, the JWKS, …).
pub async fn open_route(State(service): State<TokenService>, route: OpenRoute) -> Response {
    to_response(service.open_route(route).await)
}

/// A route that reads the request's headers (`POST /session/refresh`).
pub async fn view_route(
    State(service): State<TokenService>,
    parts: Parts,
    route: ViewRoute,
) -> Response {
    to_response(service.view_route(route, &View::of(&parts)).await)
}

/// A route that reads the body (`/signup`, `/login`, …), at most [`MAX_BODY_BYTES`] of it.
/// What axum's limited read gave goes to the core: more than the limit is 413, any other
/// failure a broken body.
pub async fn body_route(
    State(service): State<TokenService>,
    request: Request,
    route: BodyRoute,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_BODY_BYTES).await;
    let body = match &bytes {
        Ok(bytes) => ReadBody::Complete(bytes),
        Err(error) if is_length_limit(error) => ReadBody::TooLarge,
        Err(_) => ReadBody::Unreadable,
    };
    to_response(service.body_route(route, &View::of(&parts), body).await)
}

/// A bearer route (`/users/me`, `/cs-token`, …), with the claims of the request's token, or
/// those of a [`TokenGateLayer`](crate::TokenGateLayer) if one ran.
pub async fn claims_route(
    State(service): State<TokenService>,
    parts: Parts,
    route: ClaimsRoute,
) -> Response {
    match required(&parts, service.gate()).await {
        Ok(claims) => to_response(service.claims_route(route, &claims).await),
        Err(rejection) => rejection.into_response(),
    }
}

/// A route about the item its path names (`DELETE /sessions/{id}`, decoded by axum); the
/// core judges the request's token, and answers an id that does not decode with its 404.
pub async fn item_route(
    State(service): State<TokenService>,
    id: Result<Path<String>, PathRejection>,
    parts: Parts,
    route: ItemRoute,
) -> Response {
    match id {
        Ok(Path(id)) => {
            let id = PathSegment::Decoded(&id);
            to_response(service.item_route(route, &View::of(&parts), id).await)
        }
        Err(_) => {
            let id = PathSegment::Undecodable;
            to_response(service.item_route(route, &View::of(&parts), id).await)
        }
    }
}

/// The service's JSON 404, for [`Router::fallback`], so that unknown paths answer like every
/// other error.
pub async fn not_found(State(service): State<TokenService>) -> Response {
    to_response(service.gate().render(&Problem::not_found()))
}

/// The service's JSON 405, for [`Router::method_not_allowed_fallback`] (axum adds `Allow`).
pub async fn method_not_allowed(State(service): State<TokenService>) -> Response {
    to_response(service.gate().render(&Problem::method_not_allowed()))
}

/// axum's filter for the table's method (`None`: every method): a method the table gains is
/// a compile error here until it is mapped, never a route mounted for another method.
fn method_filter(method: Method) -> Option<MethodFilter> {
    match method {
        Method::Get => Some(MethodFilter::GET),
        Method::Post => Some(MethodFilter::POST),
        Method::Put => Some(MethodFilter::PUT),
        Method::Patch => Some(MethodFilter::PATCH),
        Method::Delete => Some(MethodFilter::DELETE),
        Method::Any => None,
    }
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
