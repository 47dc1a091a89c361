//! The request guards: `Authenticated<C>`, `MaybeAuthenticated<C>`, `Authorized<P, C>` and
//! `Scoped<S, C>`, and the rejection when a request has no claims that do.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome};
use rocket::response::{self, Responder};
use rocket::{Ignite, Request, Rocket, Sentinel};
use serde::de::DeserializeOwned;
use std::sync::Mutex;
use tokengate::{Claims, DocumentSegment, Gate, HttpReply, Refusal, RequiredPermission, Scope};

use crate::view::{to_response, View};

tokengate::adapter_guard_types! {
    /// The verified claims of the request's bearer token, as a request guard.
    ///
    /// The guard finds the token (`Authorization: Bearer`, then `x-access-token` by default) and
    /// verifies it with the [`Gate`] in Rocket's managed state (the
    /// [`TokenGateFairing`](crate::TokenGateFairing) manages it), once per request whatever the
    /// number of guards that ask. On failure the guard fails with the status and the
    /// [`catchers`](crate::catchers) send the exact rejection; the handler never runs. For a
    /// token that may be absent use [`MaybeAuthenticated`]; to handle the rejection yourself take
    /// `Result<Authenticated, TokenRejection>`.
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
    /// The claims of a request whose token is optional: no token is `MaybeAuthenticated(None)`,
    /// but an invalid or expired token is still rejected with 401. (Rocket's
    /// `Option<Authenticated>` would turn a forged token into `None`: see the
    /// [guide](crate::guide), which has an example.)
    MaybeAuthenticated;
    /// A request guard for verified claims that grant `P`'s permission on the document named by
    /// the route's dynamic segment `P::PARAM` (percent-decoded); otherwise the request fails with
    /// 401 (no valid token) or 403 `insufficient_scope`, answered by the
    /// [`catchers`](crate::catchers). A route without the segment ends in 500.
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
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Ok(to_response(self.0.into_reply()))
    }
}

/// The result of verifying the request's token, cached per request and claims type.
struct Verified<C>(Result<Option<Claims<C>>, Refusal>);

/// The last rejection of this request, for the catcher that will answer it.
#[derive(Default)]
struct Rejected(Mutex<Option<HttpReply>>);

/// The gate in managed state.
pub(crate) fn gate_of<'r>(request: &'r Request<'_>) -> Option<&'r Gate> {
    request.rocket().state::<Gate>()
}

/// Runs a guard: `check` on the request's claims (`None` without a token), verified at most
/// once per request (a trusted issuer's keys fetched again for an unknown `kid`). A refusal
/// fails the guard with its status and is kept for the catcher; without a managed gate the
/// request ends in 500, logged.
async fn guard<C, T>(
    request: &Request<'_>,
    check: impl FnOnce(&Gate, &Option<Claims<C>>) -> Result<T, Refusal> + Send,
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
    let verify = async { Verified::<C>(gate.require_optional_async(&View(request)).await) };
    let verified = &request.local_cache_async(verify).await.0;
    let refusal = match verified.as_ref().map(|claims| check(gate, claims)) {
        Ok(Ok(value)) => return Outcome::Success(value),
        Ok(Err(refusal)) => refusal,
        Err(refusal) => refusal.clone(),
    };
    if let Ok(mut slot) = request.local_cache(Rejected::default).0.lock() {
        *slot = Some(refusal.reply().clone());
    }
    Outcome::Error((Status::new(refusal.status()), TokenRejection(refusal)))
}

/// The rejection a guard of this request stored, if its status is `status`.
pub(crate) fn stored_rejection(request: &Request<'_>, status: Status) -> Option<HttpReply> {
    let mut slot = request.local_cache(Rejected::default).0.lock().ok()?;
    slot.take().filter(|reply| reply.status == status.code)
}

/// The guards are sentinels: launch stops when a route uses one and no [`Gate`] is managed.
fn gate_missing(rocket: &Rocket<Ignite>) -> bool {
    let missing = rocket.state::<Gate>().is_none();
    if missing {
        rocket::error!(
            "tokengate: a route uses a tokengate guard but no Gate is managed; attach \
             TokenGateFairing or manage a Gate"
        );
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
    Authenticated<C>, |gate, claims, request| gate.require_present(claims.clone()).map(Authenticated);
    MaybeAuthenticated<C>, |_gate, claims, request| Ok(MaybeAuthenticated(claims.clone()));
    Authorized<P, C> where P: RequiredPermission, |gate, claims, request| {
        let claims = gate.require_present(claims.clone())?;
        let path = request.uri().path().as_str();
        let segment = request.route().map_or(DocumentSegment::Missing, |route| {
            DocumentSegment::in_path(route.uri.path(), path, P::PARAM)
        });
        let document = gate.authorize_segment::<P, C>(&claims, segment)?;
        Ok(Authorized::granted(claims, document))
    };
    Scoped<S, C> where S: Scope, |gate, claims, request| Scoped::check(gate, gate.require_present(claims.clone())?);
}
