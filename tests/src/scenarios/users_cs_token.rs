//! Users and CKEditor: `GET /users/me` and `GET /cs-token`.

use reqwest::header::HeaderMap;
use serde_json::json;

use super::helpers::{
    access, claims_with, expect_error, get, get_with_token, hs256, json_of, login, now_nanos,
    skip_if_external, user,
};
use crate::harness::{header_of, hs256_signature_ok, now, payload_of, App, Launch, Target};

/// `GET /users/me`: `{"id","email","name"}` of the token's user.
pub async fn users_me_returns_the_account(target: &Target) {
    let app = target.start();
    let (user, pair) = user(&app).await;
    let (status, _, body) = json_of(get_with_token(&app, "/users/me", &access(&pair)).await).await;
    assert_eq!((status, body), (200, user));
}

// ---- CKEditor ------------------------------------------------------------------------------

async fn cs_token(app: &App, access: &str) -> (u16, HeaderMap, String) {
    let response = get_with_token(app, "/cs-token", access).await;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

/// `GET /cs-token`: a `text/plain` HS256 JWT signed with the access key, with the environment
/// ID as `aud`, `iat` now, `exp` within 24 h, `sub`, `user` and a writer grant on `*`.
pub async fn cs_token_is_a_cloud_services_jwt(target: &Target) {
    let app = target.start();
    let (user, pair) = user(&app).await;
    let (status, headers, token) = cs_token(&app, &access(&pair)).await;
    assert_eq!(status, 200, "{token}");
    let content_type = headers["content-type"].to_str().unwrap();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    assert!(hs256_signature_ok(&token, app.cs_access_key.as_bytes()));
    let header = header_of(&token);
    assert_eq!(header, json!({"alg": "HS256", "typ": "JWT"}));
    let claims = payload_of(&token);
    assert_eq!(claims["aud"], app.cs_environment_id.as_str());
    let iat = claims["iat"].as_u64().unwrap();
    let exp = claims["exp"].as_u64().unwrap();
    assert!(iat.abs_diff(now()) <= 5, "{claims}");
    assert!(iat < exp && exp <= iat + 86_400, "{claims}");
    assert_eq!(claims["sub"], user["id"]);
    assert_eq!(claims["user"]["name"], user["name"]);
    assert_eq!(claims["user"]["email"], user["email"]);
    assert_eq!(
        claims["auth"],
        json!({"collaboration": {"*": {"role": "writer"}}})
    );
}

/// The payload segment never holds `-` or `_`, whatever the user's name holds, so that
/// CKEditor's `atob()` can read `exp`.
pub async fn cs_token_payload_survives_atob(target: &Target) {
    let app = target.start();
    for name in [
        "Zoë ~?> Ünïcödé 😀",
        "a>?~b",
        "~~~???>>>",
        "name_with-dashes",
    ] {
        let email = format!("atob{}@example.com", now_nanos());
        let response = app
            .http
            .post(app.url("/signup"))
            .json(&json!({"name": name, "email": email, "password": "password1"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201);
        let pair = login(&app, &email, "password1").await;
        let (status, _, token) = cs_token(&app, &access(&pair)).await;
        assert_eq!(status, 200);
        let payload = token.split('.').nth(1).unwrap();
        assert!(!payload.contains(['-', '_']), "{name}: {payload}");
        assert_eq!(payload_of(&token)["user"]["name"], name);
    }
}

/// Grants in the access token are carried into the Cloud Services token.
pub async fn cs_token_carries_the_access_tokens_grants(target: &Target) {
    let app = target.start();
    let grants = json!({"collaboration": {"doc-1": {"role": "reader"}, "doc-2": {"permissions": ["comment:admin"]}}});
    let minted = app.mint(
        "external-user",
        json!({"auth": grants, "user": {"name": "Ext", "email": "ext@example.com"}}),
    );
    let (status, _, token) = cs_token(&app, &minted).await;
    assert_eq!(status, 200, "{token}");
    let claims = payload_of(&token);
    assert_eq!(claims["auth"], grants);
    assert_eq!(claims["sub"], "external-user");
    assert_eq!(claims["user"]["name"], "Ext");
}

/// `/cs-token` is a bearer route like the others.
pub async fn cs_token_needs_a_bearer_token(target: &Target) {
    let app = target.start();
    let response = get(&app, "/cs-token").await;
    expect_error(response, 401, "missing_token").await;
    let expired = app.forge(&hs256(), &claims_with("exp", json!(now() - 10)));
    let response = get_with_token(&app, "/cs-token", &expired).await;
    expect_error(response, 401, "token_expired").await;
}

/// Without CKEditor keys, `/cs-token` answers 503 `not_configured`.
pub async fn cs_token_without_keys_is_503_not_configured(target: &Target) {
    if skip_if_external("needs an app started without CKEditor keys") {
        return;
    }
    let app = target.launch(Launch {
        ckeditor: false,
        ..Launch::default()
    });
    let token = app.mint("user-1", json!({}));
    expect_error(
        get_with_token(&app, "/cs-token", &token).await,
        503,
        "not_configured",
    )
    .await;
}
