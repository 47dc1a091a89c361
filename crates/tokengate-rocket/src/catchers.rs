//! The catchers that send a guard's rejection, and the service's JSON 404.

use rocket::http::Status;
use rocket::{Catcher, Request};
use tokengate::{Gate, HttpReply, JsonErrors, Problem};

use crate::extract::{gate_of, stored_rejection};
use crate::view::ReplyResponder;

/// Catchers for 401, 403, 404 and 503, registered by the
/// [`TokenGateFairing`](crate::TokenGateFairing) unless told otherwise: they send the
/// rejection a guard of this crate kept in the request-local cache (status, challenge, body in
/// the gate's error format; see the [guide](crate::guide)), a generic body in the same
/// format for a 401, 403 or 503 no guard produced, and the JSON 404 (or 405 with `Allow`).
///
/// ```
/// // Your own 404 catcher stays; register only the other two, at a base of your choice.
/// let ours = tokengate_rocket::catchers().into_iter().filter(|c| c.code != Some(404));
/// let rocket = rocket::build().register("/", ours.collect::<Vec<_>>());
/// ```
pub fn catchers() -> Vec<Catcher> {
    rocket::catchers![unauthorized, forbidden, not_found, unavailable]
}

#[rocket::catch(401)]
fn unauthorized(request: &Request<'_>) -> ReplyResponder {
    let realm = gate_of(request).map_or(tokengate::DEFAULT_REALM, Gate::realm);
    answer(request, Status::Unauthorized, Problem::unauthorized(realm))
}

#[rocket::catch(403)]
fn forbidden(request: &Request<'_>) -> ReplyResponder {
    answer(request, Status::Forbidden, Problem::forbidden())
}

#[rocket::catch(503)]
fn unavailable(request: &Request<'_>) -> ReplyResponder {
    let fallback = Problem::new(
        503,
        "unavailable",
        "the service is temporarily unavailable; try again shortly",
    );
    answer(request, Status::ServiceUnavailable, fallback)
}

/// What the failed guard stored, else `fallback`: the core decided either way.
fn answer(request: &Request<'_>, status: Status, fallback: Problem) -> ReplyResponder {
    ReplyResponder(stored_rejection(request, status).unwrap_or_else(|| render(request, &fallback)))
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
