//! CORS for browser clients (CKEditor's `tokenUrl`): a response fairing and a preflight route.

use rocket::http::{Method, Status};
use rocket::{Request, Response, Route};

/// The origins allowed to call the app from a browser, in managed state.
pub(crate) struct Cors {
    pub origins: Vec<String>,
}

/// The methods and headers a preflight allows, as in the other adapters.
const ALLOW_METHODS: &str = "GET, POST, PUT, DELETE";
const ALLOW_HEADERS: &str = "authorization, content-type, x-access-token";
const MAX_AGE: &str = "600";

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
    if cors.origins.is_empty() {
        return;
    }
    response.adjoin_raw_header("Vary", "Origin");
    let Some(origin) = request.headers().get_one("origin") else {
        return;
    };
    if !cors.origins.iter().any(|allowed| allowed == origin) {
        return;
    }
    response.set_raw_header("Access-Control-Allow-Origin", origin.to_owned());
    let preflight = request.method() == Method::Options
        && request.headers().contains("access-control-request-method");
    if preflight {
        response.set_raw_header("Access-Control-Allow-Methods", ALLOW_METHODS);
        response.set_raw_header("Access-Control-Allow-Headers", ALLOW_HEADERS);
        response.set_raw_header("Access-Control-Max-Age", MAX_AGE);
    }
}
