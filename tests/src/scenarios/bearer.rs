//! Bearer tokens: how a request presents its token, and tokens that are not well-formed.

use reqwest::Method;
use serde_json::json;

use super::helpers::{
    access, base64_url, challenge, expect_error, expect_invalid, expect_invalid_answer, get,
    get_with_token, hs256, json_of, user,
};
use crate::harness::{forge_raw, now, valid_claims, Target};

/// No token: 401 `missing_token` with `WWW-Authenticate: Bearer realm="tokengate"`.
pub async fn protected_needs_a_token(target: &Target) {
    let app = target.start();
    for path in ["/protected", "/users/me", "/cs-token", "/documents/doc-1"] {
        let response = get(&app, path).await;
        let headers = expect_error(response, 401, "missing_token").await;
        assert_eq!(challenge(&headers), "Bearer realm=\"tokengate\"", "{path}");
    }
}

/// Every bearer route answers the bearer failures of the HTTP API alike: missing, malformed
/// and expired tokens, with their codes and challenges, whatever the method.
pub async fn bearer_failures_are_alike_on_every_bearer_route(target: &Target) {
    let app = target.start();
    let mut expired = valid_claims("user-1");
    expired["exp"] = json!(now() - 10);
    let expired = app.forge(&hs256(), &expired);
    let routes = [
        (Method::GET, "/protected"),
        (Method::GET, "/users/me"),
        (Method::GET, "/cs-token"),
        (Method::GET, "/documents/doc-1"),
        (Method::PUT, "/documents/doc-1"),
        (Method::POST, "/logout"),
    ];
    for (method, path) in routes {
        let request = || app.http.request(method.clone(), app.url(path));
        let missing = request().send().await.unwrap();
        let headers = expect_error(missing, 401, "missing_token").await;
        assert_eq!(
            challenge(&headers),
            "Bearer realm=\"tokengate\"",
            "{method} {path}"
        );
        let malformed = request().bearer_auth("not.a.token").send().await.unwrap();
        expect_invalid_answer(malformed, "invalid_token").await;
        let late = request().bearer_auth(&expired).send().await.unwrap();
        expect_invalid_answer(late, "token_expired").await;
    }
}

/// `GET /protected` with a valid token: the message and the token's subject.
pub async fn protected_answers_with_the_subject(target: &Target) {
    let app = target.start();
    let (user, pair) = user(&app).await;
    let (status, _, body) = json_of(get_with_token(&app, "/protected", &access(&pair)).await).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"message": "Only available to people with valid tokens.", "sub": user["id"]})
    );
}

/// The scheme word `Bearer` is matched without regard to case.
pub async fn bearer_scheme_is_case_insensitive(target: &Target) {
    let app = target.start();
    let token = app.mint("user-1", json!({}));
    for scheme in ["bearer", "BEARER", "bEaReR"] {
        let response = app
            .http
            .get(app.url("/protected"))
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{scheme}");
    }
}

/// The token may come in the `x-access-token` header, as in the seeds.
pub async fn x_access_token_header_is_accepted(target: &Target) {
    let app = target.start();
    let token = app.mint("user-x", json!({}));
    let response = app
        .http
        .get(app.url("/protected"))
        .header("x-access-token", &token)
        .send()
        .await
        .unwrap();
    let (status, _, body) = json_of(response).await;
    assert_eq!((status, body["sub"].clone()), (200, json!("user-x")));
    let bad = app
        .http
        .get(app.url("/protected"))
        .header("x-access-token", "garbage")
        .send()
        .await
        .unwrap();
    expect_error(bad, 401, "invalid_token").await;
}

/// Another scheme (Basic, Token) counts as no token.
pub async fn other_schemes_count_as_no_token(target: &Target) {
    let app = target.start();
    let token = app.mint("user-1", json!({}));
    for value in [
        "Basic dXNlcjpwYXNz".to_owned(),
        format!("Token {token}"),
        token.clone(),
    ] {
        let response = app
            .http
            .get(app.url("/protected"))
            .header("authorization", value)
            .send()
            .await
            .unwrap();
        expect_error(response, 401, "missing_token").await;
    }
}

/// Query-string tokens are off in the reference apps.
pub async fn query_string_tokens_are_ignored(target: &Target) {
    let app = target.start();
    let token = app.mint("user-1", json!({}));
    for name in ["token", "access_token"] {
        let response = app
            .http
            .get(format!("{}?{name}={token}", app.url("/protected")))
            .send()
            .await
            .unwrap();
        expect_error(response, 401, "missing_token").await;
    }
}

/// Anything that is not three base64url segments of JSON objects is `invalid_token`.
pub async fn malformed_tokens_are_invalid(target: &Target) {
    let app = target.start();
    let good = app.mint("user-1", json!({}));
    let (h, rest) = good.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    let b64 = |text: &str| base64_url(text.as_bytes());
    for token in [
        "garbage".to_owned(),
        format!("{h}.{p}"),
        format!("{h}.{p}.{s}.{s}"),
        format!("{h}=.{p}.{s}"),
        format!("{h}.{p}.{s}=="),
        format!("{}.{p}.{s}", h.replace('J', "+")),
        format!("{h}.{}.{s}", p.replace('e', "/")),
        format!("{}.{p}.{s}", b64("not json")),
        forge_raw(
            "[\"HS256\"]",
            &valid_claims("u").to_string(),
            app.secret.as_bytes(),
        ),
        forge_raw(&hs256().to_string(), "[1,2,3]", app.secret.as_bytes()),
        forge_raw(&hs256().to_string(), "\"a string\"", app.secret.as_bytes()),
        "a.b.c".to_owned(),
        "...".to_owned(),
    ] {
        expect_invalid(&app, &token, "invalid_token").await;
    }
}
