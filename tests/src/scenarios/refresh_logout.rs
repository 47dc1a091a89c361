//! Refresh and logout: rotating the token pair, reuse detection and revocation.

use reqwest::Response;
use serde_json::json;

use super::helpers::{
    access, assert_pair, claims_without, expect_error, expect_invalid, get_with_token, hs256,
    json_of, login, logout, now_nanos, signup, user,
};
use crate::harness::{now, payload_of, App, Target};

pub(super) async fn refresh(app: &App, token: &str) -> Response {
    app.http
        .post(app.url("/refresh"))
        .json(&json!({"refresh_token": token}))
        .send()
        .await
        .unwrap()
}

/// `POST /refresh` gives a new pair; the old refresh token is spent.
pub async fn refresh_rotates_the_pair(target: &Target) {
    let app = target.start();
    let (_, first) = user(&app).await;
    let (status, _, second) =
        json_of(refresh(&app, first["refresh_token"].as_str().unwrap()).await).await;
    assert_eq!(status, 200, "{second}");
    assert_pair(&second);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let ok = get_with_token(&app, "/protected", &access(&second)).await;
    assert_eq!(ok.status().as_u16(), 200);
}

/// Presenting a spent refresh token again once its successor was spent (a replay, not a tab
/// refreshing at the same moment) revokes every token of that login.
pub async fn refresh_reuse_revokes_the_whole_login(target: &Target) {
    let app = target.start();
    let (_, first) = user(&app).await;
    let (_, _, second) =
        json_of(refresh(&app, first["refresh_token"].as_str().unwrap()).await).await;
    let (status, _, third) =
        json_of(refresh(&app, second["refresh_token"].as_str().unwrap()).await).await;
    assert_eq!(status, 200, "{third}");
    let replay = refresh(&app, first["refresh_token"].as_str().unwrap()).await;
    expect_error(replay, 401, "invalid_token").await;
    let live = refresh(&app, third["refresh_token"].as_str().unwrap()).await;
    expect_error(live, 401, "invalid_token").await;
    for token in [access(&first), access(&second), access(&third)] {
        expect_invalid(&app, &token, "invalid_token").await;
    }
}

/// An unknown refresh token is 401 `invalid_token`; a body without one is 422.
pub async fn refresh_refuses_an_unknown_token(target: &Target) {
    let app = target.start();
    expect_error(
        refresh(&app, "not-a-refresh-token").await,
        401,
        "invalid_token",
    )
    .await;
    let no_field = app
        .http
        .post(app.url("/refresh"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    expect_error(no_field, 422, "invalid_request").await;
}

/// `POST /logout`: 204, and the access token and its refresh token stop working at once.
pub async fn logout_revokes_access_and_refresh_at_once(target: &Target) {
    let app = target.start();
    let (_, pair) = user(&app).await;
    let token = access(&pair);
    let response = logout(&app, &token).await;
    assert_eq!(response.status().as_u16(), 204);
    expect_invalid(&app, &token, "invalid_token").await;
    expect_error(
        refresh(&app, pair["refresh_token"].as_str().unwrap()).await,
        401,
        "invalid_token",
    )
    .await;
    let again = app.http.post(app.url("/logout")).send().await.unwrap();
    expect_error(again, 401, "missing_token").await;
}

/// A refused token never reaches the handler: an expired token carrying a live token's `jti`
/// cannot log that session out.
pub async fn a_refused_token_never_reaches_the_handler(target: &Target) {
    let app = target.start();
    let (_, pair) = user(&app).await;
    let live = access(&pair);
    let mut claims = payload_of(&live);
    claims["exp"] = json!(now() - 10);
    let expired = app.forge(&hs256(), &claims);
    let response = logout(&app, &expired).await;
    expect_error(response, 401, "token_expired").await;
    let (status, _, body) = json_of(get_with_token(&app, "/protected", &live).await).await;
    assert_eq!(status, 200, "the session is still live: {body}");
}

/// A token minted without `jti` (or `sid`) still stops working when `/logout` answers 204; a
/// token with other claims goes on working.
pub async fn logout_of_a_token_without_jti_revokes_it(target: &Target) {
    let app = target.start();
    let mut claims = claims_without("jti");
    claims["sub"] = json!(format!("no-jti-{}", now_nanos()));
    let token = app.forge(&hs256(), &claims);
    let mut other_claims = claims.clone();
    other_claims["exp"] = json!(now() + 900);
    let other = app.forge(&hs256(), &other_claims);
    assert_eq!(
        get_with_token(&app, "/protected", &token)
            .await
            .status()
            .as_u16(),
        200
    );
    assert_eq!(logout(&app, &token).await.status().as_u16(), 204);
    expect_invalid(&app, &token, "invalid_token").await;
    let (status, _, body) = json_of(get_with_token(&app, "/protected", &other).await).await;
    assert_eq!(
        status, 200,
        "another token of the subject still works: {body}"
    );
}

/// Logging out ends one login, not the user's others.
pub async fn logout_ends_only_its_own_login(target: &Target) {
    let app = target.start();
    let email = format!("two{}@example.com", now_nanos());
    signup(&app, &email, "password1").await;
    let first = login(&app, &email, "password1").await;
    let second = login(&app, &email, "password1").await;
    let response = logout(&app, &access(&first)).await;
    assert_eq!(response.status().as_u16(), 204);
    expect_invalid(&app, &access(&first), "invalid_token").await;
    let (status, _, body) =
        json_of(get_with_token(&app, "/protected", &access(&second)).await).await;
    assert_eq!(status, 200, "{body}");
    let response = refresh(&app, second["refresh_token"].as_str().unwrap()).await;
    assert_eq!(response.status().as_u16(), 200);
}
