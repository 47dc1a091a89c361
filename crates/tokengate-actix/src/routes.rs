//! The token endpoint and account routes as actix handlers, and a `configure` mounting them.

use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};
use tokengate::{BodyRoute, ClaimsRoute, Problem, ReadBody, TokenService, MAX_BODY_BYTES};

use crate::extract::{gate_of, Authenticated};
use crate::view::{to_response, View};

/// Mounts `/signup`, `/login`, `/refresh`, `/logout`, the browser-session routes
/// (`/session`, `/session/refresh`), `/users/me`, `/cs-token`, `/healthz`,
/// `/.well-known/jwks.json` and `/openapi.json`,
/// for [`App::configure`](actix_web::App::configure) or
/// [`Scope::configure`](actix_web::Scope::configure). The handlers need the [`TokenService`] as
/// `web::Data<TokenService>`; a wrong method on these paths gets [`method_not_allowed`].
///
/// ```no_run
/// use actix_web::{web, App, HttpServer};
/// use tokengate::{Config, TokenService};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let config = Config::from_env()?;
/// let service = TokenService::connect(&config).await?;
/// HttpServer::new(move || {
///     App::new()
///         .app_data(web::Data::new(service.clone()))
///         .service(web::scope("/auth").configure(tokengate_actix::configure))
/// })
/// .bind(config.addr)?
/// .run()
/// .await?;
/// # Ok(()) }
/// ```
pub fn configure(cfg: &mut web::ServiceConfig) {
    let routes = [
        ("/healthz", web::get().to(healthz)),
        ("/.well-known/jwks.json", web::get().to(jwks)),
        ("/openapi.json", web::get().to(openapi)),
        ("/signup", web::post().to(signup)),
        ("/login", web::post().to(login)),
        ("/refresh", web::post().to(refresh)),
        ("/logout", web::post().to(logout)),
        ("/session/refresh", web::post().to(session_refresh)),
        ("/users/me", web::get().to(me)),
        ("/cs-token", web::get().to(cs_token)),
    ];
    cfg.service(
        web::resource("/session")
            .route(web::post().to(session_login))
            .route(web::delete().to(session_logout))
            .default_service(not_allowed(&["POST", "DELETE"])),
    );
    for (path, route) in routes {
        let allow = tokengate::allowed_methods(tokengate::SERVICE_ROUTES, path).unwrap_or(&[]);
        cfg.service(
            web::resource(path)
                .route(route)
                .default_service(not_allowed(allow)),
        );
    }
}

/// `GET /healthz`.
pub async fn healthz(service: web::Data<TokenService>) -> HttpResponse {
    to_response(service.healthz().await)
}

/// `GET /.well-known/jwks.json`: the public keys of access tokens (404 when they are signed
/// with a secret).
pub async fn jwks(service: web::Data<TokenService>) -> HttpResponse {
    to_response(service.jwks())
}

/// `GET /openapi.json`: the service's OpenAPI 3.1 document.
pub async fn openapi(service: web::Data<TokenService>) -> HttpResponse {
    to_response(service.openapi())
}

/// `POST /signup`: a JSON or form body.
pub async fn signup(service: Data, req: HttpRequest, body: web::Payload) -> HttpResponse {
    with_body(&service, &req, body, BodyRoute::Signup).await
}

/// `POST /login`: HTTP Basic, a form or JSON.
pub async fn login(service: Data, req: HttpRequest, body: web::Payload) -> HttpResponse {
    with_body(&service, &req, body, BodyRoute::Login).await
}

/// `POST /session`: as `/login`, but the pair is set in the session cookies (204).
pub async fn session_login(service: Data, req: HttpRequest, body: web::Payload) -> HttpResponse {
    with_body(&service, &req, body, BodyRoute::SessionLogin).await
}

/// `POST /refresh`.
pub async fn refresh(service: Data, req: HttpRequest, body: web::Payload) -> HttpResponse {
    with_body(&service, &req, body, BodyRoute::Refresh).await
}

/// `POST /session/refresh`: the refresh cookie, with the CSRF header.
pub async fn session_refresh(service: Data, req: HttpRequest) -> HttpResponse {
    to_response(service.session_refresh(&View(&req)).await)
}

/// `DELETE /session` (the access cookie and the CSRF header, or a bearer header): ends the
/// login and clears the cookies.
pub async fn session_logout(service: Data, user: Authenticated) -> HttpResponse {
    to_response(
        service
            .claims_route(ClaimsRoute::SessionLogout, &user)
            .await,
    )
}

/// `POST /logout` (bearer).
pub async fn logout(service: Data, user: Authenticated) -> HttpResponse {
    to_response(service.claims_route(ClaimsRoute::Logout, &user).await)
}

/// `GET /users/me` (bearer).
pub async fn me(service: Data, user: Authenticated) -> HttpResponse {
    to_response(service.claims_route(ClaimsRoute::Me, &user).await)
}

/// `GET /cs-token` (bearer): the CKEditor Cloud Services token, as `text/plain`.
pub async fn cs_token(service: Data, user: Authenticated) -> HttpResponse {
    to_response(service.claims_route(ClaimsRoute::CsToken, &user).await)
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
pub fn not_allowed(allow: &'static [&'static str]) -> actix_web::Route {
    web::to(
        move |req: HttpRequest| async move { problem(&req, Problem::method_not_allowed_for(allow)) },
    )
}

type Data = web::Data<TokenService>;

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
