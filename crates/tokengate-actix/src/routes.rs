//! The service routes as actix handlers: one plain handler for each kind of route
//! ([`Serve`]), and [`configure`] mounting every route of the core's table
//! ([`SERVICE_ROUTES`]) with them.

use actix_web::http::Method as HttpMethod;
use actix_web::{web, HttpRequest, HttpResponse};
use tokengate::gate::gateway::AUTHZ_PATH;
use tokengate::gate::{JsonErrors, PathSegment, Problem};
use tokengate::service::{
    service_paths, BodyRoute, ClaimsRoute, ItemRoute, Method, OpenRoute, ReadBody, Serve,
    ServiceRoute, ViewRoute, MAX_BODY_BYTES, SERVICE_ROUTES,
};
use tokengate::TokenService;

use crate::extract::{gate_of, Authenticated};
use crate::view::{to_response, View};

type Data = web::Data<TokenService>;

/// Mounts every service route ([`SERVICE_ROUTES`]: the account, session and token routes,
/// `/healthz`, the JWKS, the OpenID Connect discovery document and `/openapi.json`) for
/// [`App::configure`](actix_web::App::configure) or
/// [`Scope::configure`](actix_web::Scope::configure). The handlers need the [`TokenService`]
/// as `web::Data<TokenService>`; a wrong method on these paths gets the JSON 405 with `Allow`
/// ([`not_allowed`]). The [crate documentation](crate)'s program mounts them:
/// `App::new().app_data(web::Data::new(service)).configure(configure)`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for (path, methods) in service_paths() {
        let resource = SERVICE_ROUTES
            .iter()
            .filter(|route| route.path == path)
            .fold(web::resource(path), |resource, route| {
                resource.route(service_route(route))
            });
        cfg.service(resource.default_service(not_allowed(&methods)));
    }
    // The gateway answers at every path under its own too (Envoy's path_prefix).
    for route in SERVICE_ROUTES
        .iter()
        .filter(|route| route.serve == Serve::Gateway)
    {
        let under = web::resource(format!("{}/{{{GATEWAY_REST}:.*}}", route.path));
        cfg.service(under.route(service_route(route)));
    }
}

/// The name of the gateway route's tail parameter.
const GATEWAY_REST: &str = "gateway_rest";

/// One route of the table, to mount alone:
/// `web::resource("/cs-token").route(service_route(&ServiceRoute::CS_TOKEN))`.
pub fn service_route(route: &ServiceRoute) -> actix_web::Route {
    let method = match http_method(route.method) {
        Some(method) => web::method(method),
        None => web::route(),
    };
    match route.serve {
        Serve::Open(open) => method.to(move |service: Data| open_route(service, open)),
        Serve::View(view) => {
            method.to(move |service: Data, req: HttpRequest| view_route(service, req, view))
        }
        Serve::Body(body) => method.to(move |service: Data, req: HttpRequest, payload| {
            body_route(service, req, payload, body)
        }),
        Serve::Claims(claims) => {
            method.to(move |service: Data, user: Authenticated| claims_route(service, user, claims))
        }
        Serve::Item(item) => {
            method.to(move |service: Data, req: HttpRequest| item_route(service, req, item))
        }
        Serve::Gateway => method.to(gateway_route),
    }
}

/// The gateway route (`/authz`, any method, and every path under it): the answer to a proxy
/// asking whether the request its headers describe may pass.
pub async fn gateway_route(service: Data, req: HttpRequest) -> HttpResponse {
    let own_path = own_gateway_path(&req);
    to_response(service.gateway_route(&View(&req), &own_path).await)
}

/// `/authz`, or `/authz/` and the raw rest of the path. actix hands over the tail partly
/// decoded, and `req.path()` holds any scope the routes were mounted under: the raw tail is
/// the path's last segments, as many as the decoded tail has (an encoded `/` stays encoded).
fn own_gateway_path(req: &HttpRequest) -> String {
    let Some(rest) = req.match_info().get(GATEWAY_REST) else {
        return AUTHZ_PATH.to_owned();
    };
    let raw = req.path();
    let segments = rest.split('/').count();
    let start = raw
        .rmatch_indices('/')
        .nth(segments - 1)
        .map_or(0, |(index, _)| index + 1);
    format!("{AUTHZ_PATH}/{}", &raw[start..])
}

