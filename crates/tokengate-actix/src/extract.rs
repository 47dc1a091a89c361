//! The extractors: `Authenticated<C>`, `MaybeAuthenticated<C>`, `Authorized<P, C>` and
//! `Scoped<S, C>`, and the rejection when a request has no claims that do.

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use futures_util::future::{ready, Either, LocalBoxFuture, Ready};
use serde::de::DeserializeOwned;
use tokengate::gate::{PathSegment, Verdict};
use tokengate::token::RequiredPermission;
use tokengate::{AuthError, Claims, Gate, Refusal, Scope};

use crate::view::{to_response, View};

tokengate::adapter_guard_types! {
    /// The verified claims of the request's bearer token.
    ///
    /// As an extractor it finds the token (`Authorization: Bearer`, then `x-access-token` by
    /// default), verifies it with the [`Gate`] registered as app data, and otherwise rejects the
    /// request with the HTTP API's 401 (a [`TokenRejection`]); the handler never runs. Behind the
    /// [`TokenGate`](crate::TokenGate) middleware it reuses the claims the middleware verified.
    ///
    /// The gate is found as `web::Data<Gate>`, or (feature `accounts`) as the
    /// `web::Data<TokenService>` that `configure` needs anyway; without either, the extractor
    /// answers 500 and says so. For a route that works with or without a token, use
    /// [`MaybeAuthenticated`], not `Option<Authenticated>`.
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
    /// The claims of the request's bearer token if it has one: `None` without a token, but an
    /// invalid or expired token is still rejected with a [`TokenRejection`]. (actix-web's
    /// `Option<T>` turns *any* error of `T` into `None`, so `Option<Authenticated>` would let a
    /// forged or expired token through as an anonymous request; the [guide](crate::guide) has
    /// an example.)
    MaybeAuthenticated;
    /// Extracts verified claims that grant `P`'s permission on the document in the path (the
    /// parameter [`P::PARAM`](RequiredPermission::PARAM), percent-decoded); otherwise 401 (no
    /// valid token) or 403 `insufficient_scope`, as a [`TokenRejection`]. Finds the gate and
    /// the middleware's claims like [`Authenticated`].
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
    /// Extracts verified claims whose `scope` holds [`S::SCOPE`](Scope::SCOPE); otherwise 401
    /// (no valid token) or 403 `insufficient_scope` with the scope in the challenge, as a
    /// [`TokenRejection`]. Finds the gate like [`Authenticated`]; the [guide](crate::guide)
    /// has an example.
    Scoped;
    /// Why a request was refused: the core's [`Refusal`](tokengate::Refusal) (status,
    /// `WWW-Authenticate` challenge, body in the gate's error format) as an actix error.
    TokenRejection;
}

impl ResponseError for TokenRejection {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        to_response(self.0.reply().clone())
    }
}

/// The extractors' shared shape: `$check` turns the request and its optional claims into
/// the extracted value, once they are known.
macro_rules! extractor {
    ($type:ident<$($param:ident),*> $(where $bound:ident: $trait:ident)?, |$req:ident, $claims:ident| $check:expr) => {
        impl<$($param),*> FromRequest for $type<$($param),*>
        where
            C: DeserializeOwned + Clone + 'static,
            $($bound: $trait,)?
        {
            type Error = actix_web::Error;
            /// Ready at once, without an allocation, unless a trusted issuer's keys must be
            /// fetched first.
            type Future = Either<Ready<Result<Self, Self::Error>>, LocalBoxFuture<'static, Result<Self, Self::Error>>>;

            fn from_request($req: &HttpRequest, _: &mut Payload) -> Self::Future {
                let found = match claims_of::<C>($req) {
                    Ok(found) => found,
                    Err(error) => return Either::Left(ready(Err(error))),
                };
                match found.now() {
                    Ok(claims) => Either::Left(ready((|| {
                        let $claims = claims.map_err(TokenRejection)?;
                        $check
                    })())),
                    Err(pending) => {
                        let request = $req.clone();
                        Either::Right(Box::pin(async move {
                            let $req = &request;
                            let $claims = pending.await.map_err(TokenRejection)?;
                            $check
                        }))
                    }
                }
            }
        }
    };
}

extractor!(Authenticated<C>, |req, claims| Ok(Authenticated::from(
    present(req, claims)?
)));
extractor!(MaybeAuthenticated<C>, |_req, claims| Ok(
    MaybeAuthenticated::from(claims)
));
extractor!(Authorized<P, C> where P: RequiredPermission, |req, claims| {
    let claims = present(req, claims)?;
    // The raw segment: actix decodes `match_info` lossily (and leaves `%2F`), the core once.
    let path = req.uri().path();
    let segment = req.match_pattern().map_or(PathSegment::Missing, |pattern| PathSegment::in_path(&pattern, path, P::PARAM));
    let document = require_gate(req)?.authorize_segment::<P, C>(&claims, segment).map_err(TokenRejection)?;
    Ok(Authorized::granted(claims, document))
});
extractor!(Scoped<S, C> where S: Scope, |req, claims| {
    let claims = present(req, claims)?;
    Ok(Scoped::check(require_gate(req)?, claims).map_err(TokenRejection)?)
});

/// The gate registered as app data: `web::Data<TokenService>`, else `web::Data<Gate>`.
pub(crate) fn gate_of(req: &HttpRequest) -> Option<&Gate> {
    #[cfg(feature = "accounts")]
    if let Some(service) = req.app_data::<web::Data<tokengate::TokenService>>() {
        return Some(service.gate());
    }
    req.app_data::<web::Data<Gate>>().map(|gate| gate.get_ref())
}

/// The gate, or the 500 that tells the developer how to register it.
fn require_gate(req: &HttpRequest) -> Result<&Gate, actix_web::Error> {
    gate_of(req).ok_or_else(|| {
        actix_web::error::ErrorInternalServerError(
            "tokengate: register web::Data<tokengate::TokenService> (or web::Data<tokengate::Gate>) \
             with App::app_data",
        )
    })
}

/// The claims, or 401 `missing_token` when there are none (the gate is needed only then).
fn present<C>(req: &HttpRequest, claims: Option<Claims<C>>) -> Result<Claims<C>, actix_web::Error> {
    match claims {
        Some(claims) => Ok(claims),
        None => Err(TokenRejection(require_gate(req)?.refuse(AuthError::MissingToken)).into()),
    }
}

/// The claims of a request (`None` without a token), or why it is refused: at once, or once a
/// trusted issuer's keys are fetched.
type FoundClaims<C> = Verdict<Result<Option<Claims<C>>, Refusal>>;

/// Claims already verified for this request by the middleware, or the gate's verdict on the
/// request's token (`None` when it has none); an error when no gate is registered.
fn claims_of<C>(req: &HttpRequest) -> Result<FoundClaims<C>, actix_web::Error>
where
    C: DeserializeOwned + Clone + 'static,
{
    if let Some(Authenticated(claims)) = req.extensions().get::<Authenticated<C>>() {
        return Ok(Verdict::ready(Ok(Some(Claims::clone(claims)))));
    }
    Ok(require_gate(req)?.decide::<Option<Claims<C>>>(&View(req)))
}
