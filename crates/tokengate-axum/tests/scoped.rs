//! `Scoped<S>` over real HTTP: axum served on a loopback socket, asked with raw HTTP/1.1.

use std::io::{Read, Write};

use axum::routing::get;
use axum::Router;
use tokengate::{Algorithm, Claims, Gate, Issuer, Key, Scope, Verifier};
use tokengate_axum::Scoped;

struct NotesRead;
impl Scope for NotesRead {
    const SCOPE: &'static str = "notes:read";
}

fn key() -> Key {
    Key::hmac(Algorithm::HS256, &[5; 32]).unwrap()
}

fn token(scope: &str) -> String {
    let claims = Claims {
        scope: Some(scope.into()),
        ..Claims::for_subject("u1")
    };
    let issuer = Issuer::new(key()).issuer("me").audience("api");
    issuer.issue(claims).unwrap().token
}

/// Status, `WWW-Authenticate` and body of `GET path` with `authorization`, over a socket.
fn get_over_http(port: u16, path: &str, authorization: Option<&str>) -> (u16, String, String) {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let header = authorization.map_or(String::new(), |value| format!("authorization: {value}\r\n"));
    let request =
        format!("GET {path} HTTP/1.1\r\nhost: localhost\r\n{header}connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    let challenge = head
        .lines()
        .find_map(|line| line.strip_prefix("www-authenticate: "))
        .unwrap_or_default();
    (status, challenge.to_owned(), body.to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn scoped_requires_the_scope_and_names_it_in_the_challenge() {
    let gate = Gate::new(Verifier::new(key()).issuer("me").audience("api"));
    let app: Router = Router::new()
        .route(
            "/notes",
            get(|user: Scoped<NotesRead>| async move { user.sub.clone().unwrap_or_default() }),
        )
        .with_state(gate);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let call = move |authorization: Option<String>| {
        tokio::task::spawn_blocking(move || get_over_http(port, "/notes", authorization.as_deref()))
    };
    let (status, _, body) = call(Some(format!("Bearer {}", token("openid notes:read"))))
        .await
        .unwrap();
    assert_eq!((status, body.as_str()), (200, "u1"));

    let (status, challenge, body) = call(Some(format!("Bearer {}", token("notes:write"))))
        .await
        .unwrap();
    assert_eq!(status, 403);
    assert!(body.contains("\"insufficient_scope\""), "{body}");
    assert_eq!(
        challenge,
        r#"Bearer realm="tokengate", error="insufficient_scope", scope="notes:read""#
    );

    let (status, challenge, body) = call(None).await.unwrap();
    assert_eq!(
        (status, challenge.as_str()),
        (401, r#"Bearer realm="tokengate""#)
    );
    assert!(body.contains("\"missing_token\""), "{body}");

    let (status, _, body) = call(Some("Bearer a.b.c".into())).await.unwrap();
    assert_eq!(status, 401);
    assert!(body.contains("\"invalid_token\""), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_layer_with_a_scope_refuses_tokens_without_it_and_names_it() {
    let gate = Gate::new(Verifier::new(key()).issuer("me").audience("api"));
    let app: Router = Router::new()
        .route("/admin", get(|| async { "admin" }))
        .layer(tokengate_axum::TokenGateLayer::new(gate).scope("admin"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let call = move |authorization: Option<String>| {
        tokio::task::spawn_blocking(move || get_over_http(port, "/admin", authorization.as_deref()))
    };

    let (status, _, body) = call(Some(format!("Bearer {}", token("read admin"))))
        .await
        .unwrap();
    assert_eq!((status, body.as_str()), (200, "admin"));
    let (status, challenge, body) = call(Some(format!("Bearer {}", token("read"))))
        .await
        .unwrap();
    assert_eq!(status, 403);
    assert!(body.contains("\"insufficient_scope\""), "{body}");
    assert!(challenge.ends_with(r#"scope="admin""#), "{challenge}");
    let (status, _, body) = call(None).await.unwrap();
    assert_eq!(status, 401);
    assert!(body.contains("\"missing_token\""), "{body}");
}
