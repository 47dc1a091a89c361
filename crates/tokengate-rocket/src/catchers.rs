//! The catchers that send a guard's rejection, and the service's JSON 404.

use rocket::http::{Method, Status};
use rocket::{Catcher, Request};
use tokengate::{Gate, HttpReply, JsonErrors, Problem};

use crate::extract::stored_rejection;
use crate::view::ReplyResponder;

/// Catchers for 401, 403, 404 and 503, registered by the
/// [`TokenGateFairing`](crate::TokenGateFairing) unless told otherwise.
///
/// Rocket's catchers do not know which guard failed, so the guards of this crate keep the
/// rendered rejection in the request-local cache and these catchers send exactly that: the
/// status, the `WWW-Authenticate` challenge and the body in the gate's error format. A 404
/// is the service's JSON `not_found`. A 401 or 403 that no tokengate guard produced gets a
/// generic body in the same format. A 503 is what a guard answers while a trusted issuer's
/// keys have never been loaded (with `Retry-After`).
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
    let realm = gate(request).map_or(tokengate::DEFAULT_REALM, Gate::realm);
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
    let path = request.uri().path().as_str();
    let mut allowed: Vec<Method> = request
        .rocket()
        .routes()
        .filter(|route| {
            route.method != Method::Options && tokengate::template_matches(route.uri.path(), path)
        })
        .map(|route| route.method)
        .collect();
    // A route of this very method that forwarded (a guard or parameter declined) is a 404.
    let own = match request.method() {
        Method::Head => Method::Get,
        method => method,
    };
    if allowed.is_empty() || allowed.contains(&own) {
        return ReplyResponder(render(request, &Problem::not_found()));
    }
    allowed.sort_by_key(|method| method.as_str());
    allowed.dedup();
    let allow: Vec<&str> = allowed.iter().map(|method| method.as_str()).collect();
    let problem = Problem::method_not_allowed_for(&allow);
    ReplyResponder(render(request, &problem))
}

fn gate<'r>(request: &'r Request<'_>) -> Option<&'r Gate> {
    request.rocket().state::<Gate>()
}

/// `problem` in the gate's error format (the default JSON one if no gate is managed).
fn render(request: &Request<'_>, problem: &Problem) -> HttpReply {
    match gate(request) {
        Some(gate) => gate.render(problem),
        None => problem.to_reply(&JsonErrors),
    }
}
