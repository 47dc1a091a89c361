//! The gateway: `/authz` answering nginx, Caddy, Traefik and Envoy about the requests they
//! are about to pass on, under a policy file.

use reqwest::{Method, RequestBuilder, Response};
use serde_json::json;

use super::helpers::*;
use crate::harness::{now, App, Launch, Target};

/// A policy with a rule of every kind, in the file format users write.
const POLICY: &str = r#"
[[rule]]
path = "/public/"
methods = ["GET", "HEAD"]
allow = "anyone"

[[rule]]
host = "docs.example.com"
path = "/"
allow = "anyone"

[[rule]]
path = "/admin/"
scopes = ["admin"]

[[rule]]
path = "/api/"
"#;

fn with_policy(target: &Target) -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.toml");
    std::fs::write(&file, POLICY).unwrap();
    let launch = Launch {
        env: vec![("TOKENGATE_AUTHZ_POLICY".into(), file.display().to_string())],
        ..Launch::default()
    };
    (target.launch(launch), dir)
}

/// `/authz` asked about `uri` as Traefik and Caddy ask (`X-Forwarded-*`).
fn ask(app: &App, method: &str, uri: &str) -> RequestBuilder {
    app.http
        .get(app.url("/authz"))
        .header("x-forwarded-method", method)
        .header("x-forwarded-uri", uri)
}

fn identity(response: &Response) -> Option<(String, String, String)> {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    };
    Some((
        header("x-tokengate-subject")?,
        header("x-tokengate-issuer")?,
        header("x-tokengate-scope")?,
    ))
}

/// Without a policy file every request needs a valid token, at `/authz` and under it, with
/// any method: 200 with an empty body and the identity headers, or the bearer failures.
pub async fn gateway_without_a_policy_needs_a_valid_token(target: &Target) {
    let app = target.start();
    let refused = ask(&app, "GET", "/anything").send().await.unwrap();
    let headers = expect_error(refused, 401, "missing_token").await;
    assert_eq!(challenge(&headers), "Bearer realm=\"tokengate\"");

    let token = app.mint("user-42", json!({"scope": "notes:read notes:write"}));
    for method in [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ] {
        for path in ["/authz", "/authz/", "/authz/deep/path"] {
            let allowed = app
                .http
                .request(method.clone(), app.url(path))
                .header("x-forwarded-uri", "/anything")
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(allowed.status().as_u16(), 200, "{method} {path}");
            let expected = (
                "user-42".into(),
                "tokengate".into(),
                "notes:read notes:write".into(),
            );
            assert_eq!(identity(&allowed), Some(expected), "{method} {path}");
            assert!(allowed.bytes().await.unwrap().is_empty(), "{method} {path}");
        }
    }
    let head = app
        .http
        .head(app.url("/authz"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status().as_u16(), 200);

    let expired = app.mint("u", json!({"iat": now() - 7200, "exp": now() - 3600}));
    for (token, code) in [
        ("a.b.c", "invalid_token"),
        (expired.as_str(), "token_expired"),
    ] {
        let refused = ask(&app, "GET", "/x")
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        expect_error(refused, 401, code).await;
    }
    // An identity header the client sent is never taken for one.
    let claimed = ask(&app, "GET", "/x")
        .header("x-tokengate-subject", "admin")
        .send()
        .await
        .unwrap();
    expect_error(claimed, 401, "missing_token").await;
    let named = ask(&app, "GET", "/x")
        .header("x-tokengate-subject", "admin")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(identity(&named).unwrap().0, "user-42");
}

/// The policy decides by host, path and method, first match wins; an `anyone` rule passes a
/// request without a token (naming nobody), scopes are each required, and a request no rule
/// matches is 403 `access_denied`.
pub async fn gateway_policy_decides_by_host_path_method_and_scope(target: &Target) {
    if skip_if_external("starts the app with a policy file") {
        return;
    }
    let (app, _dir) = with_policy(target);
    let open = ask(&app, "GET", "/public/page.html?x=1")
        .send()
        .await
        .unwrap();
    assert_eq!(open.status().as_u16(), 200);
    assert_eq!(identity(&open), None);
    let forged = ask(&app, "HEAD", "/public/a")
        .bearer_auth("a.b.c")
        .send()
        .await
        .unwrap();
    assert_eq!((forged.status().as_u16(), identity(&forged)), (200, None));
    let user = app.mint("user-42", json!({}));
    let named = ask(&app, "GET", "/public/a")
        .bearer_auth(&user)
        .send()
        .await
        .unwrap();
    assert_eq!(identity(&named).unwrap().0, "user-42");

    // The method is part of the rule: a POST to /public/ matches nothing.
    let post = ask(&app, "POST", "/public/form").send().await.unwrap();
    expect_error(post, 403, "access_denied").await;
    let nowhere = ask(&app, "GET", "/other")
        .bearer_auth(&user)
        .send()
        .await
        .unwrap();
    expect_error(nowhere, 403, "access_denied").await;

    // The host rule: compared without case or port, from X-Forwarded-Host.
    let docs = ask(&app, "DELETE", "/anything")
        .header("x-forwarded-host", "Docs.Example.com:8443")
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status().as_u16(), 200);

    // Scopes.
    let admin = app.mint("root", json!({"scope": "read admin"}));
    let allowed = ask(&app, "PUT", "/admin/users")
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status().as_u16(), 200);
    let refused = ask(&app, "PUT", "/admin/users")
        .bearer_auth(&user)
        .send()
        .await
        .unwrap();
    let headers = expect_error(refused, 403, "insufficient_scope").await;
    assert!(
        challenge(&headers).contains("scope=\"admin\""),
        "{headers:?}"
    );
    let anonymous = ask(&app, "GET", "/api/notes").send().await.unwrap();
    expect_error(anonymous, 401, "missing_token").await;
}

