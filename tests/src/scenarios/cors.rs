//! CORS: preflights and the headers on answers to allowed and other origins.

use reqwest::{Method, Response};
use serde_json::json;

use crate::harness::{App, Target, ALLOWED_ORIGIN};

/// A preflight from a configured origin is allowed, with the headers a bearer call needs.
pub async fn cors_preflight_allows_the_configured_origin(target: &Target) {
    let app = target.start();
    let cases = [
        ("/cs-token", "GET", "authorization"),
        ("/documents/doc-1", "PUT", "authorization,content-type"),
        ("/login", "POST", "content-type"),
        ("/protected", "GET", "x-access-token"),
    ];
    for (path, method, request_headers) in cases {
        let response = preflight(&app, path, ALLOWED_ORIGIN, method, request_headers).await;
        // 204 on every framework: a preflight has no body.
        assert_eq!(response.status().as_u16(), 204, "{path}");
        let headers = response.headers();
        assert_eq!(
            headers["access-control-allow-origin"], ALLOWED_ORIGIN,
            "{path}"
        );
        let methods = headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .to_ascii_uppercase();
        assert!(methods.contains(method), "{path}: {methods}");
        let allowed = headers["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        for header in request_headers.split(',') {
            assert!(allowed.contains(header), "{path}: {header} in {allowed}");
        }
    }
}

/// `OPTIONS path` as a browser's CORS preflight.
async fn preflight(app: &App, path: &str, origin: &str, method: &str, headers: &str) -> Response {
    app.http
        .request(Method::OPTIONS, app.url(path))
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", headers)
        .send()
        .await
        .expect("preflight")
}

/// Other origins get no CORS permission.
pub async fn cors_refuses_other_origins(target: &Target) {
    let app = target.start();
    let response = preflight(
        &app,
        "/cs-token",
        "https://evil.example",
        "GET",
        "authorization",
    )
    .await;
    // The same 204 as for an allowed origin, without a single CORS permission: a preflight is
    // not refused, the browser is simply not told yes.
    assert_eq!(response.status().as_u16(), 204);
    for header in [
        "access-control-allow-origin",
        "access-control-allow-credentials",
    ] {
        assert!(response.headers().get(header).is_none(), "{header}");
    }
    let token = app.mint("user-1", json!({}));
    let simple = app
        .http
        .get(app.url("/cs-token"))
        .header("origin", "https://evil.example")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(simple
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

/// A real request from the configured origin carries `Access-Control-Allow-Origin`.
pub async fn cors_headers_on_cs_token(target: &Target) {
    let app = target.start();
    let token = app.mint("user-1", json!({}));
    let response = app
        .http
        .get(app.url("/cs-token"))
        .header("origin", ALLOWED_ORIGIN)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        ALLOWED_ORIGIN
    );
}