/// A route that needs nothing of the request (`/healthz`, the JWKS, …).
pub async fn open_route(service: Data, route: OpenRoute) -> HttpResponse {
    to_response(service.open_route(route).await)
}

/// A route that reads the request's headers (`POST /session/refresh`).
pub async fn view_route(service: Data, req: HttpRequest, route: ViewRoute) -> HttpResponse {
    to_response(service.view_route(route, &View(&req)).await)
}

/// A route that reads the body (`/signup`, `/login`, …): at most [`MAX_BODY_BYTES`] of it,
/// read here because actix's `Bytes` and `Json` extractors would answer an oversized body
/// with their own errors.
pub async fn body_route(
    service: Data,
    req: HttpRequest,
    payload: web::Payload,
    route: BodyRoute,
) -> HttpResponse {
    let read = payload.to_bytes_limited(MAX_BODY_BYTES).await;
    let body = match &read {
        Ok(Ok(bytes)) => ReadBody::Complete(bytes),
        Ok(Err(_)) => ReadBody::Unreadable,
        Err(_) => ReadBody::TooLarge,
    };
    to_response(service.body_route(route, &View(&req), body).await)
}

/// A bearer route (`/users/me`, `/cs-token`, …), with the claims of the request's token
/// (or those the [`TokenGate`](crate::TokenGate) middleware verified).
pub async fn claims_route(service: Data, user: Authenticated, route: ClaimsRoute) -> HttpResponse {
    to_response(service.claims_route(route, &user).await)
}

/// A route about the item its path names (`DELETE /sessions/{id}`): the raw segment, which
/// the core decodes once (actix's own decoding keeps some escapes); the core judges the
/// request's token.
pub async fn item_route(service: Data, req: HttpRequest, route: ItemRoute) -> HttpResponse {
    let pattern = req.match_pattern();
    let id = pattern.as_deref().map_or(PathSegment::Missing, |pattern| {
        PathSegment::in_path(pattern, req.path(), "id")
    });
    to_response(service.item_route(route, &View(&req), id).await)
}

/// The service's JSON 404, for [`App::default_service`](actix_web::App::default_service), so
/// that unknown paths answer like every other error.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    problem(&req, Problem::not_found())
}

/// The service's JSON 405, for [`Resource::default_service`](actix_web::Resource::default_service)
/// (prefer [`not_allowed`], which also sends `Allow`).
pub async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    problem(&req, Problem::method_not_allowed())
}

/// The service's JSON 405 with `Allow: allow`, for a resource's
/// [`default_service`](actix_web::Resource::default_service):
/// `web::resource("/documents/{id}").get(read).put(write).default_service(not_allowed(&["GET", "PUT"]))`.
pub fn not_allowed(allow: &[&str]) -> actix_web::Route {
    let not_allowed = Problem::method_not_allowed_for(allow);
    web::to(move |req: HttpRequest| {
        let not_allowed = not_allowed.clone();
        async move { problem(&req, not_allowed) }
    })
}

/// Renders `problem` in the registered gate's error format (the default one without a gate).
fn problem(req: &HttpRequest, problem: Problem) -> HttpResponse {
    match gate_of(req) {
        Some(gate) => to_response(gate.render(&problem)),
        None => to_response(problem.to_reply(&JsonErrors)),
    }
}

/// actix's method for the table's (`None`: every method): a method the table gains is a
/// compile error here until it is mapped, never a route mounted for another method.
fn http_method(method: Method) -> Option<HttpMethod> {
    match method {
        Method::Get => Some(HttpMethod::GET),
        Method::Post => Some(HttpMethod::POST),
        Method::Put => Some(HttpMethod::PUT),
        Method::Patch => Some(HttpMethod::PATCH),
        Method::Delete => Some(HttpMethod::DELETE),
        Method::Any => None,
    }
}
