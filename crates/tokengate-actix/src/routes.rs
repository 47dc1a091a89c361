//! The token endpoint and account routes as actix handlers, built from the core's route
//! table, and a `configure` mounting them.

use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};
use tokengate::{
    BodyRoute, ClaimsRoute, OpenRoute, Problem, ReadBody, TokenService, MAX_BODY_BYTES,
};

use crate::extract::{gate_of, Authenticated};
use crate::view::{to_response, View};

type Data = web::Data<TokenService>;

macro_rules! handlers {
    ($($(#[$doc:meta])* $name:ident $method:ident $path:literal $kind:ident($arg:ident);)*) => {
        /// Mounts every service route ([`tokengate::SERVICE_ROUTES`]: the account, session and
        /// token routes, `/healthz`, the JWKS, the OpenID Connect discovery document and
        /// `/openapi.json`) for [`App::configure`](actix_web::App::configure) or
        /// [`Scope::configure`](actix_web::Scope::configure). The handlers need the
        /// [`TokenService`] as `web::Data<TokenService>`; a wrong method on these paths gets the
        /// JSON 405 with `Allow` ([`not_allowed`]). The [crate documentation](crate)'s program
        /// mounts them: `App::new().app_data(web::Data::new(service)).configure(configure)`.
        pub fn configure(cfg: &mut web::ServiceConfig) {
            let mut routes = vec![$(($path, web::method(Method::$method).to($name))),*];
            for (path, allow) in tokengate::SERVICE_ROUTES {
                let mut resource = web::resource(*path).default_service(not_allowed(allow));
                while let Some(at) = routes.iter().position(|(of, _)| of == path) {
                    resource = resource.route(routes.remove(at).1);
                }
                cfg.service(resource);
            }
        }

        $(handlers!(@ $(#[$doc])* $name $kind($arg));)*
    };
    (@ $(#[$doc:meta])* $name:ident open($route:ident)) => {
        $(#[$doc])*
        pub async fn $name(service: Data) -> HttpResponse {
            to_response(service.open_route(OpenRoute::$route).await)
        }
    };
    (@ $(#[$doc:meta])* $name:ident view($method:ident)) => {
        $(#[$doc])*
        pub async fn $name(service: Data, req: HttpRequest) -> HttpResponse {
            to_response(service.$method(&View(&req)).await)
        }
    };
    (@ $(#[$doc:meta])* $name:ident body($route:ident)) => {
        $(#[$doc])*
        pub async fn $name(service: Data, req: HttpRequest, body: web::Payload) -> HttpResponse {
            with_body(&service, &req, body, BodyRoute::$route).await
        }
    };
    (@ $(#[$doc:meta])* $name:ident claims($route:ident)) => {
        $(#[$doc])*
        pub async fn $name(service: Data, user: Authenticated) -> HttpResponse {
            to_response(service.claims_route(ClaimsRoute::$route, &user).await)
        }
    };
}

tokengate::adapter_service_routes!(handlers);

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
pub fn not_allowed(allow: &'static [&'static str]) -> actix_web::Route {
    web::to(
        move |req: HttpRequest| async move { problem(&req, Problem::method_not_allowed_for(allow)) },
    )
}

/// Renders `problem` in the registered gate's error format (the default one without a gate).
fn problem(req: &HttpRequest, problem: Problem) -> HttpResponse {
    match gate_of(req) {
        Some(gate) => to_response(gate.render(&problem)),
        None => to_response(problem.to_reply(&tokengate::JsonErrors)),
    }
}

/// Reads the body (at most [`MAX_BODY_BYTES`]; actix's `Bytes` and `Json` extractors would
/// answer an oversized body with their own errors) and runs a body route.
async fn with_body(
    service: &TokenService,
    req: &HttpRequest,
    body: web::Payload,
    route: BodyRoute,
) -> HttpResponse {
    let read = body.to_bytes_limited(MAX_BODY_BYTES).await;
    let body = match &read {
        Ok(Ok(bytes)) => ReadBody::Complete(bytes),
        Ok(Err(_)) => ReadBody::Unreadable,
        Err(_) => ReadBody::TooLarge,
    };
    to_response(service.body_route(route, &View(req), body).await)
}
