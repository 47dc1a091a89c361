//! A user's logins, seen and ended by the user: `GET /sessions`, `DELETE /sessions/{id}`,
//! `DELETE /sessions`, `POST /password`, RFC 7009's `POST /revoke`, and the revocation feed
//! `GET /revocations`.

use reqwest::{Method, Response};
use serde_json::{json, Value};

use super::helpers::{
    access, expect_error, expect_invalid, json_of, login, login_attempt, now_nanos, signup,
};
use super::refresh_logout::refresh;
use crate::harness::{forge_raw, payload_of, App, Target};

const PASSWORD: &str = "password1";

/// A user with two logins: (email, first pair, second pair).
async fn two_logins(app: &App) -> (String, Value, Value) {
    let email = format!("sessions{}@example.com", now_nanos());
    signup(app, &email, PASSWORD).await;
    let first = login(app, &email, PASSWORD).await;
    let second = login(app, &email, PASSWORD).await;
    (email, first, second)
}

fn sid(pair: &Value) -> String {
    payload_of(&access(pair))["sid"]
        .as_str()
        .expect("a sid")
        .to_owned()
}

async fn call(app: &App, method: Method, path: &str, pair: &Value) -> Response {
    app.http
        .request(method, app.url(path))
        .bearer_auth(access(pair))
        .send()
        .await
        .unwrap()
}

async fn still_works(app: &App, pair: &Value) {
    let me = call(app, Method::GET, "/users/me", pair).await;
    assert_eq!(me.status().as_u16(), 200);
}

async fn has_ended(app: &App, pair: &Value) {
    expect_invalid(app, &access(pair), "invalid_token").await;
    let token = pair["refresh_token"].as_str().unwrap();
    expect_error(refresh(app, token).await, 401, "invalid_token").await;
}

/// `GET /sessions` lists the user's live logins, the asking one marked `current`, and no
/// one else's; an ended login leaves the list.
pub async fn sessions_lists_the_users_live_logins(target: &Target) {
    let app = target.start();
    let (_, first, second) = two_logins(&app).await;
    let (_, someone_else, _) = two_logins(&app).await;
    let (status, headers, body) = json_of(call(&app, Method::GET, "/sessions", &first).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    let sessions = body["sessions"].as_array().expect("a list");
    let ids: Vec<&str> = sessions.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2, "{body}");
    assert!(ids.contains(&sid(&first).as_str()) && ids.contains(&sid(&second).as_str()));
    assert!(!ids.contains(&sid(&someone_else).as_str()));
    for session in sessions {
        let current = session["id"] == sid(&first);
        assert_eq!(session["current"], current, "{session}");
        let (created, used) = (
            session["created_at"].as_u64(),
            session["last_used_at"].as_u64(),
        );
        assert!(created.is_some() && used >= created, "{session}");
    }
    let logout = call(&app, Method::POST, "/logout", &second).await;
    assert_eq!(logout.status().as_u16(), 204);
    let (_, _, body) = json_of(call(&app, Method::GET, "/sessions", &first).await).await;
    assert_eq!(body["sessions"].as_array().unwrap().len(), 1, "{body}");
    expect_error(
        app.http.get(app.url("/sessions")).send().await.unwrap(),
        401,
        "missing_token",
    )
    .await;
}

/// `DELETE /sessions/{id}` ends that one login at once (its access and refresh tokens), and
/// only that one; an id that is not a live login of this user is 404 `not_found`; by cookie
/// it needs the CSRF header.
pub async fn deleting_a_session_ends_that_login(target: &Target) {
    let app = target.start();
    let (_, first, second) = two_logins(&app).await;
    let (_, other_user, _) = two_logins(&app).await;
    let path = format!("/sessions/{}", sid(&second));
    let ended = call(&app, Method::DELETE, &path, &first).await;
    assert_eq!(ended.status().as_u16(), 204);
    has_ended(&app, &second).await;
    still_works(&app, &first).await;
    expect_error(
        call(&app, Method::DELETE, &path, &first).await,
        404,
        "not_found",
    )
    .await;
    let not_mine = format!("/sessions/{}", sid(&other_user));
    expect_error(
        call(&app, Method::DELETE, &not_mine, &first).await,
        404,
        "not_found",
    )
    .await;
    still_works(&app, &other_user).await;
    for unknown in ["/sessions/nothing-here", "/sessions/%FF%FE"] {
        expect_error(
            call(&app, Method::DELETE, unknown, &first).await,
            404,
            "not_found",
        )
        .await;
    }
    let no_token = app.http.delete(app.url(&not_mine)).send().await.unwrap();
    expect_error(no_token, 401, "missing_token").await;
    let by_cookie = app
        .http
        .delete(app.url(&not_mine))
        .header("cookie", format!("tokengate_access={}", access(&first)))
        .send()
        .await
        .unwrap();
    expect_error(by_cookie, 403, "csrf_failed").await;
}

/// `DELETE /sessions` logs out everywhere: every login of the user ends, the asking one
/// included; another user's logins go on.
pub async fn deleting_all_sessions_logs_out_everywhere(target: &Target) {
    let app = target.start();
    let (_, first, second) = two_logins(&app).await;
    let (_, other_user, _) = two_logins(&app).await;
    let ended = call(&app, Method::DELETE, "/sessions", &first).await;
    assert_eq!(ended.status().as_u16(), 204);
    has_ended(&app, &first).await;
    has_ended(&app, &second).await;
    still_works(&app, &other_user).await;
}

