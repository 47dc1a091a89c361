//! The token endpoint and account routes as axum handlers, and a router holding them all.
//! Each handler hands the core a view of the request (and the body it read); the core
//! answers.

use axum::body::to_bytes;
use axum::extract::{FromRef, Request, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokengate::{BodyRoute, ClaimsRoute, Problem, ReadBody, TokenService, MAX_BODY_BYTES};

use crate::extract::required;
use crate::view::{to_response, View};

/// `/signup`, `/login`, `/refresh`, `/logout`, the browser-session routes (`/session`,
/// `/session/refresh`), `/users/me`, `/cs-token`, `/healthz`, `/.well-known/jwks.json` and
/// `/openapi.json`, to [`merge`](Router::merge) or [`nest`](Router::nest) into an app whose
/// state gives the [`TokenService`] (`TokenService: FromRef<S>`: the service itself, or a field of
/// your state).
///
/// ```no_run
/// use axum::Router;
/// use tokengate::{Config, TokenService};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let config = Config::from_env()?;
/// let service = TokenService::connect(&config).await?;
/// let app: Router = tokengate_axum::routes().with_state(service);
/// let listener = tokio::net::TcpListener::bind(config.addr).await?;
/// axum::serve(listener, app).await?;
/// # Ok(()) }
/// ```
pub fn routes<S>() -> Router<S>
where
    TokenService: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/healthz", get(healthz))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/openapi.json", get(openapi))
        .route("/signup", post(signup))
        .route("/login", post(login))
        .route("/refresh", post(refresh))
        .route("/logout", post(logout))
        .route("/session", post(session_login).delete(session_logout))
        .route("/session/refresh", post(session_refresh))
        .route("/users/me", get(me))
        .route("/cs-token", get(cs_token))
}

/// `GET /healthz`.
pub async fn healthz(State(service): State<TokenService>) -> Response {
    to_response(service.healthz().await)
}

/// `GET /openapi.json`: the service's OpenAPI 3.1 document.
pub async fn openapi(State(service): State<TokenService>) -> Response {
    to_response(service.openapi())
}

/// `GET /.well-known/jwks.json`: the public keys of access tokens (404 when they are signed
/// with a secret).
pub async fn jwks(State(service): State<TokenService>) -> Response {
    to_response(service.jwks())
}

/// `POST /signup`.
pub async fn signup(State(service): State<TokenService>, request: Request) -> Response {
    with_body(&service, request, BodyRoute::Signup).await
}

/// `POST /login`: HTTP Basic, a form or JSON.
pub async fn login(State(service): State<TokenService>, request: Request) -> Response {
    with_body(&service, request, BodyRoute::Login).await
}

/// `POST /session`: as `/login`, but the pair is set in the session cookies (204).
pub async fn session_login(State(service): State<TokenService>, request: Request) -> Response {
    with_body(&service, request, BodyRoute::SessionLogin).await
}

/// `POST /refresh`.
pub async fn refresh(State(service): State<TokenService>, request: Request) -> Response {
    with_body(&service, request, BodyRoute::Refresh).await
}

/// `POST /session/refresh`: the refresh cookie, with the CSRF header.
pub async fn session_refresh(State(service): State<TokenService>, parts: Parts) -> Response {
    to_response(service.session_refresh(&View::of(&parts)).await)
}

/// `DELETE /session` (the access cookie and the CSRF header, or a bearer header): ends the
/// login and clears the cookies.
pub async fn session_logout(State(service): State<TokenService>, parts: Parts) -> Response {
    with_claims(&service, &parts, ClaimsRoute::SessionLogout).await
}

/// `POST /logout` (bearer).
pub async fn logout(State(service): State<TokenService>, parts: Parts) -> Response {
    with_claims(&service, &parts, ClaimsRoute::Logout).await
}

/// `GET /users/me` (bearer).
pub async fn me(State(service): State<TokenService>, parts: Parts) -> Response {
    with_claims(&service, &parts, ClaimsRoute::Me).await
}

/// `GET /cs-token` (bearer): the CKEditor Cloud Services token, as `text/plain`.
pub async fn cs_token(State(service): State<TokenService>, parts: Parts) -> Response {
    with_claims(&service, &parts, ClaimsRoute::CsToken).await
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

/// Runs a bearer route with the request's verified claims (those of a
/// [`TokenGateLayer`](crate::TokenGateLayer) if one ran), or answers the rejection.
async fn with_claims(service: &TokenService, parts: &Parts, route: ClaimsRoute) -> Response {
    match required(parts, service.gate()).await {
        Ok(claims) => to_response(service.claims_route(route, &claims).await),
        Err(rejection) => rejection.into_response(),
    }
}

/// Reads the body (at most [`MAX_BODY_BYTES`]) and runs a body route.
async fn with_body(service: &TokenService, request: Request, route: BodyRoute) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_BODY_BYTES).await;
    to_response(
        service
            .body_route(route, &View::of(&parts), read(&bytes))
            .await,
    )
}

/// What axum's limited read gave, for the core to judge: more than [`MAX_BODY_BYTES`] is
/// 413; any other failure is a broken body.
fn read(bytes: &Result<axum::body::Bytes, axum::Error>) -> ReadBody<'_> {
    match bytes {
        Ok(bytes) => ReadBody::Complete(bytes),
        Err(error) if is_length_limit(error) => ReadBody::TooLarge,
        Err(_) => ReadBody::Unreadable,
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
