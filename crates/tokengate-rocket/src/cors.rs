//! CORS for browser clients (CKEditor's `tokenUrl`): a response fairing and a preflight route.

use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::http::Status;
use rocket::{Build, Request, Response, Rocket, Route};

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

/// CORS alone, for an app that does not attach [`TokenGateFairing`](crate::TokenGateFairing)
/// (which answers CORS itself): preflights answered 204 from any origin, and the CORS headers
/// of the core's policy on every response to an allowed origin.
///
/// ```
/// let origins = vec!["https://editor.example".to_owned()];
/// let rocket = rocket::build().attach(tokengate_rocket::CorsFairing::new(&origins));
/// # drop(rocket);
/// ```
#[derive(Debug, Clone)]
pub struct CorsFairing {
    policy: tokengate::CorsPolicy,
}

impl CorsFairing {
    /// Allows exactly `origins` (e.g. `config.cors_origins`) to call the app from a browser.
    pub fn new(origins: &[String]) -> Self {
        CorsFairing {
            policy: tokengate::CorsPolicy::new(origins),
        }
    }
}

#[rocket::async_trait]
impl Fairing for CorsFairing {
    fn info(&self) -> Info {
        Info {
            name: "tokengate CORS",
            kind: Kind::Ignite | Kind::Response | Kind::Singleton,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let policy = self.policy.clone();
        Ok(rocket.mount("/", routes()).manage(Cors { policy }))
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        apply(request, response);
    }
}
