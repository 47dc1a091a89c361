//! The token endpoint and account routes as axum handlers, and a router holding them all.

use axum::body::{to_bytes, Body};
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokengate::{ApiError, RequestBody, Service, MAX_BODY_BYTES};

use crate::extract::Authenticated;
use crate::state::ServiceState;
use crate::view::{ReplyResponse, View};

/// `/signup`, `/login`, `/refresh`, `/logout`, the browser-session routes (`/session`,
/// `/session/refresh`), `/users/me`, `/cs-token`, `/healthz`, `/.well-known/jwks.json` and
/// `/openapi.json`, to
/// [`merge`](Router::merge) or [`nest`](Router::nest) into an app whose state gives the
/// [`Service`] ([`ServiceState`]).
///
/// ```no_run
/// use axum::Router;
/// use tokengate::{Config, Service};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let config = Config::from_env()?;
/// let service = Service::connect(&config).await?;
/// let app: Router = tokengate_axum::routes().with_state(service);
/// let listener = tokio::net::TcpListener::bind(config.addr).await?;
/// axum::serve(listener, app).await?;
/// # Ok(()) }
/// ```
pub fn routes<S: ServiceState>() -> Router<S> {
    Router::new()
        .route("/healthz", get(healthz::<S>))
        .route("/.well-known/jwks.json", get(jwks::<S>))
        .route("/openapi.json", get(openapi::<S>))
        .route("/signup", post(signup::<S>))
        .route("/login", post(login::<S>))
        .route("/refresh", post(refresh::<S>))
        .route("/logout", post(logout::<S>))
        .route(
            "/session",
            post(session_login::<S>).delete(session_logout::<S>),
        )
        .route("/session/refresh", post(session_refresh::<S>))
        .route("/users/me", get(me::<S>))
        .route("/cs-token", get(cs_token::<S>))
}

/// `GET /healthz`.
pub async fn healthz<S: ServiceState>(State(state): State<S>) -> impl IntoResponse {
    ReplyResponse(state.service().healthz().await)
}

/// `GET /openapi.json`: the service's OpenAPI 3.1 document.
pub async fn openapi<S: ServiceState>(State(state): State<S>) -> impl IntoResponse {
    ReplyResponse(state.service().openapi())
}

/// `GET /.well-known/jwks.json`: the public keys of access tokens (404 when they are signed
/// with a secret).
pub async fn jwks<S: ServiceState>(State(state): State<S>) -> impl IntoResponse {
    ReplyResponse(state.service().jwks())
}

/// `POST /signup`.
pub async fn signup<S: ServiceState>(
    State(state): State<S>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let service = state.service();
    match read(service, body).await {
        Ok(bytes) => {
            ReplyResponse(service.signup(request_body(&headers, &bytes)).await).into_response()
        }
        Err(response) => response,
    }
}

/// `POST /login`: HTTP Basic, a form or JSON.
pub async fn login<S: ServiceState>(
    State(state): State<S>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    credentials(state.service(), &headers, body, Service::login).await
}

/// `POST /session`: as `/login`, but the pair is set in the session cookies (204).
pub async fn session_login<S: ServiceState>(
    State(state): State<S>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    credentials(state.service(), &headers, body, Service::session_login).await
}

/// `POST /session/refresh`: the refresh cookie, with the CSRF header.
pub async fn session_refresh<S: ServiceState>(
    State(state): State<S>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> impl IntoResponse {
    let view = View {
        method: &method,
        headers: &headers,
        uri: &uri,
    };
    ReplyResponse(state.service().session_refresh(&view).await)
}

/// `DELETE /session` (the access cookie and the CSRF header, or a bearer header): ends the
/// login and clears the cookies.
pub async fn session_logout<S: ServiceState>(
    State(state): State<S>,
    Authenticated(claims): Authenticated,
) -> impl IntoResponse {
    ReplyResponse(state.service().session_logout(&claims).await)
}

/// Reads the body and hands the credentials (HTTP Basic or the body) to `route`.
async fn credentials<'s, F>(
    service: &'s Service,
    headers: &HeaderMap,
    body: Body,
    route: F,
) -> Response
where
    F: AsyncFnOnce(&'s Service, Option<&[u8]>, RequestBody<'_>) -> tokengate::Reply,
{
    match read(service, body).await {
        Ok(bytes) => {
            let authorization = headers.get(header::AUTHORIZATION).map(|v| v.as_bytes());
            let reply = route(service, authorization, request_body(headers, &bytes)).await;
            ReplyResponse(reply).into_response()
        }
        Err(response) => response,
    }
}

/// `POST /refresh`.
pub async fn refresh<S: ServiceState>(
    State(state): State<S>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let service = state.service();
    match read(service, body).await {
        Ok(bytes) => {
            ReplyResponse(service.refresh(request_body(&headers, &bytes)).await).into_response()
        }
        Err(response) => response,
    }
}

/// `POST /logout` (bearer).
pub async fn logout<S: ServiceState>(
    State(state): State<S>,
    Authenticated(claims): Authenticated,
) -> impl IntoResponse {
    ReplyResponse(state.service().logout(&claims).await)
}

/// `GET /users/me` (bearer).
pub async fn me<S: ServiceState>(
    State(state): State<S>,
    Authenticated(claims): Authenticated,
) -> impl IntoResponse {
    ReplyResponse(state.service().me(&claims).await)
}

/// `GET /cs-token` (bearer): the CKEditor Cloud Services token, as `text/plain`.
pub async fn cs_token<S: ServiceState>(
    State(state): State<S>,
    Authenticated(claims): Authenticated,
) -> impl IntoResponse {
    ReplyResponse(state.service().cs_token(&claims).await)
}

/// Reads the body up to [`MAX_BODY_BYTES`]; more is 413 in the service's error format.
async fn read(service: &Service, body: Body) -> Result<axum::body::Bytes, Response> {
    to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        ReplyResponse(service.error(ApiError::PayloadTooLarge {
            max: MAX_BODY_BYTES,
        }))
        .into_response()
    })
}

fn request_body<'a>(headers: &'a HeaderMap, bytes: &'a [u8]) -> RequestBody<'a> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    RequestBody::new(content_type, bytes)
}

/// The body of the service's own 404, for apps that want the same JSON errors everywhere.
pub async fn not_found<S: ServiceState>(State(state): State<S>) -> impl IntoResponse {
    ReplyResponse(
        state
            .service()
            .gate()
            .render(&tokengate::Problem::not_found()),
    )
}

/// The service's 405, for apps that want the same JSON errors everywhere.
pub async fn method_not_allowed<S: ServiceState>(State(state): State<S>) -> impl IntoResponse {
    ReplyResponse(
        state
            .service()
            .gate()
            .render(&tokengate::Problem::method_not_allowed()),
    )
}
