//! The request guards (`Authenticated<C>`, `MaybeAuthenticated<C>`, `Authorized<P, C>`,
//! `Scoped<S, C>`), the rejection when a request has no claims that do, and the catchers
//! that send it; and the core's request view and reply in Rocket's types.

use rocket::http::hyper::HeaderValue as HttpHeaderValue;
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome};
use rocket::response::{self, Responder, Response};
use rocket::{Catcher, Ignite, Request, Rocket, Sentinel};
use serde::de::DeserializeOwned;
use std::io::Cursor;
use std::sync::Mutex;
use tokengate::gate::{is_header_name, HeaderValue, HttpReply, JsonErrors, PathSegment};
use tokengate::gate::{Problem, RequestView};
use tokengate::token::RequiredPermission;
use tokengate::{AuthError, Claims, Gate, Refusal, Scope};

tokengate::adapter_guard_types! {
    /// The verified claims of the request's bearer token, as a request guard: it verifies the
    /// token with the [`Gate`] in managed state, and on failure fails with the status for the
    /// [`catchers`](crate::catchers) to send the exact rejection; the handler never runs. Take
    /// `Result<Authenticated, TokenRejection>` to handle the rejection yourself.
    Authenticated;
    /// The claims of a request whose token is optional: no token is `None`, a bad one is still
    /// 401 (unlike `Option<Authenticated>`; the [guide](crate::guide) says why, with an example).
    MaybeAuthenticated;
    /// A request guard for verified claims that grant `P`'s permission on the document named by
    /// the route's dynamic segment `P::PARAM` (percent-decoded, and also among the handler's
    /// arguments); otherwise 401 or 403 `insufficient_scope`, answered by the
    /// [`catchers`](crate::catchers). A route without the segment ends in 500. The
    /// [guide](crate::guide) has an example.
    Authorized;
    /// A request guard for verified claims whose `scope` holds [`S::SCOPE`](Scope::SCOPE);
    /// otherwise the request fails with 401 (no valid token) or 403 `insufficient_scope` (the
    /// scope in the challenge), answered by the [`catchers`](crate::catchers). The
    /// [guide](crate::guide) has an example.
    Scoped;
    /// Why a request was refused: the core's [`Refusal`] (status, `WWW-Authenticate`
    /// challenge, body in the gate's error format). The error of the guards, and a responder.
    TokenRejection;
}

impl<'r> Responder<'r, 'static> for TokenRejection {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        ReplyResponder(self.0.into_reply()).respond_to(request)
    }
}

/// The last rejection of this request, for the catcher that will answer it.
#[derive(Default)]
struct Rejected(Mutex<Option<HttpReply>>);

/// The gate in managed state.
fn gate_of<'r>(request: &'r Request<'_>) -> Option<&'r Gate> {
    request.rocket().state::<Gate>()
}

/// Runs a guard: `check` on the request's claims (`None` without a token; a trusted issuer's
/// keys fetched again for an unknown `kid`). Each guard verifies the token itself: a second
/// guard on the same request finds it in the core's per-thread cache of verified tokens,
/// which costs less than keeping a copy of the claims in the request for it. A refusal fails
/// the guard with its status and is kept for the catcher; without a managed gate the request
/// ends in 500, logged.
async fn guard<C, T>(
    request: &Request<'_>,
    check: impl FnOnce(&Gate, Option<Claims<C>>) -> Result<T, Refusal> + Send,
) -> Outcome<T, TokenRejection>
where
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    let Some(gate) = gate_of(request) else {
        rocket::error!(
            "tokengate: no Gate in managed state; attach TokenGateFairing or manage a Gate"
        );
        return Outcome::Forward(Status::InternalServerError);
    };
    // Decided at once unless a trusted issuer's keys must be fetched: only that rare case
    // awaits, boxed, so the guard's future (which Rocket boxes and moves) never holds the
    // claims across an await.
    let verified = match gate.decide(&View(request)).now() {
        Ok(verified) => verified,
        Err(pending) => Box::pin(pending).await,
    };
    let refusal = match verified.and_then(|claims| check(gate, claims)) {
        Ok(value) => return Outcome::Success(value),
        Err(refusal) => refusal,
    };
    if let Ok(mut slot) = request.local_cache(Rejected::default).0.lock() {
        *slot = Some(refusal.reply().clone());
    }
    Outcome::Error((Status::new(refusal.status()), TokenRejection(refusal)))
}

/// The guards are sentinels: launch stops when a route uses one and no [`Gate`] is managed.
fn gate_missing(rocket: &Rocket<Ignite>) -> bool {
    let missing = rocket.state::<Gate>().is_none();
    if missing {
        rocket::error!("tokengate: a route uses a tokengate guard but no Gate is managed");
    }
    missing
}

/// A guard type's `FromRequest` (through [`guard`]) and `Sentinel`.
macro_rules! guards {
    ($($type:ident<$($param:ident),*> $(where $bound:ident: $trait:ident)?, |$gate:ident, $claims:ident, $request:ident| $check:expr;)*) => {$(
        #[rocket::async_trait]
        impl<'r, $($param),*> FromRequest<'r> for $type<$($param),*>
        where
            C: DeserializeOwned + Clone + Send + Sync + 'static,
            $($bound: $trait,)?
        {
            type Error = TokenRejection;

            async fn from_request($request: &'r Request<'_>) -> Outcome<Self, TokenRejection> {
                guard::<C, _>($request, |$gate, $claims| $check).await
            }
        }

        impl<$($param),*> Sentinel for $type<$($param),*> {
            fn abort(rocket: &Rocket<Ignite>) -> bool {
                gate_missing(rocket)
            }
        }
    )*};
}

