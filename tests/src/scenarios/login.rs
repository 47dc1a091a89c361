//! Login: `POST /login` with JSON, a form or HTTP Basic, and its throttling.

use serde_json::json;

use super::helpers::{
    access, assert_pair, basic_login, expect_error, json_of, login, login_attempt, now_nanos,
    signup, user,
};
use crate::harness::{hs256_signature_ok, now, payload_of, Target};

/// `POST /login` with JSON: 200 `{"access_token","token_type":"Bearer","expires_in","refresh_token"}`,
/// and the access token carries `iss`, `aud`, `sub`, `iat`, `exp`, `jti`.
pub async fn login_with_json_returns_a_token_pair(target: &Target) {
    let app = target.start();
    let (user, pair) = user(&app).await;
    assert_pair(&pair);
    let token = access(&pair);
    assert!(hs256_signature_ok(&token, app.secret.as_bytes()));
    let claims = payload_of(&token);
    assert_eq!(claims["iss"], "tokengate");
    assert_eq!(claims["aud"], "tokengate");
    assert_eq!(claims["sub"], user["id"]);
    let (iat, exp) = (
        claims["iat"].as_u64().unwrap(),
        claims["exp"].as_u64().unwrap(),
    );
    assert!(
        iat <= now() + 1 && exp > now() && exp - iat == 900,
        "{claims}"
    );
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
}

/// `POST /login` with a form body.
pub async fn login_with_a_form(target: &Target) {
    let app = target.start();
    let email = format!("f{}@example.com", now_nanos());
    signup(&app, &email, "password1").await;
    let response = app
        .http
        .post(app.url("/login"))
        .form(&[("email", email.as_str()), ("password", "password1")])
        .send()
        .await
        .unwrap();
    let (status, _, pair) = json_of(response).await;
    assert_eq!(status, 200, "{pair}");
    assert_pair(&pair);
}

/// `POST /login` with HTTP Basic `email:password`.
pub async fn login_with_http_basic(target: &Target) {
    let app = target.start();
    let email = format!("b{}@example.com", now_nanos());
    signup(&app, &email, "password1").await;
    let response = basic_login(&app, &email, "password1").await;
    let (status, _, pair) = json_of(response).await;
    assert_eq!(status, 200, "{pair}");
    assert_pair(&pair);
    let wrong = basic_login(&app, &email, "wrong-password").await;
    expect_error(wrong, 401, "invalid_credentials").await;
}

/// The e-mail address is matched without regard to case.
pub async fn login_matches_email_without_regard_to_case(target: &Target) {
    let app = target.start();
    let email = format!("Case{}@Example.COM", now_nanos());
    signup(&app, &email, "password1").await;
    let pair = login(&app, &email.to_lowercase(), "password1").await;
    assert_pair(&pair);
}

/// Unknown e-mail and wrong password get the same 401 `invalid_credentials`.
pub async fn login_gives_one_answer_for_unknown_email_and_wrong_password(target: &Target) {
    let app = target.start();
    let email = format!("w{}@example.com", now_nanos());
    signup(&app, &email, "password1").await;
    let try_login = |email: String, password: &'static str| {
        app.http
            .post(app.url("/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
    };
    let (s1, _, wrong) = json_of(try_login(email.clone(), "password2").await.unwrap()).await;
    let (s2, _, unknown) = json_of(
        try_login(format!("nobody{}@example.com", now_nanos()), "password1")
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s1, s2), (401, 401));
    assert_eq!(wrong["error"], "invalid_credentials");
    assert_eq!(wrong, unknown, "the same answer, to the byte");
}

/// After 10 failed logins for one address within 10 minutes: 429 with `Retry-After`, even
/// with the right password.
pub async fn login_is_throttled_after_ten_failures(target: &Target) {
    let app = target.start();
    let email = format!("t{}@example.com", now_nanos());
    signup(&app, &email, "password1").await;
    for _ in 0..10 {
        let response = login_attempt(&app, &email, "guess-guess").await;
        expect_error(response, 401, "invalid_credentials").await;
    }
    let response = login_attempt(&app, &email.to_uppercase(), "password1").await;
    let headers = expect_error(response, 429, "too_many_attempts").await;
    let retry_after: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=600).contains(&retry_after), "{retry_after}");
}

/// Failed logins for an email nobody signed up with are throttled exactly like a real
/// account's, so 429 versus 401 tells nothing about which accounts exist.
pub async fn unknown_emails_are_throttled_alike(target: &Target) {
    let app = target.start();
    let email = format!("nobody{}@example.com", now_nanos());
    for _ in 0..10 {
        let response = login_attempt(&app, &email, "guess-guess").await;
        expect_error(response, 401, "invalid_credentials").await;
    }
    let response = basic_login(&app, &email, "guess-guess").await;
    expect_error(response, 429, "too_many_attempts").await;
}

/// `/login` bodies that are not valid JSON or lack a field are 422 `invalid_request`, like
/// `/signup`'s.
pub async fn login_refuses_malformed_bodies(target: &Target) {
    let app = target.start();
    let bodies = [
        ("application/json", "{\"email\": "),
        ("application/json", "{\"email\": \"a@example.com\"}"),
        (
            "application/json",
            "{\"email\": 5, \"password\": \"password1\"}",
        ),
        ("application/x-www-form-urlencoded", "email=a%40example.com"),
    ];
    for (content_type, body) in bodies {
        let response = app
            .http
            .post(app.url("/login"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, _, answer) = json_of(response).await;
        assert_eq!(
            (status, &answer["error"]),
            (422, &json!("invalid_request")),
            "{body}: {answer}"
        );
    }
}
