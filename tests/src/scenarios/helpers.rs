//! The private helpers the scenario sections share: requests, assertions, users and tokens.

use reqwest::header::HeaderMap;
use reqwest::{Method, Response};
use serde_json::{json, Value};

use crate::harness::{valid_claims, App, Target};

pub(crate) async fn json_of(response: Response) -> (u16, HeaderMap, Value) {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, headers, body)
}

/// Asserts the HTTP API's error shape: status, `{"error": code, "message": text}`.
pub(crate) async fn expect_error(response: Response, status: u16, code: &str) -> HeaderMap {
    let (actual, headers, body) = json_of(response).await;
    assert_eq!(actual, status, "status for {code}: {body}");
    assert_eq!(body["error"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "a message: {body}"
    );
    assert_eq!(body.as_object().map(|o| o.len()), Some(2), "{body}");
    headers
}

pub(crate) fn challenge(headers: &HeaderMap) -> String {
    headers
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// `GET path` without credentials.
pub(crate) async fn get(app: &App, path: &str) -> Response {
    app.http.get(app.url(path)).send().await.expect("request")
}

pub(crate) async fn get_with_token(app: &App, path: &str, token: &str) -> Response {
    app.http
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

/// Asserts a bearer failure of class `invalid_token` (or `token_expired`) on `/protected`.
pub(crate) async fn expect_invalid(app: &App, token: &str, code: &str) {
    let response = get_with_token(app, "/protected", token).await;
    expect_invalid_answer(response, code).await;
}

/// Asserts a 401 `code` with the `invalid_token` challenge, its description quoted whole.
pub(crate) async fn expect_invalid_answer(response: Response, code: &str) {
    let headers = expect_error(response, 401, code).await;
    let challenge = challenge(&headers);
    let description = challenge
        .strip_prefix("Bearer realm=\"tokengate\", error=\"invalid_token\", error_description=\"")
        .unwrap_or_else(|| panic!("{challenge}"));
    let text = description
        .strip_suffix('"')
        .unwrap_or_else(|| panic!("{challenge}"));
    assert!(
        !text.is_empty() && !text.contains(['"', '\\']),
        "one quoted description: {challenge}"
    );
}

pub(crate) async fn signup(app: &App, email: &str, password: &str) -> Value {
    let response = app
        .http
        .post(app.url("/signup"))
        .json(&json!({"name": "Joe Doe", "email": email, "password": password}))
        .send()
        .await
        .expect("signup");
    let (status, _, body) = json_of(response).await;
    assert_eq!(status, 201, "{body}");
    body
}

pub(crate) async fn login(app: &App, email: &str, password: &str) -> Value {
    let response = app
        .http
        .post(app.url("/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login");
    let (status, _, body) = json_of(response).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// `POST /login` with a JSON body, whatever the answer.
pub(crate) async fn login_attempt(app: &App, email: &str, password: &str) -> Response {
    app.http
        .post(app.url("/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login")
}

/// `POST /login` with HTTP Basic credentials, whatever the answer.
pub(crate) async fn basic_login(app: &App, email: &str, password: &str) -> Response {
    app.http
        .post(app.url("/login"))
        .basic_auth(email, Some(password))
        .send()
        .await
        .expect("login")
}

/// `POST /logout` with `token`, whatever the answer.
pub(crate) async fn logout(app: &App, token: &str) -> Response {
    app.http
        .post(app.url("/logout"))
        .bearer_auth(token)
        .send()
        .await
        .expect("logout")
}

/// Signs up and logs in a fresh user: (user, token pair).
pub(crate) async fn user(app: &App) -> (Value, Value) {
    let email = format!("user{}@example.com", now_nanos());
    let user = signup(app, &email, "password1").await;
    let pair = login(app, &email, "password1").await;
    (user, pair)
}

pub(crate) fn now_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

pub(crate) fn access(pair: &Value) -> String {
    pair["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

pub(crate) fn hs256() -> Value {
    json!({"alg": "HS256", "typ": "JWT"})
}

pub(crate) fn claims_with(field: &str, value: Value) -> Value {
    let mut claims = valid_claims("user-1");
    claims[field] = value;
    claims
}

pub(crate) fn claims_without(field: &str) -> Value {
    let mut claims = valid_claims("user-1");
    claims.as_object_mut().expect("object").remove(field);
    claims
}

pub(crate) fn skip_if_external(what: &str) -> bool {
    if Target::external().is_some() {
        eprintln!("skipped against an external server: {what}");
        return true;
    }
    false
}

pub(crate) fn assert_pair(pair: &Value) {
    assert_eq!(pair["token_type"], "Bearer", "{pair}");
    assert!(
        pair["expires_in"]
            .as_u64()
            .is_some_and(|s| s > 0 && s <= 900),
        "{pair}"
    );
    assert_eq!(
        pair["access_token"].as_str().map(|t| t.split('.').count()),
        Some(3)
    );
    assert!(pair["refresh_token"]
        .as_str()
        .is_some_and(|t| t.len() >= 32));
}

pub(crate) fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) async fn document(app: &App, method: Method, id: &str, token: &str) -> Response {
    app.http
        .request(method, app.url(&format!("/documents/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}
