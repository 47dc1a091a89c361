//! The token endpoint and account routes as warp filters, and one filter holding them all.

use tokengate::{BodyRoute, ClaimsRoute, NoExtra, ReadBody, TokenService, MAX_BODY_BYTES};
use warp::http::header::CONTENT_LENGTH;
use warp::reject::Rejection;
use warp::reply::Response;
use warp::{Buf, Filter, Stream};

use crate::extract::{authenticated, Authenticated};
use crate::view::{into_response, view, View};

/// `/signup`, `/login`, `/refresh`, `/logout`, the browser-session routes (`/session`,
/// `/session/refresh`), `/users/me`, `/cs-token`, `/healthz`, `/.well-known/jwks.json` and
/// `/openapi.json`, as
/// one filter to [`or`](Filter::or) into your app. Recover with
/// [`handle_rejection`](crate::handle_rejection) so that bearer failures, 404 and 405 are
/// answered in the service's JSON.
///
/// ```no_run
/// use tokengate::{Config, TokenService};
/// use warp::Filter;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let config = Config::from_env()?;
/// let service = TokenService::connect(&config).await?;
/// let gate = service.gate().clone();
/// let app = tokengate_warp::routes(service).recover(tokengate_warp::handle_rejection(gate));
/// warp::serve(app).run(config.addr).await;
/// # Ok(()) }
/// ```
pub fn routes(
    service: TokenService,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    healthz(service.clone())
        .or(jwks(service.clone()))
        .unify()
        .or(openapi(service.clone()))
        .unify()
        .or(signup(service.clone()))
        .unify()
        .or(login(service.clone()))
        .unify()
        .or(refresh(service.clone()))
        .unify()
        .or(logout(service.clone()))
        .unify()
        .or(session_login(service.clone()))
        .unify()
        .or(session_refresh(service.clone()))
        .unify()
        .or(session_logout(service.clone()))
        .unify()
        .or(me(service.clone()))
        .unify()
        .or(cs_token(service.clone()))
        .unify()
        .or(crate::method_not_allowed(
            service.gate().clone(),
            tokengate::SERVICE_ROUTES,
        ))
        .unify()
}

/// `GET /healthz`.
pub fn healthz(
    service: TokenService,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("healthz").and(warp::get()).then(move || {
        let service = service.clone();
        async move { into_response(service.healthz().await) }
    })
}

/// `GET /.well-known/jwks.json`: the public keys of access tokens (404 when they are signed
/// with a secret).
pub fn jwks(
    service: TokenService,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!(".well-known" / "jwks.json")
        .and(warp::get())
        .map(move || into_response(service.jwks()))
}

/// `GET /openapi.json`: the service's OpenAPI 3.1 document.
pub fn openapi(
    service: TokenService,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("openapi.json")
        .and(warp::get())
        .map(move || into_response(service.openapi()))
}

/// `POST /signup`: a JSON or form body.
pub fn signup(
    service: TokenService,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    with_body("signup", BodyRoute::Signup, service)
}

/// `POST /login`: HTTP Basic, a form or JSON.
pub fn login(
    service: TokenService,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    with_body("login", BodyRoute::Login, service)
}

/// `POST /refresh`.
pub fn refresh(
    service: TokenService,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    with_body("refresh", BodyRoute::Refresh, service)
}

/// `POST /session`: as `/login`, but the pair is set in the session cookies (204).
pub fn session_login(
    service: TokenService,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    with_body("session", BodyRoute::SessionLogin, service)
}

/// `POST /session/refresh`: the refresh cookie, with the CSRF header.
pub fn session_refresh(
    service: TokenService,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("session" / "refresh")
        .and(warp::post())
        .and(view())
        .then(move |view: View| {
            let service = service.clone();
            async move { into_response(service.session_refresh(&view).await) }
        })
}

/// `DELETE /session` (the access cookie and the CSRF header, or a bearer header): ends the
/// login and clears the cookies.
pub fn session_logout(
    service: TokenService,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("session")
        .and(warp::delete())
        .and(authenticated::<NoExtra>(service.gate().clone()))
        .then(move |Authenticated(claims)| {
            let service = service.clone();
            async move {
                into_response(
                    service
                        .claims_route(ClaimsRoute::SessionLogout, &claims)
                        .await,
                )
            }
        })
}

/// `POST /logout` (bearer): 204.
pub fn logout(
    service: TokenService,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("logout")
        .and(warp::post())
        .and(authenticated::<NoExtra>(service.gate().clone()))
        .then(move |Authenticated(claims)| {
            let service = service.clone();
            async move { into_response(service.claims_route(ClaimsRoute::Logout, &claims).await) }
        })
}

/// `GET /users/me` (bearer).
pub fn me(service: TokenService) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("users" / "me")
        .and(warp::get())
        .and(authenticated::<NoExtra>(service.gate().clone()))
        .then(move |Authenticated(claims)| {
            let service = service.clone();
            async move { into_response(service.claims_route(ClaimsRoute::Me, &claims).await) }
        })
}

/// `GET /cs-token` (bearer): the CKEditor Cloud Services token, as `text/plain`.
pub fn cs_token(
    service: TokenService,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path!("cs-token")
        .and(warp::get())
        .and(authenticated::<NoExtra>(service.gate().clone()))
        .then(move |Authenticated(claims)| {
            let service = service.clone();
            async move { into_response(service.claims_route(ClaimsRoute::CsToken, &claims).await) }
        })
}

/// `POST /{path}`: reads the body, then calls the service.
fn with_body(
    path: &'static str,
    route: BodyRoute,
    service: TokenService,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    warp::path(path)
        .and(warp::path::end())
        .and(warp::post())
        .and(view())
        .and(warp::body::stream())
        .then(move |view: View, body| {
            let service = service.clone();
            async move {
                let read = read_body(&view, body).await;
                let body = match &read {
                    Ok(bytes) => ReadBody::Complete(bytes),
                    Err(error) => *error,
                };
                into_response(service.body_route(route, &view, body).await)
            }
        })
}

/// Reads the body up to [`MAX_BODY_BYTES`], with or without `Content-Length` (a chunked
/// body is counted as it arrives).
async fn read_body<S, B>(view: &View, body: S) -> Result<Vec<u8>, ReadBody<'static>>
where
    S: Stream<Item = Result<B, warp::Error>>,
    B: Buf,
{
    let declared = view
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(ReadBody::TooLarge);
    }
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0) as usize);
    let mut body = std::pin::pin!(body);
    while let Some(chunk) = std::future::poll_fn(|cx| body.as_mut().poll_next(cx)).await {
        let mut chunk = chunk.map_err(|_| ReadBody::Unreadable)?;
        if bytes.len() + chunk.remaining() > MAX_BODY_BYTES {
            return Err(ReadBody::TooLarge);
        }
        while chunk.has_remaining() {
            let part = chunk.chunk();
            bytes.extend_from_slice(part);
            let read = part.len();
            chunk.advance(read);
        }
    }
    Ok(bytes)
}
