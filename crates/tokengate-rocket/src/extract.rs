//! `Authenticated<C>` and `MaybeAuthenticated<C>`: the verified claims of a request, and the
//! rejection when there are none.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome};
use rocket::response::{self, Responder};
use rocket::{Ignite, Request, Rocket, Sentinel};
use serde::de::DeserializeOwned;
use std::sync::Mutex;
use tokengate::{AuthError, Claims, Gate, HttpReply, NoExtra, Refusal};

use crate::view::{to_response, View};

tokengate::adapter_guard_types! {
    /// The verified claims of the request's bearer token, as a request guard.
    ///
    /// The guard finds the token (`Authorization: Bearer`, then `x-access-token` by default) and
    /// verifies it with the [`Gate`] in Rocket's managed state (the
    /// [`TokenGateFairing`](crate::TokenGateFairing) manages it). Verification happens once per
    /// request, whatever the number of guards that ask (Rocket's request-local cache). On failure
    /// the guard fails with the status and the [`catchers`](crate::catchers) send the
    /// exact rejection (status, `WWW-Authenticate`, JSON body); the handler never runs.
    ///
    /// For a token that may be absent use [`MaybeAuthenticated`], not `Option<Authenticated>`;
    /// to handle the rejection yourself take `Result<Authenticated, TokenRejection>`.
    ///
    /// ```
    /// use rocket::get;
    /// use tokengate_rocket::Authenticated;
    ///
    /// #[get("/whoami")]
    /// fn whoami(user: Authenticated) -> String {
    ///     user.sub.clone().unwrap_or_default()
    /// }
    /// ```
    Authenticated;
    /// A request guard for verified claims that grant `P`'s permission on the document named by
    /// the route's dynamic segment `P::PARAM` (percent-decoded); otherwise the request fails with
    /// 401 (no valid token) or 403 `insufficient_scope`, answered by the
    /// [`catchers`](crate::catchers).
    ///
    /// Rocket wants every dynamic segment among the handler's arguments, so the handler also
    /// receives the id itself; it equals [`document`](Self::document).
    ///
    /// ```
    /// use rocket::put;
    /// use tokengate_rocket::{Authorized, DocumentWrite};
    ///
    /// #[put("/documents/<id>")]
    /// fn write(id: &str, doc: Authorized<DocumentWrite>) -> String {
    ///     format!("{} may write {id}", doc.sub.as_deref().unwrap_or("?"))
    /// }
    /// ```
    ///
    /// A route without the segment is a programming error: the request ends in 500.
    Authorized;
}

/// The claims of a request whose token is optional: no token is `MaybeAuthenticated(None)`,
/// but an invalid or expired token is still rejected with 401.
///
/// Why not `Option<Authenticated>`? Rocket turns *any* failure of the inner guard into
/// `None`, so a forged or expired token would pass as an anonymous request, which is rarely
/// what a route that treats signed-in users differently wants.
///
/// ```
/// use rocket::get;
/// use tokengate_rocket::MaybeAuthenticated;
///
/// #[get("/greeting")]
/// fn greeting(user: MaybeAuthenticated) -> String {
///     match user.0 {
///         Some(claims) => format!("hello {}", claims.sub.unwrap_or_default()),
///         None => "hello stranger".into(),
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub struct MaybeAuthenticated<C = NoExtra>(pub Option<Claims<C>>);

/// Why a request was refused: the core's [`Refusal`] (status, `WWW-Authenticate`
/// challenge, body in the gate's error format). The error of the [`Authenticated`],
/// [`MaybeAuthenticated`] and [`Authorized`](crate::Authorized) guards, and a responder.
#[derive(Debug, Clone)]
pub struct TokenRejection(pub Refusal);

impl<'r> Responder<'r, 'static> for TokenRejection {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Ok(to_response(self.0.into_reply()))
    }
}

impl std::fmt::Display for TokenRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for TokenRejection {}

/// The result of verifying the request's token, cached per request and claims type.
struct Verified<C>(Result<Option<Claims<C>>, Refusal>);

