//! CORS for browser clients (CKEditor's `tokenUrl`), through `actix-cors`.

use actix_cors::Cors;
use actix_web::http::header::HeaderName;
use actix_web::http::{Method, Uri};
use tokengate::{CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_MAX_AGE_SECS};

/// A CORS middleware (the core's policy: methods, headers and max age of
/// `tokengate::CorsPolicy`) allowing exactly `origins` (e.g. `config.cors_origins`, from
/// `TOKENGATE_CORS_ORIGINS`) to call the service with a bearer token: methods GET, POST, PUT
/// and DELETE, headers `authorization`, `content-type` and `x-access-token`.
///
/// Requests from other origins are served without CORS headers, so browsers refuse to hand
/// the answer to the page; a preflight from another origin gets actix-cors' 400, again
/// without `Access-Control-Allow-Origin`. An empty list allows no origin.
///
/// Wrap the `App` with it (`App::new().wrap(tokengate_actix::cors(&origins))`) so that it
/// sits outside [`TokenGate`](crate::TokenGate) and every route, the 404 included.
pub fn cors(origins: &[String]) -> Cors {
    let cors = Cors::default()
        .allowed_methods(
            CORS_ALLOWED_METHODS.map(|m| Method::from_bytes(m.as_bytes()).expect("method")),
        )
        .allowed_headers(CORS_ALLOWED_HEADERS.map(HeaderName::from_static))
        .max_age(usize::try_from(CORS_MAX_AGE_SECS).ok())
        .block_on_origin_mismatch(false);
    origins
        .iter()
        // actix-cors fails the whole app on an origin that is not a URI; skip it instead.
        .filter(|origin| origin.parse::<Uri>().is_ok())
        .fold(cors, |cors, origin| cors.allowed_origin(origin))
}
