//! The token endpoint and account routes as Rocket handlers.

use rocket::data::{Data, ToByteUnit};
use rocket::request::{FromRequest, Outcome};
use rocket::{Request, Route, State};
use tokengate::{BodyRoute, ClaimsRoute, ReadBody, TokenService, MAX_BODY_BYTES};

use crate::extract::Authenticated;
use crate::view::{ReplyResponder, View};

/// `/healthz`, `/.well-known/jwks.json`, `/openapi.json`, `/signup`, `/login`, `/refresh`,
/// `/logout`, the browser-session routes (`/session`, `/session/refresh`),
/// `/users/me` and `/cs-token`, to
/// mount at any base. They need the [`TokenService`] in managed state, which the
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

type HttpReply = ReplyResponder;

/// `GET /healthz`.
#[rocket::get("/healthz")]
pub async fn healthz(service: &State<TokenService>) -> HttpReply {
    ReplyResponder(service.healthz().await)
}

/// `GET /openapi.json`: the service's OpenAPI 3.1 document.
#[rocket::get("/openapi.json")]
pub fn openapi(service: &State<TokenService>) -> HttpReply {
    ReplyResponder(service.openapi())
}

/// `GET /.well-known/jwks.json`: the public keys of access tokens (404 when they are signed
/// with a secret).
#[rocket::get("/.well-known/jwks.json")]
pub fn jwks(service: &State<TokenService>) -> HttpReply {
    ReplyResponder(service.jwks())
}

/// `POST /signup`: a JSON or form body.
#[rocket::post("/signup", data = "<data>")]
pub async fn signup(
    service: &State<TokenService>,
    req: WholeRequest<'_>,
    data: Data<'_>,
) -> HttpReply {
    with_body(service, req, data, BodyRoute::Signup).await
}

/// `POST /login`: HTTP Basic, a form or JSON.
#[rocket::post("/login", data = "<data>")]
pub async fn login(
    service: &State<TokenService>,
    req: WholeRequest<'_>,
    data: Data<'_>,
) -> HttpReply {
    with_body(service, req, data, BodyRoute::Login).await
}

/// `POST /session`: as `/login`, but the pair is set in the session cookies (204).
#[rocket::post("/session", data = "<data>")]
pub async fn session_login(
    service: &State<TokenService>,
    req: WholeRequest<'_>,
    data: Data<'_>,
) -> HttpReply {
    with_body(service, req, data, BodyRoute::SessionLogin).await
}

/// `POST /refresh`.
#[rocket::post("/refresh", data = "<data>")]
pub async fn refresh(
    service: &State<TokenService>,
    req: WholeRequest<'_>,
    data: Data<'_>,
) -> HttpReply {
    with_body(service, req, data, BodyRoute::Refresh).await
}

/// `POST /session/refresh`: the refresh cookie, with the CSRF header.
#[rocket::post("/session/refresh")]
pub async fn session_refresh(service: &State<TokenService>, req: WholeRequest<'_>) -> HttpReply {
    ReplyResponder(service.session_refresh(&View(req.0)).await)
}

/// `DELETE /session` (the access cookie and the CSRF header, or a bearer header): ends the
/// login and clears the cookies.
#[rocket::delete("/session")]
pub async fn session_logout(service: &State<TokenService>, user: Authenticated) -> HttpReply {
    ReplyResponder(
        service
            .claims_route(ClaimsRoute::SessionLogout, &user)
            .await,
    )
}

/// `POST /logout` (bearer).
#[rocket::post("/logout")]
pub async fn logout(service: &State<TokenService>, user: Authenticated) -> HttpReply {
    ReplyResponder(service.claims_route(ClaimsRoute::Logout, &user).await)
}

/// `GET /users/me` (bearer).
#[rocket::get("/users/me")]
pub async fn me(service: &State<TokenService>, user: Authenticated) -> HttpReply {
    ReplyResponder(service.claims_route(ClaimsRoute::Me, &user).await)
}

/// `GET /cs-token` (bearer): the CKEditor Cloud Services token, as `text/plain`.
#[rocket::get("/cs-token")]
pub async fn cs_token(service: &State<TokenService>, user: Authenticated) -> HttpReply {
    ReplyResponder(service.claims_route(ClaimsRoute::CsToken, &user).await)
}

/// Reads the body (at most [`MAX_BODY_BYTES`]) and runs a body route.
async fn with_body(
    service: &TokenService,
    req: WholeRequest<'_>,
    data: Data<'_>,
    route: BodyRoute,
) -> HttpReply {
    let read = data.open(MAX_BODY_BYTES.bytes()).into_bytes().await;
    let body = match &read {
        Ok(bytes) if bytes.is_complete() => ReadBody::Complete(bytes),
        Ok(_) => ReadBody::TooLarge,
        Err(_) => ReadBody::Unreadable,
    };
    ReplyResponder(service.body_route(route, &View(req.0), body).await)
}