/// The last rejection of this request, for the catcher that will answer it.
#[derive(Default)]
struct Rejected(Mutex<Option<HttpReply>>);

/// The gate in managed state.
pub(crate) fn gate_of<'r>(request: &'r Request<'_>) -> Option<&'r Gate> {
    request.rocket().state::<Gate>()
}

/// The verified claims of `request` (`None` without a token), verified at most once per
/// request (a trusted issuer's keys fetched again for an unknown `kid`).
pub(crate) async fn verified<'r, C>(
    request: &'r Request<'_>,
    gate: &Gate,
) -> &'r Result<Option<Claims<C>>, Refusal>
where
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    let verify = async { Verified::<C>(gate.require_optional_async(&View(request)).await) };
    &request.local_cache_async(verify).await.0
}

/// The verified claims, or the guard's failure (401 `missing_token` without a token).
pub(crate) async fn required<'r, C>(
    request: &'r Request<'_>,
    gate: &Gate,
) -> Result<&'r Claims<C>, Refusal>
where
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    match verified::<C>(request, gate).await {
        Ok(Some(claims)) => Ok(claims),
        Ok(None) => Err(Refusal::new(gate, AuthError::MissingToken)),
        Err(rejection) => Err(rejection.clone()),
    }
}

/// Fails the guard with `rejection`, keeping the rendered reply for the catcher.
pub(crate) fn reject<T>(request: &Request<'_>, rejection: Refusal) -> Outcome<T, TokenRejection> {
    let slot = request.local_cache(Rejected::default);
    if let Ok(mut slot) = slot.0.lock() {
        *slot = Some(rejection.reply().clone());
    }
    Outcome::Error((Status::new(rejection.status()), TokenRejection(rejection)))
}

/// The rejection a guard of this request stored, if its status is `status`.
pub(crate) fn stored_rejection(request: &Request<'_>, status: Status) -> Option<HttpReply> {
    let slot = request.local_cache(Rejected::default);
    let mut slot = slot.0.lock().ok()?;
    match slot.take() {
        Some(reply) if reply.status == status.code => Some(reply),
        _ => None,
    }
}

/// The outcome when no [`Gate`] is managed: a programming error, logged, answered with 500.
pub(crate) fn no_gate<T, E>() -> Outcome<T, E> {
    rocket::error!("tokengate: no Gate in managed state; attach TokenGateFairing or manage a Gate");
    Outcome::Forward(Status::InternalServerError)
}

/// Whether launch must stop because no [`Gate`] is managed.
pub(crate) fn gate_missing(rocket: &Rocket<Ignite>) -> bool {
    let missing = rocket.state::<Gate>().is_none();
    if missing {
        rocket::error!(
            "tokengate: a route uses a tokengate guard but no Gate is managed; attach \
             TokenGateFairing or manage a Gate"
        );
    }
    missing
}

#[rocket::async_trait]
impl<'r, C> FromRequest<'r> for Authenticated<C>
where
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Error = TokenRejection;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, TokenRejection> {
        let Some(gate) = gate_of(request) else {
            return no_gate();
        };
        match required::<C>(request, gate).await {
            Ok(claims) => Outcome::Success(Authenticated(claims.clone())),
            Err(rejection) => reject(request, rejection),
        }
    }
}

#[rocket::async_trait]
impl<'r, C> FromRequest<'r> for MaybeAuthenticated<C>
where
    C: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Error = TokenRejection;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, TokenRejection> {
        let Some(gate) = gate_of(request) else {
            return no_gate();
        };
        match verified::<C>(request, gate).await {
            Ok(claims) => Outcome::Success(MaybeAuthenticated(claims.clone())),
            Err(rejection) => reject(request, rejection.clone()),
        }
    }
}

impl<C> Sentinel for Authenticated<C> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        gate_missing(rocket)
    }
}

impl<C> Sentinel for MaybeAuthenticated<C> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        gate_missing(rocket)
    }
}
