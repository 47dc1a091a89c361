//! Signup: `POST /signup`, its validation and the body size limit.

use serde_json::json;

use super::helpers::{expect_error, json_of, login, login_attempt, now_nanos, signup};
use crate::harness::{App, Target};

/// `POST /signup` with JSON creates a user: 201 `{"id","email","name"}` and nothing more.
pub async fn signup_creates_a_user_from_json(target: &Target) {
    let app = target.start();
    let email = format!("new{}@example.com", now_nanos());
    let body = signup(&app, &email, "password1").await;
    assert_eq!(body["email"], email.as_str());
    assert_eq!(body["name"], "Joe Doe");
    assert!(body["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(
        body.as_object().unwrap().len(),
        3,
        "no password or hash: {body}"
    );
}

/// `POST /signup` accepts a form body too.
pub async fn signup_accepts_a_form(target: &Target) {
    let app = target.start();
    let email = format!("form{}@example.com", now_nanos());
    let response = app
        .http
        .post(app.url("/signup"))
        .form(&[
            ("name", "Form User"),
            ("email", email.as_str()),
            ("password", "password1"),
        ])
        .send()
        .await
        .unwrap();
    let (status, _, body) = json_of(response).await;
    assert_eq!(
        (status, body["name"].clone()),
        (201, json!("Form User")),
        "{body}"
    );
}

/// A taken e-mail address is 409, compared without regard to case.
pub async fn signup_refuses_a_taken_email_whatever_its_case(target: &Target) {
    let app = target.start();
    let email = format!("Taken{}@Example.com", now_nanos());
    signup(&app, &email, "password1").await;
    for again in [email.clone(), email.to_lowercase(), email.to_uppercase()] {
        let response = app
            .http
            .post(app.url("/signup"))
            .json(&json!({"name": "Other", "email": again, "password": "password2"}))
            .send()
            .await
            .unwrap();
        expect_error(response, 409, "conflict").await;
    }
}

async fn signup_refused(app: &App, body: reqwest::RequestBuilder) {
    expect_error(body.send().await.unwrap(), 422, "invalid_request").await;
    let _ = app;
}

/// A bad e-mail address is 422.
pub async fn signup_refuses_a_bad_email(target: &Target) {
    let app = target.start();
    for email in ["not-an-email", "a@b", "@example.com", "a b@example.com", ""] {
        let request = app
            .http
            .post(app.url("/signup"))
            .json(&json!({"name": "X", "email": email, "password": "password1"}));
        signup_refused(&app, request).await;
    }
}

/// A password under 8 characters is 422.
pub async fn signup_refuses_a_short_password(target: &Target) {
    let app = target.start();
    // Characters are counted, not bytes: seven two-byte characters are still too short.
    for short in ["1234567", "ééééééé"] {
        let request = app.http.post(app.url("/signup")).json(
            &json!({"name": "X", "email": format!("s{}@example.com", now_nanos()), "password": short}),
        );
        signup_refused(&app, request).await;
    }
    for enough in ["12345678", "éééééééé"] {
        let email = format!("s{}@example.com", now_nanos());
        signup(&app, &email, enough).await;
        login(&app, &email, enough).await;
    }
}

/// A missing field, or a field of the wrong type, is 422.
pub async fn signup_refuses_a_missing_field(target: &Target) {
    let app = target.start();
    for body in [
        json!({"email": "m@example.com", "password": "password1"}),
        json!({"name": "X", "password": "password1"}),
        json!({"name": "X", "email": "m@example.com"}),
        json!({"name": "X", "email": "m@example.com", "password": 12345678}),
        json!({}),
    ] {
        signup_refused(&app, app.http.post(app.url("/signup")).json(&body)).await;
    }
    let form = app.http.post(app.url("/signup")).form(&[("name", "X")]);
    signup_refused(&app, form).await;
}

/// A body that is not JSON or form data is 422, not a 400 or 500.
pub async fn signup_refuses_malformed_json(target: &Target) {
    let app = target.start();
    for raw in ["{\"name\": ", "[1,2]", "null", "\u{0}\u{1}"] {
        let request = app
            .http
            .post(app.url("/signup"))
            .header("content-type", "application/json")
            .body(raw.to_owned());
        signup_refused(&app, request).await;
    }
}

/// A body over 64 KiB is 413, and nothing is created.
pub async fn body_over_64_kib_is_413(target: &Target) {
    let app = target.start();
    let email = format!("big{}@example.com", now_nanos());
    let big = json!({"name": "x".repeat(70 * 1024), "email": email, "password": "password1"});
    let response = app
        .http
        .post(app.url("/signup"))
        .json(&big)
        .send()
        .await
        .unwrap();
    let headers = expect_error(response, 413, "payload_too_large").await;
    // The unread rest of the body leaves the connection unusable; the client must be told,
    // or its next request on it is cut off.
    assert_eq!(headers["connection"], "close");
    let login = login_attempt(&app, &email, "password1").await;
    expect_error(login, 401, "invalid_credentials").await;
}

/// A body that breaks off (an invalid chunked encoding) is 400 `invalid_request` on every
/// framework, the connection is closed, and nothing is created: the core judges what the
/// adapter could read.
pub async fn a_broken_body_is_400_and_creates_nothing(target: &Target) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = target.start();
    let email = format!("broken{}@example.com", now_nanos());
    let start = format!(r#"{{"name":"B","email":"{email}","password":"password1"}}"#);
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "POST /signup HTTP/1.1\r\nHost: {address}\r\ncontent-type: application/json\r\n\
         transfer-encoding: chunked\r\n\r\n{:x}\r\n{start}\r\nzz-not-a-size\r\n\r\n",
        start.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    );
    let _ = read.await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    assert!(body.contains(r#""error":"invalid_request""#), "{answer}");
    let login = login_attempt(&app, &email, "password1").await;
    expect_error(login, 401, "invalid_credentials").await;
}
