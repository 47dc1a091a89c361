//! The refresh grace: a spent refresh token presented again within `TOKENGATE_REFRESH_GRACE`
//! (another tab refreshing at the same moment) gets the same successor, by body and by
//! cookie; with the grace off, or once the successor was spent, it ends the login.

use reqwest::Method;
use serde_json::Value;

use super::helpers::{access, expect_error, expect_invalid, json_of, skip_if_external, user};
use super::refresh_logout::refresh;
use super::sessions::{session, with_cookie, with_csrf, Session};
use crate::harness::{Launch, Target};

/// Within the grace the same token gets the same successor and a fresh, valid access token;
/// the successor stays the one live refresh token.
pub async fn a_token_presented_again_within_the_grace_gets_the_same_successor(target: &Target) {
    let app = target.start();
    let (_, first) = user(&app).await;
    let token = first["refresh_token"].as_str().unwrap();
    let (status, _, second) = json_of(refresh(&app, token).await).await;
    assert_eq!(status, 200, "{second}");
    let (status, _, again) = json_of(refresh(&app, token).await).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["refresh_token"], second["refresh_token"]);
    let protected = app
        .http
        .get(app.url("/protected"))
        .bearer_auth(access(&again));
    assert_eq!(protected.send().await.unwrap().status().as_u16(), 200);
    let (status, _, third) =
        json_of(refresh(&app, second["refresh_token"].as_str().unwrap()).await).await;
    assert_eq!(status, 200, "{third}");
    assert_ne!(third["refresh_token"], second["refresh_token"]);
}

/// `TOKENGATE_REFRESH_GRACE=0`: presenting a spent token again, even at once, ends the
/// login, as without a grace.
pub async fn without_a_grace_every_reuse_ends_the_login(target: &Target) {
    if skip_if_external("starts the app without a grace") {
        return;
    }
    let app = target.launch(Launch {
        env: vec![("TOKENGATE_REFRESH_GRACE".into(), "0".into())],
        ..Launch::default()
    });
    let (_, first) = user(&app).await;
    let token = first["refresh_token"].as_str().unwrap();
    let (_, _, second) = json_of(refresh(&app, token).await).await;
    expect_error(refresh(&app, token).await, 401, "invalid_token").await;
    let successor = second["refresh_token"].as_str().unwrap();
    expect_error(refresh(&app, successor).await, 401, "invalid_token").await;
    expect_invalid(&app, &access(&second), "invalid_token").await;
}

/// Two tabs of one browser session whose access cookie expired refresh at the same moment
/// with the same cookies: both get 204 and the same refresh cookie, and both stay signed in.
pub async fn two_tabs_refreshing_at_once_both_stay_signed_in(target: &Target) {
    let app = target.start();
    let first = session(&app).await;
    let tab = || {
        let request = with_cookie(
            &app,
            Method::POST,
            "/session/refresh",
            &first.cookie_header(),
        );
        with_csrf(request, Some(&first.csrf)).send()
    };
    let (one, two) = tokio::join!(tab(), tab());
    let (one, two) = (one.unwrap(), two.unwrap());
    assert_eq!((one.status().as_u16(), two.status().as_u16()), (204, 204));
    let (one, two) = (Session::from(&one), Session::from(&two));
    assert_eq!(
        one.refresh, two.refresh,
        "one live refresh token for the login"
    );
    for tab in [&one, &two] {
        let me = with_cookie(
            &app,
            Method::GET,
            "/users/me",
            &format!("tokengate_access={}", tab.access),
        );
        let (status, _, body): (u16, _, Value) = json_of(me.send().await.unwrap()).await;
        assert_eq!(status, 200, "{body}");
    }
    let next = with_cookie(&app, Method::POST, "/session/refresh", &two.cookie_header());
    let next = with_csrf(next, Some(&two.csrf)).send().await.unwrap();
    assert_eq!(next.status().as_u16(), 204, "the login goes on");
}