guards! {
    Authenticated<C>, |gate, claims, request| present(gate, claims).map(Authenticated::from);
    MaybeAuthenticated<C>, |_gate, claims, request| Ok(MaybeAuthenticated::from(claims));
    Authorized<P, C> where P: RequiredPermission, |gate, claims, request| {
        let claims = present(gate, claims)?;
        let path = request.uri().path().as_str();
        let segment = request.route().map_or(PathSegment::Missing, |route| {
            PathSegment::in_path(route.uri.path(), path, P::PARAM)
        });
        let document = gate.authorize_segment::<P, C>(&claims, segment)?;
        Ok(Authorized::granted(claims, document))
    };
    Scoped<S, C> where S: Scope, |gate, claims, request| Scoped::check(gate, present(gate, claims)?);
}

/// The claims, or 401 `missing_token` when the request had none.
fn present<C>(gate: &Gate, claims: Option<Claims<C>>) -> Result<Claims<C>, Refusal> {
    claims.ok_or_else(|| gate.refuse(AuthError::MissingToken))
}

/// Catchers that answer every error status in JSON, registered by the
/// [`TokenGateFairing`](crate::TokenGateFairing) unless told otherwise: for 401 and 403, the
/// rejection a guard of this crate kept in the request-local cache (status, challenge, body in
/// the gate's error format); the JSON 404 (or 405 with `Allow`); and a default catcher for
/// every other status, so that Rocket's own errors (400 for a body that is not JSON, 422 for
/// one that lacks a field, 413 over a data limit, 500 for a panicking handler) get the same
/// body in the gate's format (`Problem::fallback`) instead of Rocket's HTML page. The
/// [guide](crate::guide) shows how to register some of them only.
pub fn catchers() -> Vec<Catcher> {
    rocket::catchers![unauthorized, forbidden, not_found, any_other]
}

/// The 401 and 403 catchers, and the default one (`Status` is the one being caught).
macro_rules! catchers {
    ($($name:ident $code:tt),*) => {$(
        #[rocket::catch($code)]
        fn $name(status: Status, request: &Request<'_>) -> ReplyResponder {
            caught(status, request)
        }
    )*};
}

catchers!(unauthorized 401, forbidden 403, any_other default);

/// What the failed guard stored, else the core's answer for the status.
fn caught(status: Status, request: &Request<'_>) -> ReplyResponder {
    let stored = request
        .local_cache(Rejected::default)
        .0
        .lock()
        .ok()
        .and_then(|mut slot| slot.take());
    let realm = gate_of(request).map_or(tokengate::gate::DEFAULT_REALM, Gate::realm);
    let fallback = || render(request, &Problem::fallback(status.code, realm));
    ReplyResponder(
        stored
            .filter(|reply| reply.status == status.code)
            .unwrap_or_else(fallback),
    )
}

/// Rocket has no 405: a request whose path a route of another method takes ends here, and is
/// answered 405 with `Allow`, as the other frameworks do.
#[rocket::catch(404)]
fn not_found(request: &Request<'_>) -> ReplyResponder {
    let routes = request.rocket().routes();
    let routes = routes.map(|route| (route.uri.path(), route.method.as_str()));
    let path = request.uri().path();
    let problem = Problem::unrouted(request.method().as_str(), path.as_str(), routes);
    ReplyResponder(render(request, &problem))
}

/// `problem` in the gate's error format (the default JSON one if no gate is managed).
fn render(request: &Request<'_>, problem: &Problem) -> HttpReply {
    match gate_of(request) {
        Some(gate) => gate.render(problem),
        None => problem.to_reply(&JsonErrors),
    }
}

/// The headers and URI of a Rocket request, as the core sees them.
pub(crate) struct View<'a, 'r>(pub &'a Request<'r>);

impl RequestView for View<'_, '_> {
    fn header(&self, name: &str) -> HeaderValue<'_> {
        // Rocket 0.5 drops header values that are not UTF-8: such a header is absent here.
        HeaderValue::from_values(self.0.headers().get(name).map(|value| value.as_bytes()))
    }

    fn query(&self) -> Option<&str> {
        self.0.uri().query().map(|query| query.as_str())
    }

    fn method(&self) -> &str {
        self.0.method().as_str()
    }

    /// The socket's peer (not Rocket's `client_ip`, which believes an `X-Real-IP` header).
    fn client_ip(&self) -> Option<std::net::IpAddr> {
        self.0.remote().map(|addr| addr.ip())
    }

    fn path(&self) -> Option<&str> {
        Some(self.0.uri().path().as_str())
    }
}

/// A core [`HttpReply`] (status, content type, headers, body) as a Rocket responder: what
/// the service routes and the catchers answer, and how a route of your own sends what a
/// [`tokengate::TokenService`] method returns (`ReplyResponder(service.me(&user).await)`;
/// the [guide](crate::guide) has an example).
#[derive(Debug, Clone)]
pub struct ReplyResponder(pub HttpReply);

impl<'r> Responder<'r, 'static> for ReplyResponder {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let reply = self.0;
        let mut response = Response::build();
        response.status(Status::new(reply.status));
        if !reply.content_type.is_empty() {
            response.raw_header("Content-Type", reply.content_type.into_owned());
        }
        // Rocket sends names and values unchecked, and hyper refuses the whole response
        // over one bad header: leave out what is not HTTP (an app's reply may hold anything).
        for (name, value) in reply.headers {
            if is_header_name(name) && HttpHeaderValue::from_str(&value).is_ok() {
                response.raw_header_adjoin(name, value);
            }
        }
        if !reply.body.is_empty() {
            response.sized_body(reply.body.len(), Cursor::new(reply.body));
        }
        Ok(response.finalize())
    }
}
