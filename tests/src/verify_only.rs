//! What every verify-only example promises, checked the same way for each framework: an app
//! of its own with an open route and an `/api` scope that only valid tokens enter, built
//! without the account service, and following the token service's revocation feed.

use serde_json::json;

use crate::harness::{now, Launch, Target};

/// Starts the verify-only example `binary` (built with `--no-default-features`) and checks,
/// over HTTP, that its open route is open, and that its `/api` routes refuse a missing,
/// forged, expired or wrongly addressed token with the usual 401s, serve a valid one, and
/// answer 403 for a token without the document permission.
pub async fn check(binary: &'static str) {
    if Target::external().is_some() {
        return;
    }
    let target = Target::verify_only(binary);
    crate::copy_me::short_secret_stops_start_up(&target);
    let app = target.start();
    let get = |path: &str, token: Option<&str>| {
        let request = app.http.get(app.url(path));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
        .send()
    };
    let open = get("/", None).await.unwrap();
    assert_eq!(open.status().as_u16(), 200);
    assert_eq!(open.text().await.unwrap(), "my app");

    let missing = get("/api/me", None).await.unwrap();
    assert_eq!(missing.status().as_u16(), 401);
    assert_eq!(
        missing.headers()["www-authenticate"],
        "Bearer realm=\"tokengate\""
    );
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["error"], "missing_token");

    let valid = app.mint("user-42", json!({}));
    let served = get("/api/me", Some(&valid)).await.unwrap();
    assert_eq!(served.status().as_u16(), 200);
    assert_eq!(served.text().await.unwrap(), "hello, user-42");

    let mut forged = valid.clone();
    forged.pop();
    forged.push(if valid.ends_with('A') { 'B' } else { 'A' });
    let expired = app.mint("user-42", json!({"iat": now() - 7200, "exp": now() - 3600}));
    let elsewhere = app.mint("user-42", json!({"aud": "another-service"}));
    for (token, error) in [
        (forged.as_str(), "invalid_token"),
        ("not.a.token", "invalid_token"),
        (expired.as_str(), "token_expired"),
        (elsewhere.as_str(), "invalid_token"),
    ] {
        let refused = get("/api/me", Some(token)).await.unwrap();
        assert_eq!(refused.status().as_u16(), 401, "{error}");
        let challenge = refused.headers()["www-authenticate"].to_str().unwrap();
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
        let body: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(body["error"], error);
    }

    let reader = app.mint(
        "user-42",
        json!({"auth": {"collaboration": {"doc-1": {"role": "reader"}}}}),
    );
    let read = get("/api/documents/doc-1", Some(&reader)).await.unwrap();
    assert_eq!(read.status().as_u16(), 200);
    assert_eq!(read.text().await.unwrap(), "reading doc-1");
    let other = get("/api/documents/doc-2", Some(&reader)).await.unwrap();
    assert_eq!(other.status().as_u16(), 403);
    let body: serde_json::Value = other.json().await.unwrap();
    assert_eq!(body["error"], "insufficient_scope");
    let anonymous = get("/api/documents/doc-1", None).await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
}

/// How soon a login ended on the service must be refused by a follower (the contract's bound).
const FEED_BOUND: std::time::Duration = std::time::Duration::from_secs(1);

/// Starts `tokengate serve` as the token service on a fixed port and the verify-only example
/// `binary` following its revocation feed (`TOKENGATE_REVOCATION_FEED`), then checks over
/// HTTP: a login ended on the service is refused by the follower within one second; while
/// the service is down the follower keeps refusing it and keeps serving other logins; once
/// the service is back, a login ended there is refused again within one second.
pub async fn follows_the_revocation_feed(binary: &'static str) {
    if Target::external().is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let service_launch = Launch {
        database: Some(dir.path().join("service.db")),
        env: vec![("TOKENGATE_ADDR".into(), format!("127.0.0.1:{port}"))],
        ..Launch::default()
    };
    let service_target = Target::command("tokengate-cli", "tokengate", &["serve"]);
    let mut service = service_target.launch(service_launch.clone());
    let follower = Target::verify_only(binary).launch(Launch {
        env: vec![("TOKENGATE_REVOCATION_FEED".into(), service.base.clone())],
        ..Launch::default()
    });
    let email = format!("feed{}@example.com", crate::scenarios::helpers::now_nanos());
    let body = json!({"name": "Feed", "email": email, "password": "password1"});
    let signup = service.http.post(service.url("/signup")).json(&body).send();
    assert_eq!(signup.await.unwrap().status().as_u16(), 201);
    let mut logins = Vec::new();
    for _ in 0..3 {
        let login = service
            .http
            .post(service.url("/login"))
            .basic_auth(&email, Some("password1"))
            .send()
            .await
            .unwrap();
        let pair: serde_json::Value = login.json().await.unwrap();
        logins.push(pair["access_token"].as_str().unwrap().to_owned());
    }
    let status = |token: &str| {
        let request = follower
            .http
            .get(follower.url("/api/me"))
            .bearer_auth(token);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let refused_within_bound = |token: String| async move {
        let started = std::time::Instant::now();
        while started.elapsed() < FEED_BOUND {
            if status(&token).await == 401 {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        status(&token).await == 401
    };
    for token in &logins {
        assert_eq!(status(token).await, 200);
    }
    let logout = |base: &str, token: &str| {
        let client = reqwest::Client::new();
        let request = client.post(format!("{base}/logout")).bearer_auth(token);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(logout(&service.base, &logins[0]).await, 204);
    assert!(
        refused_within_bound(logins[0].clone()).await,
        "{binary} accepts a logged-out token after {FEED_BOUND:?}"
    );

    // The service goes away: the follower keeps what it knew.
    service.stop();
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(
        status(&logins[0]).await,
        401,
        "still refused while the feed is down"
    );
    assert_eq!(status(&logins[1]).await, 200, "other logins still served");

    // Back on the same address and database: the follower catches up.
    let service = service_target.launch(service_launch);
    assert_eq!(logout(&service.base, &logins[1]).await, 204);
    assert!(
        refused_within_bound(logins[1].clone()).await,
        "{binary} did not catch up with the feed after the service came back"
    );
    assert_eq!(status(&logins[2]).await, 200);
}