/// Paths are normalised before matching, as nginx resolves them, and every form an upstream
/// could read as another path is refused: traversal never reaches a rule it should not.
pub async fn gateway_paths_are_normalised_and_bypasses_refused(target: &Target) {
    if skip_if_external("starts the app with a policy file") {
        return;
    }
    let (app, _dir) = with_policy(target);
    // Resolved to /admin/…, which needs the admin scope: refused for an anonymous caller.
    for uri in [
        "/public/../admin/x",
        "/public//../admin/x",
        "/public/%2e%2e/admin/x",
        "/public/%2E%2e/admin/x",
        "/public/./../admin/x",
        "//admin/x",
        "/%61dmin/x",
    ] {
        let resolved = ask(&app, "GET", uri).send().await.unwrap();
        expect_error(resolved, 401, "missing_token").await;
    }
    // Refused outright.
    for uri in [
        "/public/%2F../admin/x",
        "/public/..%2Fadmin/x",
        "/public/%5C../admin/x",
        "/public\\..\\admin/x",
        "/public/%00/x",
        "/public/%0d%0a/x",
        "/public/%252e%252e/admin/x",
        "/../public/x",
        "/public/../../admin/x",
        "/public/..;/admin/x",
        "/public/%zz",
        "public/x",
        "",
    ] {
        let refused = ask(&app, "GET", uri).send().await.unwrap();
        let status = refused.status().as_u16();
        let (_, _, body) = json_of(refused).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_request")),
            "{uri:?}"
        );
    }
    // The same in Envoy's form, the original path under /authz/, sent byte for byte.
    for (path, status) in [
        ("/authz/public/x", 200),
        ("/authz/public/%2e%2e/admin/x", 401),
        ("/authz/public/%2F..%2Fadmin/x", 400),
        ("/authz/public/%252e%252e/admin/x", 400),
    ] {
        let answer = raw_get(&app, path).await;
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{path}: {answer}"
        );
    }
}

