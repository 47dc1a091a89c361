//! The token endpoint and account routes as Rocket handlers.

use rocket::data::{Data, ToByteUnit};
use rocket::http::HeaderMap;
use rocket::request::{FromRequest, Outcome};
use rocket::{Request, Route, State};
use tokengate::{ApiError, RequestBody, Service, MAX_BODY_BYTES};

use crate::extract::Authenticated;
use crate::view::{ReplyResponder, View};

/// `/healthz`, `/.well-known/jwks.json`, `/openapi.json`, `/signup`, `/login`, `/refresh`,
/// `/logout`, the browser-session routes (`/session`, `/session/refresh`),
/// `/users/me` and `/cs-token`, to
/// mount at any base. They need the [`Service`] in managed state, which the
/// [`TokenGateFairing`](crate::TokenGateFairing) provides (it also mounts them); to mount only
/// some, name them:
///
/// ```
/// use rocket::routes;
///
/// let only = routes![tokengate_rocket::login, tokengate_rocket::cs_token];
/// assert_eq!(only.len(), 2);
/// assert_eq!(tokengate_rocket::routes().len(), 12);
/// ```
pub fn routes() -> Vec<Route> {
    rocket::routes![
        healthz,
        jwks,
        openapi,
        signup,
        login,
        refresh,
        logout,
        session_login,
        session_refresh,
        session_logout,
        me,
        cs_token
    ]
}

/// The request's headers, as a request guard (Rocket has none built in); the body routes read
/// `Content-Type` and `Authorization` from it.
#[derive(Debug, Clone, Copy)]
pub struct Headers<'r>(pub &'r HeaderMap<'r>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Headers<'r> {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(Headers(request.headers()))
    }
}

/// `GET /healthz`.
#[rocket::get("/healthz")]
pub async fn healthz(service: &State<Service>) -> ReplyResponder {
    ReplyResponder(service.healthz().await)
}

/// `GET /openapi.json`: the service's OpenAPI 3.1 document.
#[rocket::get("/openapi.json")]
pub fn openapi(service: &State<Service>) -> ReplyResponder {
    ReplyResponder(service.openapi())
}

/// `GET /.well-known/jwks.json`: the public keys of access tokens (404 when they are signed
/// with a secret).
#[rocket::get("/.well-known/jwks.json")]
pub fn jwks(service: &State<Service>) -> ReplyResponder {
    ReplyResponder(service.jwks())
}

/// `POST /signup`: a JSON or form body.
#[rocket::post("/signup", data = "<data>")]
pub async fn signup(
    service: &State<Service>,
    headers: Headers<'_>,
    data: Data<'_>,
) -> ReplyResponder {
    ReplyResponder(match read(service, data).await {
        Ok(bytes) => service.signup(request_body(&headers, &bytes)).await,
        Err(reply) => reply,
    })
}

/// `POST /login`: HTTP Basic, a form or JSON.
#[rocket::post("/login", data = "<data>")]
pub async fn login(
    service: &State<Service>,
    headers: Headers<'_>,
    data: Data<'_>,
) -> ReplyResponder {
    credentials(service, headers, data, Service::login).await
}

/// `POST /session`: as `/login`, but the pair is set in the session cookies (204).
#[rocket::post("/session", data = "<data>")]
pub async fn session_login(
    service: &State<Service>,
    headers: Headers<'_>,
    data: Data<'_>,
) -> ReplyResponder {
    credentials(service, headers, data, Service::session_login).await
}

/// `POST /session/refresh`: the refresh cookie, with the CSRF header.
#[rocket::post("/session/refresh")]
pub async fn session_refresh(
    service: &State<Service>,
    request: WholeRequest<'_>,
) -> ReplyResponder {
    ReplyResponder(service.session_refresh(&View(request.0)).await)
}

/// The request itself, for the routes that hand the core a view of it (Rocket has no
/// such guard built in).
#[derive(Debug, Clone, Copy)]
pub struct WholeRequest<'r>(pub &'r Request<'r>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for WholeRequest<'r> {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(WholeRequest(request))
    }
}

/// `DELETE /session` (the access cookie and the CSRF header, or a bearer header): ends the
/// login and clears the cookies.
#[rocket::delete("/session")]
pub async fn session_logout(service: &State<Service>, user: Authenticated) -> ReplyResponder {
    ReplyResponder(service.session_logout(&user).await)
}

/// Reads the body and hands the credentials (HTTP Basic or the body) to `route`.
async fn credentials<'s, F>(
    service: &'s Service,
    headers: Headers<'_>,
    data: Data<'_>,
    route: F,
) -> ReplyResponder
where
    F: AsyncFnOnce(&'s Service, Option<&[u8]>, RequestBody<'_>) -> tokengate::Reply,
{
    ReplyResponder(match read(service, data).await {
        Ok(bytes) => {
            let authorization = headers.0.get_one("authorization").map(str::as_bytes);
            route(service, authorization, request_body(&headers, &bytes)).await
        }
        Err(reply) => reply,
    })
}

/// `POST /refresh`.
#[rocket::post("/refresh", data = "<data>")]
pub async fn refresh(
    service: &State<Service>,
    headers: Headers<'_>,
    data: Data<'_>,
) -> ReplyResponder {
    ReplyResponder(match read(service, data).await {
        Ok(bytes) => service.refresh(request_body(&headers, &bytes)).await,
        Err(reply) => reply,
    })
}

/// `POST /logout` (bearer).
#[rocket::post("/logout")]
pub async fn logout(service: &State<Service>, user: Authenticated) -> ReplyResponder {
    ReplyResponder(service.logout(&user).await)
}

/// `GET /users/me` (bearer).
#[rocket::get("/users/me")]
pub async fn me(service: &State<Service>, user: Authenticated) -> ReplyResponder {
    ReplyResponder(service.me(&user).await)
}

/// `GET /cs-token` (bearer): the CKEditor Cloud Services token, as `text/plain`.
#[rocket::get("/cs-token")]
pub async fn cs_token(service: &State<Service>, user: Authenticated) -> ReplyResponder {
    ReplyResponder(service.cs_token(&user).await)
}

/// Reads the body up to [`MAX_BODY_BYTES`]; more is the service's 413.
async fn read(service: &Service, data: Data<'_>) -> Result<Vec<u8>, tokengate::Reply> {
    match data.open(MAX_BODY_BYTES.bytes()).into_bytes().await {
        Ok(bytes) if bytes.is_complete() => Ok(bytes.into_inner()),
        Ok(_) => Err(service.error(ApiError::PayloadTooLarge {
            max: MAX_BODY_BYTES,
        })),
        Err(_) => Err(service.error(ApiError::invalid("the request body could not be read"))),
    }
}

fn request_body<'a>(headers: &'a Headers<'_>, bytes: &'a [u8]) -> RequestBody<'a> {
    RequestBody::new(headers.0.get_one("content-type"), bytes)
}
