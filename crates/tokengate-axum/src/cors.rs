//! CORS for browser clients (CKEditor's `tokenUrl`), through `tower-http`.

use axum::http::{header, HeaderName, HeaderValue, Method};
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// A CORS layer allowing exactly `origins` (e.g. from `TOKENGATE_CORS_ORIGINS`) to call the
/// service with a bearer token. Requests from other origins get no CORS headers, so browsers
/// refuse them; an empty list allows none.
pub fn cors_layer(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("x-access-token"),
        ])
        .max_age(Duration::from_secs(600))
}
