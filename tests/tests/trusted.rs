//! Trusted issuers over real HTTP: every reference app and `tokengate serve` started with
//! `TOKENGATE_TRUSTED_ISSUERS` pointing at a real OpenID Connect provider
//! (`tests/oidc/provider.mjs`, panva's oidc-provider), accepting its RFC 9068 access tokens
//! by scope, following its key rotation, and riding out its outages.
//!
//! Needs node (CI installs it); `npm ci` runs in `tests/oidc` when its packages are missing.
//! Without node the tests are skipped with a message.

use std::process::Child;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
#[path = "../../crates/tokengate/tests/support/node.rs"]
mod node;

use tokengate_scenarios::harness::{forge_raw, header_of, payload_of, App, Launch, Target};

/// The `aud` of the provider's access tokens, and the apps' trusted audience.
const RESOURCE: &str = "https://api.tokengate.test";

const TARGETS: [(&str, Target); 5] = [
    ("app-axum", Target::new("app-axum")),
    ("app-actix", Target::new("app-actix")),
    ("app-rocket", Target::new("app-rocket")),
    ("app-warp", Target::new("app-warp")),
    (
        "tokengate serve",
        Target::command("tokengate-cli", "tokengate", &["serve"]),
    ),
];

/// A running provider; killed when dropped.
struct Provider {
    child: Child,
    issuer: String,
    http: reqwest::Client,
}

impl Provider {
    fn start(alg: &str, port: u16) -> Provider {
        let (child, issuer) =
            node::start_provider(port, &[("SIGNING_ALG", alg), ("RESOURCE", RESOURCE)]);
        Provider {
            child,
            issuer,
            http: reqwest::Client::new(),
        }
    }

    /// A client-credentials access token for `scope` (RFC 9068, `typ: at+jwt`).
    async fn token(&self, scope: &str) -> String {
        let answer: Value = self
            .http
            .post(format!("{}/token", self.issuer))
            .basic_auth("tokengate-test", Some("tokengate-test-secret"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("scope", scope),
                ("resource", RESOURCE),
            ])
            .send()
            .await
            .expect("token request")
            .json()
            .await
            .expect("token answer");
        answer["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no access token: {answer}"))
            .to_owned()
    }

    async fn jwks_fetches(&self) -> u64 {
        let stats: Value = self
            .http
            .get(format!("{}/__stats", self.issuer))
            .send()
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats answer");
        stats["jwks"].as_u64().expect("a JWKS count")
    }

    /// Signs with a new key from now on (the JWKS keeps the previous one); its `kid`.
    async fn rotate(&self) -> String {
        let answer: Value = self
            .http
            .post(format!("{}/__rotate", self.issuer))
            .send()
            .await
            .expect("rotate")
            .json()
            .await
            .expect("rotate answer");
        answer["kid"].as_str().expect("a kid").to_owned()
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.stop();
    }
}

/// An app trusting `issuer` with `audience`.
fn start(target: &Target, issuer: &str, audience: &str) -> App {
    let env = [
        ("TOKENGATE_TRUSTED_ISSUERS", issuer),
        ("TOKENGATE_TRUSTED_AUDIENCE", audience),
        ("TOKENGATE_INSECURE_HTTP_ISSUERS", "1"),
    ];
    target.launch(Launch {
        env: env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        ..Launch::default()
    })
}

