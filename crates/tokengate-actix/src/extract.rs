//! `Authenticated<C>` and `MaybeAuthenticated<C>`: the verified claims of a request, and the
//! rejection when there are none.

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use std::ops::Deref;
use tokengate::{AuthError, Claims, Gate, NoExtra, Refusal};

use crate::view::{to_response, View};

tokengate::adapter_guard_types! {
    /// The verified claims of the request's bearer token.
    ///
    /// As an extractor it finds the token (`Authorization: Bearer`, then `x-access-token` by
    /// default), verifies it with the [`Gate`] registered as app data, and otherwise rejects the
    /// request with the HTTP API's 401 (a [`TokenRejection`]); the handler never runs. Behind the
    /// [`TokenGate`](crate::TokenGate) middleware it reuses the claims the middleware verified.
    ///
    /// The gate is found as `web::Data<Gate>`, or (feature `accounts`) as the `web::Data<TokenService>`
    /// that `configure` needs anyway. App data is keyed by type, so your own state sits beside it:
    /// `.app_data(web::Data::new(my_state)).app_data(web::Data::new(service.clone()))`. Without
    /// either, the extractor answers 500 and says so.
    ///
    /// For a route that works with or without a token, use [`MaybeAuthenticated`], not
    /// `Option<Authenticated>` (see there why).
    ///
    /// ```
    /// use actix_web::{web, App};
    /// use tokengate::Gate;
    /// use tokengate_actix::Authenticated;
    ///
    /// async fn whoami(user: Authenticated) -> String {
    ///     user.sub.clone().unwrap_or_default()
    /// }
    ///
    /// fn app(gate: Gate) {
    ///     let _app = App::new()
    ///         .app_data(web::Data::new(gate))
    ///         .route("/whoami", web::get().to(whoami));
    /// }
    /// ```
    Authenticated;
    /// Extracts verified claims that grant `P`'s permission on the document in the path (the
    /// parameter [`P::PARAM`](RequiredPermission::PARAM), percent-decoded); otherwise 401 (no
    /// valid token) or 403 `insufficient_scope`, as a [`TokenRejection`].
    ///
    /// Finds the gate like [`Authenticated`](crate::Authenticated), and reuses the claims of the
    /// [`TokenGate`](crate::TokenGate) middleware when it ran.
    ///
    /// ```
    /// use actix_web::web;
    /// use tokengate_actix::{Authorized, DocumentRead, DocumentWrite};
    ///
    /// async fn read(doc: Authorized<DocumentRead>) -> String {
    ///     format!("{} may read {}", doc.sub.as_deref().unwrap_or("?"), doc.document)
    /// }
    ///
    /// async fn write(doc: Authorized<DocumentWrite>) -> String {
    ///     format!("{} may write {}", doc.sub.as_deref().unwrap_or("?"), doc.document)
    /// }
    ///
    /// let documents = web::resource("/documents/{id}").get(read).put(write);
    /// # let _ = documents;
    /// ```
    Authorized;
}

impl<C> FromRequest for Authenticated<C>
where
    C: DeserializeOwned + Clone + 'static,
{
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let claims = authenticated(req);
        Box::pin(async move { claims.await.map(Authenticated) })
    }
}

/// The claims of the request's bearer token if it has one: `None` without a token, but an
/// invalid or expired token is still rejected with a [`TokenRejection`].
///
/// Why not `Option<Authenticated<C>>`? actix-web implements `FromRequest` for every
/// `Option<T>` by turning *any* error of `T` into `None`, so a forged, expired or revoked
/// token would silently make the request anonymous instead of being refused. This extractor
/// keeps the difference between "no token" and "a bad token".
///
/// ```
/// use tokengate_actix::MaybeAuthenticated;
///
/// async fn greeting(user: MaybeAuthenticated) -> String {
///     match user.0 {
///         Some(claims) => format!("hello {}", claims.sub.unwrap_or_default()),
///         None => "hello stranger".into(),
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub struct MaybeAuthenticated<C = NoExtra>(pub Option<Claims<C>>);

impl<C> Deref for MaybeAuthenticated<C> {
    type Target = Option<Claims<C>>;
    fn deref(&self) -> &Option<Claims<C>> {
        &self.0
    }
}

impl<C> FromRequest for MaybeAuthenticated<C>
where
    C: DeserializeOwned + Clone + 'static,
{
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let claims = claims_of(req);
        Box::pin(async move { claims.await.map(MaybeAuthenticated) })
    }
}

/// Why a request was refused: the core's [`Refusal`] (status, `WWW-Authenticate`
/// challenge, body in the gate's error format) as an actix error.
#[derive(Debug, Clone)]
pub struct TokenRejection(pub Refusal);

impl std::fmt::Display for TokenRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for TokenRejection {}

impl ResponseError for TokenRejection {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        to_response(self.0.reply().clone())
    }
}

/// The gate registered as app data: `web::Data<TokenService>`, else `web::Data<Gate>`.
pub(crate) fn gate_of(req: &HttpRequest) -> Option<&Gate> {
    #[cfg(feature = "accounts")]
    if let Some(service) = req.app_data::<web::Data<tokengate::TokenService>>() {
        return Some(service.gate());
    }
    req.app_data::<web::Data<Gate>>().map(|gate| gate.get_ref())
}

/// The gate, or the 500 that tells the developer how to register it.
pub(crate) fn require_gate(req: &HttpRequest) -> Result<&Gate, actix_web::Error> {
    gate_of(req).ok_or_else(|| {
        actix_web::error::ErrorInternalServerError(
            "tokengate: register web::Data<tokengate::TokenService> (or web::Data<tokengate::Gate>) \
             with App::app_data",
        )
    })
}

/// Claims already verified for this request by the middleware, or verified now (a trusted
/// issuer's keys fetched again for an unknown `kid`); `None` when there is no token.
fn claims_of<C>(
    req: &HttpRequest,
) -> LocalBoxFuture<'static, Result<Option<Claims<C>>, actix_web::Error>>
where
    C: DeserializeOwned + Clone + 'static,
{
    let cached = req
        .extensions()
        .get::<Authenticated<C>>()
        .map(|Authenticated(claims)| claims.clone());
    let verified = match cached {
        Some(_) => None,
        None => Some(require_gate(req).map(|gate| gate.require_optional_async::<C>(&View(req)))),
    };
    Box::pin(async move {
        match verified {
            None => Ok(cached),
            Some(verified) => Ok(verified?.await.map_err(TokenRejection)?),
        }
    })
}

/// Verified claims, or the rejection (401 `missing_token` when there is no token).
pub(crate) fn authenticated<C>(
    req: &HttpRequest,
) -> LocalBoxFuture<'static, Result<Claims<C>, actix_web::Error>>
where
    C: DeserializeOwned + Clone + 'static,
{
    let claims = claims_of(req);
    let gate = require_gate(req).cloned();
    Box::pin(async move {
        match claims.await? {
            Some(claims) => Ok(claims),
            None => Err(TokenRejection(Refusal::new(&gate?, AuthError::MissingToken)).into()),
        }
    })
}
