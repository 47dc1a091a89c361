//! CORS for browser clients (CKEditor's `tokenUrl`), through `tower-http`.

use axum::http::{HeaderName, HeaderValue, Method};
use std::time::Duration;
use tokengate::{CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_MAX_AGE_SECS};
use tower_http::cors::{AllowCredentials, AllowOrigin, CorsLayer};

/// A CORS layer (the core's policy: methods, headers and max age of `tokengate::CorsPolicy`)
/// allowing exactly `origins` (e.g. from `TOKENGATE_CORS_ORIGINS`) to call the
/// service with a bearer token. Requests from other origins get no CORS headers, so browsers
/// refuse them; an empty list allows none.
pub fn cors_layer(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    let allowed = origins.clone();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods(
            CORS_ALLOWED_METHODS.map(|m| Method::from_bytes(m.as_bytes()).expect("method")),
        )
        .allow_headers(CORS_ALLOWED_HEADERS.map(HeaderName::from_static))
        .max_age(Duration::from_secs(CORS_MAX_AGE_SECS))
        // Only for the allowed origins: the others get no CORS header at all.
        .allow_credentials(AllowCredentials::predicate(move |origin, _| {
            allowed.iter().any(|allowed| allowed == origin)
        }))
}