/// `POST /password`: a wrong current password is 403 `invalid_credentials` and counts toward
/// the login throttle; a short new one is 422; the right one changes the password and ends
/// every other login, the asking one going on.
pub async fn changing_the_password_ends_every_other_login(target: &Target) {
    let app = target.start();
    let (email, first, second) = two_logins(&app).await;
    let change = |current: &str, new: &str| {
        let body = json!({"current_password": current, "new_password": new});
        app.http
            .post(app.url("/password"))
            .bearer_auth(access(&first))
            .json(&body)
            .send()
    };
    let wrong = change("not-my-password", "new-password-2").await.unwrap();
    expect_error(wrong, 403, "invalid_credentials").await;
    expect_error(
        change(PASSWORD, "short").await.unwrap(),
        422,
        "invalid_request",
    )
    .await;
    let missing = app
        .http
        .post(app.url("/password"))
        .bearer_auth(access(&first))
        .json(&json!({"new_password": "new-password-2"}))
        .send()
        .await
        .unwrap();
    expect_error(missing, 422, "invalid_request").await;
    let changed = change(PASSWORD, "new-password-2").await.unwrap();
    assert_eq!(changed.status().as_u16(), 204);
    has_ended(&app, &second).await;
    still_works(&app, &first).await;
    expect_error(
        login_attempt(&app, &email, PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    login(&app, &email, "new-password-2").await;

    // Wrong current passwords are failed logins: ten of them lock the address.
    for _ in 0..10 {
        let wrong = change("not-my-password", "new-password-3").await.unwrap();
        expect_error(wrong, 403, "invalid_credentials").await;
    }
    let locked = login_attempt(&app, &email, "new-password-2").await;
    expect_error(locked, 429, "too_many_attempts").await;
}

/// `POST /revoke` (RFC 7009, a form): a refresh token's or an access token's login ends;
/// an unknown, forged or garbled token changes nothing; the answer is 200 with an empty body
/// every time; without `token` it is 422.
pub async fn revoke_ends_the_login_of_a_token(target: &Target) {
    let app = target.start();
    let revoke =
        |form: Vec<(&'static str, String)>| app.http.post(app.url("/revoke")).form(&form).send();
    let (_, by_refresh, by_access) = two_logins(&app).await;
    let (_, bystander, _) = two_logins(&app).await;
    let refresh_token = by_refresh["refresh_token"].as_str().unwrap().to_owned();
    let answer = revoke(vec![
        ("token", refresh_token),
        ("token_type_hint", "refresh_token".into()),
    ])
    .await
    .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(answer.text().await.unwrap(), "");
    has_ended(&app, &by_refresh).await;
    let answer = revoke(vec![("token", access(&by_access))]).await.unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    has_ended(&app, &by_access).await;
    // The bystander's claims under another key: not a token of this service.
    let claims = payload_of(&access(&bystander)).to_string();
    let forged = forge_raw(
        r#"{"alg":"HS256","typ":"JWT"}"#,
        &claims,
        b"another-key-0123456789abcdef0123",
    );
    for token in ["unknown-token".to_owned(), "a.b.c".to_owned(), forged] {
        let answer = revoke(vec![("token", token)]).await.unwrap();
        assert_eq!(answer.status().as_u16(), 200);
        assert_eq!(answer.text().await.unwrap(), "");
    }
    still_works(&app, &bystander).await;
    expect_error(revoke(vec![]).await.unwrap(), 422, "invalid_request").await;
}

/// `GET /revocations`: the revocations in force and a cursor; after a logout, asking with
/// that cursor lists the ended login's session id and the token's `jti`; a bad cursor is 422.
pub async fn the_revocation_feed_lists_ended_logins(target: &Target) {
    let app = target.start();
    let feed = |after: Option<&str>| {
        let path = after.map_or("/revocations".to_owned(), |a| {
            format!("/revocations?after={a}")
        });
        app.http.get(app.url(&path)).send()
    };
    let (status, _, start) = json_of(feed(None).await.unwrap()).await;
    assert_eq!(status, 200, "{start}");
    assert!(start["revocations"].is_array(), "{start}");
    let cursor = start["cursor"].as_str().expect("a cursor").to_owned();
    let (_, pair, _) = two_logins(&app).await;
    let logout = call(&app, Method::POST, "/logout", &pair).await;
    assert_eq!(logout.status().as_u16(), 204);
    let (status, _, page) = json_of(feed(Some(&cursor)).await.unwrap()).await;
    assert_eq!(status, 200, "{page}");
    let ids: Vec<&str> = page["revocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["id"].as_str().unwrap())
        .collect();
    let claims = payload_of(&access(&pair));
    for id in [&claims["sid"], &claims["jti"]] {
        assert!(ids.contains(&id.as_str().unwrap()), "{id} in {page}");
    }
    for entry in page["revocations"].as_array().unwrap() {
        assert!(entry["until"]
            .as_u64()
            .is_some_and(|until| until > crate::harness::now()));
    }
    let next = page["cursor"].as_str().unwrap();
    assert!(
        next.parse::<u64>().unwrap() > cursor.parse::<u64>().unwrap(),
        "{page}"
    );
    expect_error(
        feed(Some("yesterday")).await.unwrap(),
        422,
        "invalid_request",
    )
    .await;
}
