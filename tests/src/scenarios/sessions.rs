//! Browser sessions: the cookies of `POST /session`, the cookie as a token source, the CSRF
//! rule, refresh and logout by cookie, CORS with credentials.

use reqwest::{Method, RequestBuilder, Response};
use serde_json::json;

use super::helpers::{expect_error, json_of, now_nanos, signup};
use crate::harness::{App, Launch, Target, ALLOWED_ORIGIN};

/// The cookies a `POST /session` set: access, refresh and CSRF values, and each cookie's
/// whole `Set-Cookie` line.
pub(super) struct Session {
    pub(super) access: String,
    pub(super) refresh: String,
    pub(super) csrf: String,
    lines: Vec<String>,
}

impl Session {
    pub(super) fn from(response: &Response) -> Session {
        let lines: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|value| value.to_str().expect("ASCII").to_owned())
            .collect();
        let value = |name: &str| {
            lines
                .iter()
                .find_map(|line| line.strip_prefix(&format!("{name}=")))
                .and_then(|rest| rest.split(';').next())
                .unwrap_or_else(|| panic!("a {name} cookie in {lines:?}"))
                .to_owned()
        };
        Session {
            access: value("tokengate_access"),
            refresh: value("tokengate_refresh"),
            csrf: value("tokengate_csrf"),
            lines,
        }
    }

    /// The `Set-Cookie` line of cookie `name`.
    fn line(&self, name: &str) -> &str {
        self.lines
            .iter()
            .find(|line| line.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} in {:?}", self.lines))
    }

    /// The `Cookie` header a browser would send back.
    pub(super) fn cookie_header(&self) -> String {
        format!(
            "tokengate_access={}; tokengate_refresh={}; tokengate_csrf={}",
            self.access, self.refresh, self.csrf
        )
    }
}

/// Signs up a fresh user and opens a browser session for them.
pub(super) async fn session(app: &App) -> Session {
    let email = format!("session{}@example.com", now_nanos());
    signup(app, &email, "password1").await;
    let response = app
        .http
        .post(app.url("/session"))
        .json(&json!({"email": email, "password": "password1"}))
        .send()
        .await
        .expect("session");
    assert_eq!(response.status().as_u16(), 204);
    Session::from(&response)
}

/// A request carrying `cookie` as its `Cookie` header.
pub(super) fn with_cookie(app: &App, method: Method, path: &str, cookie: &str) -> RequestBuilder {
    app.http
        .request(method, app.url(path))
        .header("cookie", cookie)
}

/// `request` with `X-CSRF-Token: csrf`, or without the header for `None`.
pub(super) fn with_csrf(request: RequestBuilder, csrf: Option<&str>) -> RequestBuilder {
    match csrf {
        Some(value) => request.header("x-csrf-token", value),
        None => request,
    }
}

fn attributes(line: &str) -> Vec<String> {
    line.split(';')
        .skip(1)
        .map(|attribute| attribute.trim().to_ascii_lowercase())
        .collect()
}

/// `POST /session` answers 204 without a body and sets the three cookies with their
/// attributes; wrong credentials set none.
pub async fn session_sets_three_cookies_with_their_attributes(target: &Target) {
    let app = target.start();
    let session = session(&app).await;
    let expect = |name: &str, expected: &[&str]| {
        let attributes = attributes(session.line(name));
        for expected in expected {
            let expected = (*expected).to_owned();
            assert!(
                attributes.contains(&expected),
                "{expected} in {attributes:?}"
            );
        }
        attributes
    };
    expect(
        "tokengate_access",
        &[
            "path=/",
            "httponly",
            "secure",
            "samesite=lax",
            "max-age=900",
        ],
    );
    expect(
        "tokengate_refresh",
        &[
            "path=/",
            "httponly",
            "secure",
            "samesite=strict",
            "max-age=1209600",
        ],
    );
    let csrf = expect("tokengate_csrf", &["path=/", "secure", "samesite=lax"]);
    assert!(
        !csrf.contains(&"httponly".to_owned()),
        "readable by scripts: {csrf:?}"
    );
    // At least 128 bits: 22 base64url characters.
    assert!(session.csrf.len() >= 22, "{}", session.csrf);
    assert_eq!(
        session.access.split('.').count(),
        3,
        "a JWT: {}",
        session.access
    );

    let wrong = app
        .http
        .post(app.url("/session"))
        .json(&json!({"email": "nobody@example.com", "password": "password1"}))
        .send()
        .await
        .unwrap();
    assert!(wrong.headers().get("set-cookie").is_none());
    expect_error(wrong, 401, "invalid_credentials").await;
}

