//! The CORS policy for browser clients (CKEditor's `tokenUrl`, single-page apps): which
//! origins may call the service, and the headers that say so.
//!
//! Requests from origins that are not allowed are **not refused**: they are served without
//! CORS headers, so browsers withhold the answer from the page while other clients (and the
//! service's own pages) are unaffected. Every adapter answers alike.

use std::sync::Arc;

use crate::gate::reply::HttpReply;
use crate::gate::source::{HeaderValue, RequestView};

/// What CORS makes of a request, decided by [`CorsPolicy::answer`].
#[derive(Debug, Clone)]
pub enum CorsAnswer {
    /// A preflight: send this reply (204, with the CORS headers for an allowed origin) and
    /// do not route the request.
    Preflight(HttpReply),
    /// Any other request: serve it, then add these headers to the response (`Vary` is added
    /// to what is there, the others replace).
    Decorate(Vec<(&'static str, String)>),
}

/// Methods a preflight allows.
pub const CORS_ALLOWED_METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];
/// Request headers a preflight allows: what a bearer call with a JSON or form body sends,
/// and the CSRF header of a cookie-authenticated one.
pub const CORS_ALLOWED_HEADERS: [&str; 4] = [
    "authorization",
    "content-type",
    "x-access-token",
    "x-csrf-token",
];
/// How long browsers may cache a preflight answer, in seconds.
pub const CORS_MAX_AGE_SECS: u64 = 600;

/// The origins allowed to call the service from a browser (`TOKENGATE_CORS_ORIGINS`).
///
/// ```
/// use tokengate::gate::CorsPolicy;
///
/// let cors = CorsPolicy::new(&["https://editor.example".to_owned()]);
/// let headers = cors.headers(Some("https://editor.example"), true);
/// assert!(headers.contains(&("access-control-allow-origin", "https://editor.example".to_owned())));
/// assert!(cors.headers(Some("https://evil.example"), true).iter().all(|(name, _)| *name == "vary"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct CorsPolicy {
    origins: Arc<[String]>,
}

impl CorsPolicy {
    /// A policy allowing exactly `origins` (`scheme://host[:port]`, compared byte for byte).
    pub fn new(origins: &[String]) -> Self {
        CorsPolicy {
            origins: origins.into(),
        }
    }

    /// The allowed origins.
    pub fn origins(&self) -> &[String] {
        &self.origins
    }

    /// Whether `origin` may call the service from a browser.
    pub fn allows(&self, origin: &str) -> bool {
        self.origins.iter().any(|allowed| allowed == origin)
    }

    /// Whether a request is a CORS preflight: `OPTIONS` with `Access-Control-Request-Method`.
    pub fn is_preflight(method: &str, has_request_method: bool) -> bool {
        method.eq_ignore_ascii_case("OPTIONS") && has_request_method
    }

    /// What to do with `request`: every adapter's CORS layer asks this, so all of them answer
    /// a preflight with the same 204, from any origin.
    pub fn answer(&self, request: &impl RequestView) -> CorsAnswer {
        let origin = match request.header("origin") {
            HeaderValue::One(value) => std::str::from_utf8(value).ok(),
            HeaderValue::Absent | HeaderValue::Many => None,
        };
        let preflight = CorsPolicy::is_preflight(
            request.method(),
            !matches!(
                request.header("access-control-request-method"),
                HeaderValue::Absent
            ),
        );
        let headers = self.headers(origin, preflight);
        if preflight {
            let mut reply = HttpReply::empty(204);
            reply.headers = headers;
            CorsAnswer::Preflight(reply)
        } else {
            CorsAnswer::Decorate(headers)
        }
    }

    /// The headers to add to the response to a request carrying `origin`: none when no origin
    /// is configured; otherwise `Vary: Origin`, and for an allowed origin
    /// `Access-Control-Allow-Origin` echoing it (never `*`) and
    /// `Access-Control-Allow-Credentials: true`, so a page there may send the session cookies
    /// (plus methods, headers and max age on a preflight).
    pub fn headers(&self, origin: Option<&str>, preflight: bool) -> Vec<(&'static str, String)> {
        if self.origins.is_empty() {
            return Vec::new();
        }
        let mut headers = vec![("vary", "origin".to_owned())];
        let Some(origin) = origin.filter(|origin| self.allows(origin)) else {
            return headers;
        };
        headers.push(("access-control-allow-origin", origin.to_owned()));
        headers.push(("access-control-allow-credentials", "true".to_owned()));
        if preflight {
            headers.push((
                "access-control-allow-methods",
                CORS_ALLOWED_METHODS.join(", "),
            ));
            headers.push((
                "access-control-allow-headers",
                CORS_ALLOWED_HEADERS.join(", "),
            ));
            headers.push(("access-control-max-age", CORS_MAX_AGE_SECS.to_string()));
        }
        headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_origins_get_cors_headers() {
        let cors = CorsPolicy::new(&["https://a.example".to_owned()]);
        let names =
            |h: Vec<(&'static str, String)>| h.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(
            names(cors.headers(Some("https://a.example"), true)),
            [
                "vary",
                "access-control-allow-origin",
                "access-control-allow-credentials",
                "access-control-allow-methods",
                "access-control-allow-headers",
                "access-control-max-age"
            ]
        );
        assert_eq!(
            names(cors.headers(Some("https://a.example"), false)),
            [
                "vary",
                "access-control-allow-origin",
                "access-control-allow-credentials"
            ]
        );
        for other in [
            "https://a.example.evil",
            "http://a.example",
            "https://A.example",
            "null",
        ] {
            assert_eq!(names(cors.headers(Some(other), true)), ["vary"], "{other}");
        }
        assert_eq!(names(cors.headers(None, false)), ["vary"]);
        assert!(CorsPolicy::default()
            .headers(Some("https://a.example"), true)
            .is_empty());
        assert!(CorsPolicy::is_preflight("OPTIONS", true));
        assert!(
            !CorsPolicy::is_preflight("OPTIONS", false) && !CorsPolicy::is_preflight("GET", true)
        );
    }
}
