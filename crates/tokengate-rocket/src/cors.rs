//! CORS for browser clients (CKEditor's `tokenUrl`): a response fairing and a preflight route.

use rocket::http::Status;
use rocket::{Request, Response, Route};

/// The core's policy, in managed state.
pub(crate) struct Cors {
    pub policy: tokengate::CorsPolicy,
}

/// Answers every preflight (`OPTIONS`, any path) with 204; the response fairing adds the CORS
/// headers when the origin is allowed. Ranked last, so an app's own `OPTIONS` routes win.
#[rocket::options("/<_..>", rank = 1000)]
fn preflight() -> Status {
    Status::NoContent
}

/// The preflight route.
pub(crate) fn routes() -> Vec<Route> {
    rocket::routes![preflight]
}

/// Adds the CORS headers to `response` when the request comes from an allowed origin;
/// requests from other origins get none, so browsers refuse them.
pub(crate) fn apply(request: &Request<'_>, response: &mut Response<'_>) {
    let Some(cors) = request.rocket().state::<Cors>() else {
        return;
    };
    let preflight = tokengate::CorsPolicy::is_preflight(
        request.method().as_str(),
        request.headers().contains("access-control-request-method"),
    );
    let origin = request.headers().get_one("origin");
    for (name, value) in cors.policy.headers(origin, preflight) {
        if name == "vary" {
            response.adjoin_raw_header("Vary", value);
        } else {
            response.set_raw_header(name, value);
        }
    }
}