async fn send(app: &App, method: reqwest::Method, path: &str, token: &str) -> reqwest::Response {
    app.http
        .request(method, app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

async fn status(app: &App, method: reqwest::Method, path: &str, token: &str) -> u16 {
    send(app, method, path, token).await.status().as_u16()
}

async fn body(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The payload of `token` changed by `change`, the signature kept.
fn tampered(token: &str, change: impl FnOnce(&mut Value)) -> String {
    let mut payload = payload_of(token);
    change(&mut payload);
    let parts: Vec<&str> = token.split('.').collect();
    let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
    format!("{}.{payload}.{}", parts[0], parts[2])
}

/// Everything one app does with the provider's tokens, before any outage.
async fn provider_tokens_on(name: &str, target: &Target, provider: &Provider, app: &App) {
    use reqwest::Method;
    let reader = provider.token("documents:read").await;
    let writer = provider.token("documents:read documents:write").await;
    assert_eq!(header_of(&reader)["typ"], "at+jwt", "an RFC 9068 token");

    // Accepted on /protected, with its subject.
    let (code, answer) = body(send(app, Method::GET, "/protected", &reader).await).await;
    assert_eq!(code, 200, "{name}: {answer}");
    assert_eq!(answer["sub"], payload_of(&reader)["sub"], "{name}");

    // Documents by scope.
    assert_eq!(
        status(app, Method::GET, "/documents/d1", &reader).await,
        200,
        "{name}"
    );
    let refused = send(app, Method::PUT, "/documents/d1", &reader).await;
    let (code, answer) = body(refused).await;
    assert_eq!(
        (code, &answer["error"]),
        (403, &json!("insufficient_scope")),
        "{name}"
    );
    assert_eq!(
        status(app, Method::PUT, "/documents/d1", &writer).await,
        200,
        "{name}"
    );

    // A changed payload, a provider token for another API, and an issuer nobody trusts.
    let forged = tampered(&reader, |p| {
        p["scope"] = json!("documents:read documents:write")
    });
    let (code, answer) = body(send(app, Method::PUT, "/documents/d1", &forged).await).await;
    assert_eq!(
        (code, &answer["error"]),
        (401, &json!("invalid_token")),
        "{name}"
    );
    let mut stranger = payload_of(&reader);
    stranger["iss"] = json!("https://untrusted.example");
    let header = header_of(&reader).to_string();
    let untrusted = forge_raw(&header, &stranger.to_string(), b"no-key-of-anyone");
    assert_eq!(
        status(app, Method::GET, "/protected", &untrusted).await,
        401,
        "{name}"
    );
    // The trusted issuer's name on a token signed with the app's own secret: never HMAC.
    let hmac = forge_raw(
        &json!({"alg": "HS256", "typ": "JWT"}).to_string(),
        &payload_of(&reader).to_string(),
        app.secret.as_bytes(),
    );
    assert_eq!(
        status(app, Method::GET, "/protected", &hmac).await,
        401,
        "{name}"
    );

    // The account routes are for the app's own tokens.
    for (method, path) in [
        (Method::GET, "/users/me"),
        (Method::POST, "/logout"),
        (Method::GET, "/sessions"),
        (Method::DELETE, "/sessions"),
        (Method::DELETE, "/sessions/some-id"),
        (Method::POST, "/password"),
    ] {
        let (code, answer) = body(send(app, method, path, &reader).await).await;
        assert_eq!(
            (code, &answer["error"]),
            (401, &json!("invalid_token")),
            "{name} {path}"
        );
    }
    // The token still works: /logout and DELETE /sessions revoked nothing.
    assert_eq!(
        status(app, Method::GET, "/protected", &reader).await,
        200,
        "{name}"
    );

    // /cs-token: the role follows the scope.
    for (token, role) in [(&reader, "reader"), (&writer, "writer")] {
        let (code, answer) = body(send(app, Method::GET, "/cs-token", token).await).await;
        assert_eq!(code, 200, "{name}: {answer}");
        let cs = payload_of(answer.as_str().expect("a token"));
        assert_eq!(cs["auth"]["collaboration"]["*"]["role"], role, "{name}");
        assert_eq!(cs["sub"], payload_of(token)["sub"], "{name}");
        assert_eq!(
            cs["user"]["name"],
            payload_of(token)["sub"],
            "{name}: name = sub"
        );
    }
    let neither = provider.token("").await;
    let (code, answer) = body(send(app, Method::GET, "/cs-token", &neither).await).await;
    assert_eq!(
        (code, &answer["error"]),
        (403, &json!("insufficient_scope")),
        "{name}"
    );

    // Another audience: the same token refused by an app for another API.
    let other = start(target, &provider.issuer, "https://other-api.test");
    let deadline = Instant::now() + Duration::from_secs(45);
    let (code, answer) = loop {
        let (code, answer) = body(send(&other, Method::GET, "/protected", &reader).await).await;
        // 503 until its keys are loaded.
        if code != 503 || Instant::now() > deadline {
            break (code, answer);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        (code, &answer["error"]),
        (401, &json!("invalid_token")),
        "{name}"
    );
}

/// How long after an app's last fetch of the keys a token with an unknown `kid` may make it
/// fetch them again (the contract's "at most once per 30 seconds"), with a margin.
const UNKNOWN_KID_INTERVAL: Duration = Duration::from_secs(31);

/// Rotates the provider's key once the apps may fetch again, and checks that every app
/// accepts the first token signed with the new key. Returns that token.
async fn rotation_on(provider: &Provider, apps: &[(&str, App)], loaded: Instant) -> String {
    tokio::time::sleep_until((loaded + UNKNOWN_KID_INTERVAL).into()).await;
    let kid = provider.rotate().await;
    let fresh = provider.token("documents:read").await;
    assert_eq!(header_of(&fresh)["kid"], kid.as_str());
    for (name, app) in apps {
        let response = send(app, reqwest::Method::GET, "/protected", &fresh).await;
        assert_eq!(
            response.status().as_u16(),
            200,
            "{name}: the first token after a rotation"
        );
    }
    fresh
}

/// A flood of 50 tokens with made-up `kid`s at once: all refused, and the JWKS fetched at
/// most twice.
async fn flood_on(name: &str, provider: &Provider, app: &App, token: &str) {
    let before = provider.jwks_fetches().await;
    let flood = (0..50).map(|i| {
        let mut header = header_of(token);
        header["kid"] = json!(format!("made-up-{i}-{}", std::process::id()));
        let parts: Vec<&str> = token.split('.').collect();
        let header = URL_SAFE_NO_PAD.encode(header.to_string());
        let token = format!("{header}.{}.{}", parts[1], parts[2]);
        async move { status(app, reqwest::Method::GET, "/protected", &token).await }
    });
    let statuses = futures_util::future::join_all(flood).await;
    assert!(statuses.iter().all(|s| *s == 401), "{name}: {statuses:?}");
    let fetches = provider.jwks_fetches().await - before;
    assert!(
        fetches <= 2,
        "{name}: {fetches} JWKS fetches for 50 unknown kids"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_tokens_on_every_target_rs256() {
    if !node::ready("provider_tokens_on_every_target_rs256") {
        return;
    }
    let mut provider = Provider::start("RS256", 0);
    let mut apps = Vec::new();
    for (name, target) in &TARGETS {
        let app = start(target, &provider.issuer, RESOURCE);
        wait_for_keys(&app, &provider).await;
        apps.push((*name, app));
    }
    let loaded = Instant::now();
    for ((name, target), (_, app)) in TARGETS.iter().zip(&apps) {
        provider_tokens_on(name, target, &provider, app).await;
    }
    let fresh = rotation_on(&provider, &apps, loaded).await;
    for (name, app) in &apps {
        flood_on(name, &provider, app, &fresh).await;
    }
    // The provider goes away: the keys in memory go on verifying.
    provider.stop();
    for (name, app) in &apps {
        assert_eq!(
            status(app, reqwest::Method::GET, "/protected", &fresh).await,
            200,
            "{name}: the provider is down, its keys are not"
        );
    }
}

/// Waits until the app has loaded the provider's keys (its refresher runs at start-up).
async fn wait_for_keys(app: &App, provider: &Provider) {
    let token = provider.token("documents:read").await;
    let deadline = Instant::now() + Duration::from_secs(45);
    loop {
        let code = status(app, reqwest::Method::GET, "/protected", &token).await;
        if code == 200 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "keys never loaded (last status {code})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every target started while the provider is down answers 503 with `Retry-After` (no
/// challenge), then accepts its tokens once it is up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_while_the_provider_is_down() {
    if !node::ready("start_up_while_the_provider_is_down") {
        return;
    }
    let port = free_fixed_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let apps: Vec<(&str, App)> = TARGETS
        .iter()
        .map(|(name, target)| (*name, start(target, &issuer, RESOURCE)))
        .collect();
    let claims = json!({"iss": issuer, "aud": RESOURCE, "sub": "s", "exp": 4_000_000_000u64});
    let unknown = forge_raw(
        &json!({"alg": "RS256", "typ": "at+jwt", "kid": "k"}).to_string(),
        &claims.to_string(),
        b"unused",
    );
    for (name, app) in &apps {
        let response = send(app, reqwest::Method::GET, "/protected", &unknown).await;
        assert_eq!(response.status().as_u16(), 503, "{name}");
        let retry = response.headers().get("retry-after").expect("Retry-After");
        let seconds: u64 = retry.to_str().unwrap().parse().expect("seconds");
        assert!((1..=60).contains(&seconds), "{name}: Retry-After {seconds}");
        assert!(
            response.headers().get("www-authenticate").is_none(),
            "{name}"
        );
        let (_, answer) = body(response).await;
        assert_eq!(answer["error"], "unavailable", "{name}");
    }
    let provider = Provider::start("RS256", port);
    assert_eq!(provider.issuer, issuer);
    for (_, app) in &apps {
        wait_for_keys(app, &provider).await;
    }
}

/// A free port below Linux's ephemeral range (32768 and up), so that no app or provider
/// started meanwhile on port 0 takes it before the provider does.
fn free_fixed_port() -> u16 {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos())
        ^ std::process::id();
    (0..1000)
        .map(|i| 20_000 + ((seed as usize + i * 7919) % 10_000) as u16)
        .find(|port| std::net::TcpListener::bind(("127.0.0.1", *port)).is_ok())
        .expect("a free port between 20000 and 30000")
}

/// PS256 and ES256 keys, and their rotation, on one target each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_algorithms_ps256_and_es256() {
    if !node::ready("other_algorithms_ps256_and_es256") {
        return;
    }
    let mut running = Vec::new();
    for (alg, (name, target)) in [("PS256", &TARGETS[0]), ("ES256", &TARGETS[1])] {
        let provider = Provider::start(alg, 0);
        let app = start(target, &provider.issuer, RESOURCE);
        wait_for_keys(&app, &provider).await;
        let writer = provider.token("documents:write").await;
        assert_eq!(header_of(&writer)["alg"], alg);
        let code = status(&app, reqwest::Method::PUT, "/documents/x", &writer).await;
        assert_eq!(code, 200, "{name} {alg}");
        running.push((provider, [(*name, app)], Instant::now()));
    }
    let rotations = running
        .iter()
        .map(|(provider, apps, loaded)| rotation_on(provider, apps, *loaded));
    futures_util::future::join_all(rotations).await;
}

/// The resource-server copy-me examples, one per framework.
const RESOURCE_SERVERS: [&str; 4] = [
    "axum-resource-server",
    "actix-resource-server",
    "rocket-resource-server",
    "warp-resource-server",
];

/// The copy-me resource servers trust the provider and nobody else: its tokens pass, its
/// scopes decide `/editor`, and with no tokens of their own a token signed by anyone else,
/// even in the provider's name, is 401.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_server_copy_mes_trust_the_provider_and_nobody_else() {
    if Target::external().is_some()
        || !node::ready("resource_server_copy_mes_trust_the_provider_and_nobody_else")
    {
        return;
    }
    use reqwest::Method;
    let provider = Provider::start("RS256", 0);
    let reader = provider.token("documents:read").await;
    let writer = provider.token("documents:read documents:write").await;
    let subject = payload_of(&reader)["sub"]
        .as_str()
        .expect("a subject")
        .to_owned();
    for binary in RESOURCE_SERVERS {
        let env = [
            ("OIDC_ISSUER", provider.issuer.as_str()),
            ("API_AUDIENCE", RESOURCE),
            ("OIDC_ALLOW_HTTP", "1"),
        ];
        let app = Target::new(binary).launch(Launch {
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..Launch::default()
        });
        // 503 until the background refresher has loaded the provider's keys.
        let deadline = Instant::now() + Duration::from_secs(45);
        let greeting = loop {
            let response = send(&app, Method::GET, "/me", &reader).await;
            let code = response.status().as_u16();
            if code != 503 || Instant::now() > deadline {
                assert_eq!(code, 200, "{binary}: the provider's token on /me");
                break response.text().await.expect("body");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(greeting, format!("hello, {subject}"), "{binary}");

        let open = app.http.get(app.url("/")).send().await.expect("request");
        assert_eq!(open.text().await.expect("body"), "my api", "{binary}");
        let anonymous = app.http.get(app.url("/me")).send().await.expect("request");
        assert_eq!(anonymous.status().as_u16(), 401, "{binary}");
        assert_eq!(
            anonymous.headers()["www-authenticate"],
            "Bearer realm=\"tokengate\"",
            "{binary}"
        );
        let (_, answer) = body(anonymous).await;
        assert_eq!(answer["error"], "missing_token", "{binary}");

        // Scopes: documents:read alone is not enough for /editor, and the challenge says what is.
        let refused = send(&app, Method::GET, "/editor", &reader).await;
        assert_eq!(refused.status().as_u16(), 403, "{binary}");
        let challenge = refused.headers()["www-authenticate"]
            .to_str()
            .expect("ASCII")
            .to_owned();
        assert!(
            challenge.contains("error=\"insufficient_scope\"")
                && challenge.contains("scope=\"documents:write\""),
            "{binary}: {challenge}"
        );
        let (_, answer) = body(refused).await;
        assert_eq!(answer["error"], "insufficient_scope", "{binary}");
        let editor = send(&app, Method::GET, "/editor", &writer).await;
        assert_eq!(editor.status().as_u16(), 200, "{binary}");
        assert_eq!(
            editor.text().await.expect("body"),
            format!("editor for {subject}"),
            "{binary}"
        );

        // A widened scope without the provider's signature; the provider's name on a token
        // signed with a secret; another issuer altogether.
        let widened = tampered(&reader, |p| {
            p["scope"] = json!("documents:read documents:write")
        });
        let hmac = forge_raw(
            &json!({"alg": "HS256", "typ": "JWT"}).to_string(),
            &payload_of(&reader).to_string(),
            b"a secret anybody could have chosen",
        );
        let mut stranger = payload_of(&reader);
        stranger["iss"] = json!("https://untrusted.example");
        let untrusted = forge_raw(
            &json!({"alg": "HS256", "typ": "JWT"}).to_string(),
            &stranger.to_string(),
            b"a secret anybody could have chosen",
        );
        for (what, token, path) in [
            ("a widened scope", &widened, "/editor"),
            ("an HMAC token in the provider's name", &hmac, "/me"),
            ("an untrusted issuer", &untrusted, "/me"),
        ] {
            let (code, answer) = body(send(&app, Method::GET, path, token).await).await;
            assert_eq!(
                (code, &answer["error"]),
                (401, &json!("invalid_token")),
                "{binary}: {what}"
            );
        }
    }
}

/// docs/resource-server.md shows the tested copy-me programs as they are.
#[test]
fn the_resource_server_page_shows_the_tested_examples() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let page = std::fs::read_to_string(root.join("docs/resource-server.md")).expect("the page");
    for binary in RESOURCE_SERVERS {
        let source = std::fs::read_to_string(root.join(format!("examples/src/bin/{binary}.rs")))
            .expect("the example");
        assert!(
            page.contains(&format!("```rust,ignore\n{source}```")),
            "docs/resource-server.md no longer shows examples/src/bin/{binary}.rs as it is"
        );
    }
}