/// The access cookie authenticates every bearer route; a bearer header, when present, is used
/// instead; an `Authorization` header of another scheme leaves the cookie in charge.
pub async fn session_cookie_authenticates_and_a_header_wins(target: &Target) {
    let app = target.start();
    let session = session(&app).await;
    let cookie = format!("tokengate_access={}", session.access);
    for path in ["/protected", "/users/me", "/cs-token"] {
        let response = with_cookie(&app, Method::GET, path, &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
    }
    let forged = with_cookie(&app, Method::GET, "/protected", &cookie)
        .bearer_auth("a.b.c")
        .send()
        .await
        .unwrap();
    expect_error(forged, 401, "invalid_token").await;
    let header_token = app.mint("from-header", json!({}));
    let header_wins = with_cookie(&app, Method::GET, "/protected", "tokengate_access=a.b.c")
        .bearer_auth(&header_token)
        .send()
        .await
        .unwrap();
    let (status, _, body) = json_of(header_wins).await;
    assert_eq!((status, body["sub"].as_str()), (200, Some("from-header")));
    let basic = with_cookie(&app, Method::GET, "/protected", &cookie)
        .basic_auth("someone", Some("secret"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status().as_u16(), 200);
    let bad_cookie = with_cookie(&app, Method::GET, "/protected", "tokengate_access=a.b.c")
        .send()
        .await
        .unwrap();
    expect_error(bad_cookie, 401, "invalid_token").await;
}

/// A cookie-authenticated request with an unsafe method needs `X-CSRF-Token` equal to the
/// CSRF cookie: checked after the token and before the permission; header-authenticated
/// requests and safe methods need none.
pub async fn csrf_guards_cookie_authenticated_writes(target: &Target) {
    let app = target.start();
    let writer = app.mint(
        "w",
        json!({"auth": {"collaboration": {"*": {"role": "writer"}}}}),
    );
    let cookie = format!("tokengate_access={writer}; tokengate_csrf=the-csrf-value-0123456789");
    let put = |csrf: Option<&str>| {
        let request = with_cookie(&app, Method::PUT, "/documents/doc-1", &cookie);
        with_csrf(request, csrf).send()
    };
    expect_error(put(None).await.unwrap(), 403, "csrf_failed").await;
    expect_error(
        put(Some("the-csrf-value-wrong")).await.unwrap(),
        403,
        "csrf_failed",
    )
    .await;
    expect_error(put(Some("")).await.unwrap(), 403, "csrf_failed").await;
    let right = put(Some("the-csrf-value-0123456789")).await.unwrap();
    let (status, _, body) = json_of(right).await;
    assert_eq!(
        (status, body),
        (200, json!({"id": "doc-1", "access": "write"}))
    );
    // Safe methods need no CSRF header.
    let read = with_cookie(&app, Method::GET, "/documents/doc-1", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status().as_u16(), 200);
    // The token comes first: a bad cookie token is a 401, CSRF header or not.
    let bad = with_cookie(
        &app,
        Method::PUT,
        "/documents/doc-1",
        "tokengate_access=a.b.c; tokengate_csrf=x",
    )
    .send()
    .await
    .unwrap();
    expect_error(bad, 401, "invalid_token").await;
    // The CSRF check comes before the permission check.
    let reader = app.mint(
        "r",
        json!({"auth": {"collaboration": {"*": {"role": "reader"}}}}),
    );
    let no_csrf = with_cookie(
        &app,
        Method::PUT,
        "/documents/doc-1",
        &format!("tokengate_access={reader}"),
    )
    .send()
    .await
    .unwrap();
    expect_error(no_csrf, 403, "csrf_failed").await;
    // Header-authenticated requests need no CSRF header.
    let header = app
        .http
        .put(app.url("/documents/doc-1"))
        .bearer_auth(&writer)
        .send()
        .await
        .unwrap();
    assert_eq!(header.status().as_u16(), 200);
    // An empty CSRF cookie never matches an empty header.
    let empty = with_cookie(
        &app,
        Method::PUT,
        "/documents/doc-1",
        &format!("tokengate_access={writer}; tokengate_csrf="),
    )
    .header("x-csrf-token", "")
    .send()
    .await
    .unwrap();
    expect_error(empty, 403, "csrf_failed").await;
}

/// `POST /session/refresh` needs the CSRF header (refused without it, spending nothing),
/// rotates the cookies as `/refresh` rotates a pair, and a spent refresh cookie presented again
/// ends the whole login.
pub async fn session_refresh_rotates_the_cookies(target: &Target) {
    let app = target.start();
    let first = session(&app).await;
    let refresh = |session: &Session, csrf: Option<&str>| {
        let request = with_cookie(
            &app,
            Method::POST,
            "/session/refresh",
            &session.cookie_header(),
        );
        with_csrf(request, csrf).send()
    };
    let refused = refresh(&first, None).await.unwrap();
    assert!(refused.headers().get("set-cookie").is_none());
    expect_error(refused, 403, "csrf_failed").await;
    let rotated = refresh(&first, Some(&first.csrf)).await.unwrap();
    assert_eq!(
        rotated.status().as_u16(),
        204,
        "nothing was spent by the refused attempt"
    );
    let second = Session::from(&rotated);
    assert_ne!(second.refresh, first.refresh);
    assert_ne!(second.access, first.access);
    let works = with_cookie(
        &app,
        Method::GET,
        "/users/me",
        &format!("tokengate_access={}", second.access),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(works.status().as_u16(), 200);
    // The spent refresh cookie again at once (another tab): the same successor.
    let again = refresh(&first, Some(&first.csrf)).await.unwrap();
    assert_eq!(again.status().as_u16(), 204, "within the grace");
    assert_eq!(Session::from(&again).refresh, second.refresh);
    // Once that successor is spent, the first cookie again ends the whole login.
    let third = refresh(&second, Some(&second.csrf)).await.unwrap();
    assert_eq!(third.status().as_u16(), 204);
    let third = Session::from(&third);
    let reused = refresh(&first, Some(&first.csrf)).await.unwrap();
    expect_error(reused, 401, "invalid_token").await;
    let revoked = with_cookie(
        &app,
        Method::GET,
        "/users/me",
        &format!("tokengate_access={}", third.access),
    )
    .send()
    .await
    .unwrap();
    expect_error(revoked, 401, "invalid_token").await;
    let later = refresh(&third, Some(&third.csrf)).await.unwrap();
    expect_error(later, 401, "invalid_token").await;
    // No refresh cookie at all.
    let none = app
        .http
        .post(app.url("/session/refresh"))
        .header("cookie", "tokengate_csrf=abcdefghijklmnopqrstuv")
        .header("x-csrf-token", "abcdefghijklmnopqrstuv")
        .send()
        .await
        .unwrap();
    expect_error(none, 401, "invalid_token").await;
}

/// `DELETE /session` needs the CSRF header, ends the login as `/logout` does, and clears the
/// three cookies.
pub async fn delete_session_ends_the_login_and_clears_the_cookies(target: &Target) {
    let app = target.start();
    let session = session(&app).await;
    let delete = |csrf: Option<&str>| {
        let request = with_cookie(&app, Method::DELETE, "/session", &session.cookie_header());
        with_csrf(request, csrf).send()
    };
    expect_error(delete(None).await.unwrap(), 403, "csrf_failed").await;
    let ended = delete(Some(&session.csrf)).await.unwrap();
    assert_eq!(ended.status().as_u16(), 204);
    let cleared: Vec<String> = ended
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    for name in ["tokengate_access", "tokengate_refresh", "tokengate_csrf"] {
        let line = cleared
            .iter()
            .find(|line| line.starts_with(&format!("{name}=;")))
            .unwrap_or_else(|| panic!("{name} cleared in {cleared:?}"));
        assert!(attributes(line).contains(&"max-age=0".to_owned()), "{line}");
    }
    let after = with_cookie(&app, Method::GET, "/protected", &session.cookie_header())
        .send()
        .await
        .unwrap();
    expect_error(after, 401, "invalid_token").await;
    let refresh = with_cookie(
        &app,
        Method::POST,
        "/session/refresh",
        &session.cookie_header(),
    )
    .header("x-csrf-token", &session.csrf)
    .send()
    .await
    .unwrap();
    expect_error(refresh, 401, "invalid_token").await;
    let anonymous = app.http.delete(app.url("/session")).send().await.unwrap();
    expect_error(anonymous, 401, "missing_token").await;
}

/// An allowed origin may send credentials (the origin echoed, never `*`); others get no CORS
/// headers.
pub async fn cors_allows_credentials_for_allowed_origins_only(target: &Target) {
    let app = target.start();
    let session = session(&app).await;
    let cookie = format!("tokengate_access={}", session.access);
    let allowed = with_cookie(&app, Method::GET, "/cs-token", &cookie)
        .header("origin", ALLOWED_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status().as_u16(), 200);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        ALLOWED_ORIGIN
    );
    assert_eq!(
        allowed.headers()["access-control-allow-credentials"],
        "true"
    );
    let preflight = app
        .http
        .request(Method::OPTIONS, app.url("/session"))
        .header("origin", ALLOWED_ORIGIN)
        .header("access-control-request-method", "DELETE")
        .header("access-control-request-headers", "x-csrf-token")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        ALLOWED_ORIGIN
    );
    assert_eq!(
        preflight.headers()["access-control-allow-credentials"],
        "true"
    );
    let allowed_headers = preflight.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed_headers.contains("x-csrf-token"),
        "{allowed_headers}"
    );
    let other = with_cookie(&app, Method::GET, "/cs-token", &cookie)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
    assert!(other
        .headers()
        .get("access-control-allow-credentials")
        .is_none());
}

/// `TOKENGATE_COOKIE_SECURE=0` drops `Secure` (plain-HTTP development only).
pub async fn cookie_secure_can_be_turned_off_for_development(target: &Target) {
    if Target::external().is_some() {
        return;
    }
    let app = target.launch(Launch {
        env: vec![("TOKENGATE_COOKIE_SECURE".into(), "0".into())],
        ..Launch::default()
    });
    let session = session(&app).await;
    for line in &session.lines {
        assert!(!attributes(line).contains(&"secure".to_owned()), "{line}");
    }
}
