//! `tokengate verify --oidc` / `--jwks`: a provider's token checked against its published
//! keys, over loopback and against a real OpenID provider.

mod support;

use std::io::{Read, Write};

use support::*;

/// A provider stand-in on loopback, for as long as the test runs: its discovery document
/// names `http://ADDR` as the issuer and `/jwks` as the key set, which is `jwks`.
fn serve_provider(jwks: String) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let discovery =
        serde_json::json!({"issuer": issuer, "jwks_uri": format!("{issuer}/jwks")}).to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let text = String::from_utf8_lossy(&request);
            let (status, body) = match text.split(' ').nth(1) {
                Some("/.well-known/openid-configuration") => ("200 OK", discovery.as_str()),
                Some("/jwks") => ("200 OK", jwks.as_str()),
                _ => ("404 Not Found", "{}"),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    issuer
}

/// `verify --oidc ISSUER` and `--jwks URL` check a provider's token with the keys it
/// publishes over HTTP: its kid picks the key, its iss and aud are required, and a token of
/// another key, issuer or audience is refused (exit 1); missing arguments and unreachable or
/// plain-http providers are usage failures (exit 2).
#[test]
fn verify_checks_a_providers_token_against_its_published_keys() {
    let (_dir, keys) = keygen_pair("ES256");
    let (_other_dir, other_keys) = keygen_pair("ES256");
    let jwks = std::fs::read_to_string(keys.join("jwks.json")).unwrap();
    let issuer = serve_provider(jwks);
    let jwks_url = format!("{issuer}/jwks");
    let mint = |keys: &std::path::PathBuf, iss: &str, aud: &str| {
        let private = keys.join("private.pem").display().to_string();
        let output = tokengate(
            &["issue", "--sub", "svc-1"],
            &[
                ("TOKENGATE_ALGORITHM", "ES256"),
                ("TOKENGATE_PRIVATE_KEY_FILE", &private),
                ("TOKENGATE_ISSUER", iss),
                ("TOKENGATE_AUDIENCE", aud),
            ],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };
    let token = mint(&keys, &issuer, "api");
    let verify = |args: &[&str]| {
        let mut all = vec!["verify", token.as_str()];
        all.extend_from_slice(args);
        tokengate(&all, &[])
    };

    let by_discovery = verify(&["--oidc", &issuer, "--aud", "api", "--insecure-http"]);
    assert!(by_discovery.status.success(), "{}", stderr(&by_discovery));
    assert!(stdout(&by_discovery).starts_with("valid"));
    assert!(stdout(&by_discovery).contains("\"sub\": \"svc-1\""));
    let by_jwks = verify(&[
        "--jwks",
        &jwks_url,
        "--iss",
        &issuer,
        "--aud",
        "api",
        "--insecure-http",
    ]);
    assert!(by_jwks.status.success(), "{}", stderr(&by_jwks));

    // Refused: another audience, another issuer, another key, a required typ it lacks.
    let wrong_aud = verify(&["--oidc", &issuer, "--aud", "other", "--insecure-http"]);
    assert_clean_failure(&wrong_aud, 1, "invalid");
    let wrong_iss = verify(&[
        "--jwks",
        &jwks_url,
        "--iss",
        "https://elsewhere.example",
        "--aud",
        "api",
        "--insecure-http",
    ]);
    assert_clean_failure(&wrong_iss, 1, "invalid");
    let stranger = mint(&other_keys, &issuer, "api");
    assert_clean_failure(
        &tokengate(
            &[
                "verify",
                &stranger,
                "--oidc",
                &issuer,
                "--aud",
                "api",
                "--insecure-http",
            ],
            &[],
        ),
        1,
        "no usable key with kid",
    );
    let typed = verify(&[
        "--oidc",
        &issuer,
        "--aud",
        "api",
        "--insecure-http",
        "--typ",
        "at+jwt",
    ]);
    assert_clean_failure(&typed, 1, "invalid");

    // Usage: --aud and (for a bare key set) --iss are required; http needs the switch.
    assert_clean_failure(&verify(&["--oidc", &issuer, "--insecure-http"]), 2, "--aud");
    assert_clean_failure(
        &verify(&["--jwks", &jwks_url, "--aud", "api", "--insecure-http"]),
        2,
        "--iss",
    );
    assert_clean_failure(&verify(&["--oidc", &issuer, "--aud", "api"]), 2, "https");
    assert_clean_failure(
        &verify(&[
            "--oidc",
            "http://127.0.0.1:9",
            "--aud",
            "api",
            "--insecure-http",
        ]),
        2,
        "cannot load the keys",
    );
}

#[path = "../../tokengate/tests/support/node.rs"]
mod node;

/// With a real OpenID Connect provider (oidc-provider, when node is installed): its RFC 9068
/// access token verifies by discovery, with its audience and `typ`, and not for another API.
#[test]
fn verify_accepts_a_real_providers_access_token_by_discovery() {
    if !node::ready("verify_accepts_a_real_providers_access_token_by_discovery") {
        return;
    }
    const RESOURCE: &str = "https://api.tokengate.test";
    let (mut child, issuer) =
        node::start_provider(0, &[("SIGNING_ALG", "ES256"), ("RESOURCE", RESOURCE)]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let answer: serde_json::Value = runtime.block_on(async {
        reqwest::Client::new()
            .post(format!("{issuer}/token"))
            .basic_auth("tokengate-test", Some("tokengate-test-secret"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "grant_type=client_credentials&scope=documents%3Aread&resource={}",
                RESOURCE.replace(':', "%3A").replace('/', "%2F"),
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let token = answer["access_token"].as_str().expect("an access token");
    let verify = |aud: &str| {
        tokengate(
            &[
                "verify",
                token,
                "--oidc",
                &issuer,
                "--aud",
                aud,
                "--typ",
                "at+jwt",
                "--insecure-http",
            ],
            &[],
        )
    };
    let valid = verify(RESOURCE);
    let other_api = verify("https://other.tokengate.test");
    let _ = child.kill();
    let _ = child.wait();
    assert!(valid.status.success(), "{}", stderr(&valid));
    assert!(
        stdout(&valid).contains("documents:read"),
        "{}",
        stdout(&valid)
    );
    assert_clean_failure(&other_api, 1, "invalid");
    // The provider is gone: the keys cannot be loaded, which is not a verdict on the token.
    assert_clean_failure(&verify(RESOURCE), 2, "cannot load the keys");
}
