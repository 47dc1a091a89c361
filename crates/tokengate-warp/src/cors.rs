//! CORS for browser clients (CKEditor's `tokenUrl`), through `warp::cors()`.

use warp::http::Uri;

/// A `warp::cors()` wrapper allowing exactly `origins` (e.g. from
/// `TOKENGATE_CORS_ORIGINS`) to call the service with a bearer token: methods `GET`, `POST`,
/// `PUT`, `DELETE`, headers `authorization`, `content-type`, `x-access-token`. Apply it
/// outermost, after [`handle_rejection`](crate::handle_rejection), so that error responses
/// carry the CORS headers too.
///
/// Warp's CORS refuses a request whose `Origin` is not allowed with 403 (and no
/// `Access-Control-Allow-Origin`); that includes a browser's same-origin `POST`, so list your
/// own origin too if pages it serves call the API. Origins that are not `scheme://host[:port]`
/// are skipped (warp would panic on them).
///
/// ```
/// use warp::Filter;
///
/// let origins = vec!["https://editor.example".to_owned()];
/// let app = warp::path!("hello").map(|| "hello").with(tokengate_warp::cors(&origins));
/// ```
pub fn cors(origins: &[String]) -> warp::cors::Cors {
    warp::cors()
        .allow_origins(
            origins
                .iter()
                .map(String::as_str)
                .filter(|origin| is_origin(origin)),
        )
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["authorization", "content-type", "x-access-token"])
        .max_age(600)
        .build()
}

/// What `warp::cors().allow_origin` accepts without panicking: `scheme://authority` and no
/// path beyond `/`.
fn is_origin(origin: &str) -> bool {
    if !origin.contains("://") {
        return false;
    }
    origin.parse::<Uri>().is_ok_and(|uri| {
        uri.scheme().is_some()
            && uri.authority().is_some()
            && uri
                .path_and_query()
                .is_none_or(|path| path.as_str().is_empty() || path.as_str() == "/")
    })
}

#[cfg(test)]
mod tests {
    use super::is_origin;

    #[test]
    fn origins_are_checked_before_warp_sees_them() {
        for ok in [
            "https://editor.example",
            "http://localhost:3000",
            "https://a.example/",
        ] {
            assert!(is_origin(ok), "{ok}");
        }
        for bad in [
            "editor.example",
            "https://",
            "https://a.example/path",
            "null",
        ] {
            assert!(!is_origin(bad), "{bad}");
        }
        // Building the wrapper with them must not panic.
        let _ = super::cors(&["null".into(), "https://ok.example".into()]);
    }
}