/// Each proxy's headers, in the contract's order: X-Forwarded-* (Traefik, Caddy), then
/// X-Original-* (nginx), then Envoy's path under /authz; X-Forwarded-Host, then Host.
pub async fn gateway_reads_each_proxys_headers(target: &Target) {
    if skip_if_external("starts the app with a policy file") {
        return;
    }
    let (app, _dir) = with_policy(target);
    let status =
        |request: RequestBuilder| async move { request.send().await.unwrap().status().as_u16() };
    let authz = |path: &str| app.http.get(app.url(path));
    assert_eq!(
        status(authz("/authz").header("x-original-uri", "/public/a")).await,
        200
    );
    assert_eq!(
        status(
            authz("/authz")
                .header("x-forwarded-uri", "/public/a")
                .header("x-original-uri", "/other")
        )
        .await,
        200
    );
    assert_eq!(
        status(
            authz("/authz")
                .header("x-original-uri", "/public/a")
                .header("x-original-method", "POST")
        )
        .await,
        403
    );
    // Without a method header, the /authz request's own method is the original one.
    let own = app
        .http
        .post(app.url("/authz"))
        .header("x-original-uri", "/public/a");
    assert_eq!(status(own).await, 403);
    assert_eq!(status(authz("/authz/public/a?b=c")).await, 200);
    assert_eq!(status(authz("/authz/other")).await, 403);
    // No path at all is `/`, which only the host rule covers.
    assert_eq!(status(authz("/authz")).await, 403);
    assert_eq!(
        status(authz("/authz").header("x-forwarded-host", "docs.example.com")).await,
        200
    );
    // A forwarding header sent twice is refused, not guessed at.
    let twice = authz("/authz")
        .header("x-forwarded-uri", "/public/a")
        .header("x-forwarded-uri", "/admin/x")
        .send()
        .await
        .unwrap();
    expect_error(twice, 400, "invalid_request").await;
}

/// A cookie session passes the gateway as it passes the bearer routes: on an unsafe original
/// method only with the CSRF header; a revoked login never passes.
pub async fn gateway_judges_cookies_csrf_and_revocation_as_the_bearer_routes(target: &Target) {
    let app = target.start();
    let token = app.mint("w", json!({}));
    let cookie = format!("tokengate_access={token}; tokengate_csrf=the-csrf-value-0123456789");
    let asked = |method: &str| ask(&app, method, "/notes").header("cookie", &cookie);
    assert_eq!(asked("GET").send().await.unwrap().status().as_u16(), 200);
    expect_error(asked("POST").send().await.unwrap(), 403, "csrf_failed").await;
    let with_csrf = asked("DELETE")
        .header("x-csrf-token", "the-csrf-value-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(with_csrf.status().as_u16(), 200);

    if skip_if_external("signs up a user") {
        return;
    }
    let email = format!("gateway{}@example.com", now_nanos());
    signup(&app, &email, "password1").await;
    let pair = login(&app, &email, "password1").await;
    let access = access(&pair);
    let before = ask(&app, "GET", "/x")
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(before.status().as_u16(), 200);
    assert_eq!(logout(&app, &access).await.status().as_u16(), 204);
    let after = ask(&app, "GET", "/x")
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    expect_error(after, 401, "invalid_token").await;
}

/// A policy file that cannot be read or parsed stops start-up with one line naming the
/// variable, the file and the line.
pub async fn a_bad_policy_file_stops_start_up(target: &Target) {
    if skip_if_external("starts the app with a bad policy file") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.toml");
    std::fs::write(
        &file,
        "[[rule]]\npath = \"/ok/\"\n\n[[rule]]\npath = \"/x\"\nmethods = [\"get\"]\n",
    )
    .unwrap();
    let missing = dir.path().join("absent.toml");
    for (path, expected) in [
        (&file, format!("{}, line 6", file.display())),
        (&missing, format!("cannot read {}", missing.display())),
    ] {
        let env = [
            ("TOKENGATE_SECRET", crate::harness::SECRET),
            ("TOKENGATE_ADDR", "127.0.0.1:0"),
            ("TOKENGATE_AUTHZ_POLICY", &path.display().to_string()),
            (
                "TOKENGATE_DATABASE_URL",
                &format!("sqlite://{}", dir.path().join("t.db").display()),
            ),
        ]
        .map(|(name, value)| (name.to_owned(), value.to_owned()));
        let line = target.refusal_line(&env);
        assert!(
            line.contains("TOKENGATE_AUTHZ_POLICY") && line.contains(&expected),
            "{line}"
        );
    }
}

/// A GET of `path` sent byte for byte (reqwest would resolve dot segments first).
async fn raw_get(app: &App, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    );
    let _ = read.await;
    String::from_utf8_lossy(&answer).into_owned()
}
