//! What every verify-only example promises, checked the same way for each framework: an app
//! of its own with an open route and an `/api` scope that only valid tokens enter, built
//! without the account service.

use serde_json::json;

use crate::harness::{now, Target};

/// Starts the verify-only example `binary` (built with `--no-default-features`) and checks,
/// over HTTP, that its open route is open, and that its `/api` routes refuse a missing,
/// forged, expired or wrongly addressed token with the usual 401s, serve a valid one, and
/// answer 403 for a token without the document permission.
pub async fn check(binary: &'static str) {
    if Target::external().is_some() {
        return;
    }
    let target = Target::verify_only(binary);
    crate::copy_me::short_secret_stops_start_up(&target);
    let app = target.start();
    let get = |path: &str, token: Option<&str>| {
        let request = app.http.get(app.url(path));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
        .send()
    };
    let open = get("/", None).await.unwrap();
    assert_eq!(open.status().as_u16(), 200);
    assert_eq!(open.text().await.unwrap(), "my app");

    let missing = get("/api/me", None).await.unwrap();
    assert_eq!(missing.status().as_u16(), 401);
    assert_eq!(
        missing.headers()["www-authenticate"],
        "Bearer realm=\"tokengate\""
    );
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["error"], "missing_token");

    let valid = app.mint("user-42", json!({}));
    let served = get("/api/me", Some(&valid)).await.unwrap();
    assert_eq!(served.status().as_u16(), 200);
    assert_eq!(served.text().await.unwrap(), "hello, user-42");

    let mut forged = valid.clone();
    forged.pop();
    forged.push(if valid.ends_with('A') { 'B' } else { 'A' });
    let expired = app.mint("user-42", json!({"iat": now() - 7200, "exp": now() - 3600}));
    let elsewhere = app.mint("user-42", json!({"aud": "another-service"}));
    for (token, error) in [
        (forged.as_str(), "invalid_token"),
        ("not.a.token", "invalid_token"),
        (expired.as_str(), "token_expired"),
        (elsewhere.as_str(), "invalid_token"),
    ] {
        let refused = get("/api/me", Some(token)).await.unwrap();
        assert_eq!(refused.status().as_u16(), 401, "{error}");
        let challenge = refused.headers()["www-authenticate"].to_str().unwrap();
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
        let body: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(body["error"], error);
    }

    let reader = app.mint(
        "user-42",
        json!({"auth": {"collaboration": {"doc-1": {"role": "reader"}}}}),
    );
    let read = get("/api/documents/doc-1", Some(&reader)).await.unwrap();
    assert_eq!(read.status().as_u16(), 200);
    assert_eq!(read.text().await.unwrap(), "reading doc-1");
    let other = get("/api/documents/doc-2", Some(&reader)).await.unwrap();
    assert_eq!(other.status().as_u16(), 403);
    let body: serde_json::Value = other.json().await.unwrap();
    assert_eq!(body["error"], "insufficient_scope");
    let anonymous = get("/api/documents/doc-1", None).await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
}
