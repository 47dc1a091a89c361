//! The token endpoint and account routes as actix handlers, and a `configure` mounting them.

use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE};
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};
use tokengate::{ApiError, Problem, RequestBody, Service, MAX_BODY_BYTES};

use crate::extract::{gate_of, Authenticated};
use crate::view::{to_response, View};

/// Mounts `/signup`, `/login`, `/refresh`, `/logout`, the browser-session routes
/// (`/session`, `/session/refresh`), `/users/me`, `/cs-token`, `/healthz`,
/// `/.well-known/jwks.json` and `/openapi.json`,
/// for [`App::configure`](actix_web::App::configure) or
/// [`Scope::configure`](actix_web::Scope::configure). The handlers need the [`Service`] as
/// `web::Data<Service>`; a wrong method on these paths gets [`method_not_allowed`].
///
/// ```no_run
/// use actix_web::{web, App, HttpServer};
/// use tokengate::{Config, Service};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let config = Config::from_env()?;
/// let service = Service::connect(&config).await?;
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
            .default_service(web::to(method_not_allowed)),
    );
    for (path, route) in routes {
        cfg.service(
            web::resource(path)
                .route(route)
                .default_service(web::to(method_not_allowed)),
        );
    }
}

/// `GET /healthz`.
pub async fn healthz(service: web::Data<Service>) -> HttpResponse {
    to_response(service.healthz().await)
}

/// `GET /.well-known/jwks.json`: the public keys of access tokens (404 when they are signed
/// with a secret).
pub async fn jwks(service: web::Data<Service>) -> HttpResponse {
    to_response(service.jwks())
}

/// `GET /openapi.json`: the service's OpenAPI 3.1 document.
pub async fn openapi(service: web::Data<Service>) -> HttpResponse {
    to_response(service.openapi())
}

/// `POST /signup`: a JSON or form body.
pub async fn signup(
    service: web::Data<Service>,
    req: HttpRequest,
    body: web::Payload,
) -> HttpResponse {
    match read(&service, body).await {
        Ok(bytes) => to_response(service.signup(request_body(&req, &bytes)).await),
        Err(response) => response,
    }
}

/// `POST /login`: HTTP Basic, a form or JSON.
pub async fn login(
    service: web::Data<Service>,
    req: HttpRequest,
    body: web::Payload,
) -> HttpResponse {
    credentials(&service, &req, body, Service::login).await
}

/// `POST /session`: as `/login`, but the pair is set in the session cookies (204).
pub async fn session_login(
    service: web::Data<Service>,
    req: HttpRequest,
    body: web::Payload,
) -> HttpResponse {
    credentials(&service, &req, body, Service::session_login).await
}

/// `POST /session/refresh`: the refresh cookie, with the CSRF header.
pub async fn session_refresh(service: web::Data<Service>, req: HttpRequest) -> HttpResponse {
    to_response(service.session_refresh(&View(&req)).await)
}

/// `DELETE /session` (the access cookie and the CSRF header, or a bearer header): ends the
/// login and clears the cookies.
pub async fn session_logout(service: web::Data<Service>, user: Authenticated) -> HttpResponse {
    to_response(service.session_logout(&user).await)
}

/// Reads the body and hands the credentials (HTTP Basic or the body) to `route`.
async fn credentials<'s, F>(
    service: &'s Service,
    req: &HttpRequest,
    body: web::Payload,
    route: F,
) -> HttpResponse
where
    F: AsyncFnOnce(&'s Service, Option<&[u8]>, RequestBody<'_>) -> tokengate::Reply,
{
    match read(service, body).await {
        Ok(bytes) => {
            let authorization = req.headers().get(AUTHORIZATION).map(|v| v.as_bytes());
            to_response(route(service, authorization, request_body(req, &bytes)).await)
        }
        Err(response) => response,
    }
}

/// `POST /refresh`.
pub async fn refresh(
    service: web::Data<Service>,
    req: HttpRequest,
    body: web::Payload,
) -> HttpResponse {
    match read(&service, body).await {
        Ok(bytes) => to_response(service.refresh(request_body(&req, &bytes)).await),
        Err(response) => response,
    }
}

/// `POST /logout` (bearer).
pub async fn logout(service: web::Data<Service>, user: Authenticated) -> HttpResponse {
    to_response(service.logout(&user).await)
}

/// `GET /users/me` (bearer).
pub async fn me(service: web::Data<Service>, user: Authenticated) -> HttpResponse {
    to_response(service.me(&user).await)
}

/// `GET /cs-token` (bearer): the CKEditor Cloud Services token, as `text/plain`.
pub async fn cs_token(service: web::Data<Service>, user: Authenticated) -> HttpResponse {
    to_response(service.cs_token(&user).await)
}

/// The service's JSON 404, for [`App::default_service`](actix_web::App::default_service), so
/// that unknown paths answer like every other error.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    problem(&req, Problem::not_found())
}

/// The service's JSON 405, for [`Resource::default_service`](actix_web::Resource::default_service).
pub async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    problem(&req, Problem::method_not_allowed())
}

/// Renders `problem` in the registered gate's error format (the default one without a gate).
fn problem(req: &HttpRequest, problem: Problem) -> HttpResponse {
    match gate_of(req) {
        Some(gate) => to_response(gate.render(&problem)),
        None => to_response(problem.to_reply(&tokengate::JsonErrors)),
    }
}

/// Reads the body up to [`MAX_BODY_BYTES`]; more is the service's 413. (actix's `Bytes` and
/// `Json` extractors would answer an oversized body with their own error bodies.)
async fn read(service: &Service, body: web::Payload) -> Result<Bytes, HttpResponse> {
    match body.to_bytes_limited(MAX_BODY_BYTES).await {
        Ok(Ok(bytes)) => Ok(bytes),
        // The connection broke while the body was arriving; nobody is left to read an answer.
        Ok(Err(error)) => Err(error.error_response()),
        Err(_) => Err(to_response(service.error(ApiError::PayloadTooLarge {
            max: MAX_BODY_BYTES,
        }))),
    }
}

fn request_body<'a>(req: &'a HttpRequest, bytes: &'a [u8]) -> RequestBody<'a> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    RequestBody::new(content_type, bytes)
}
