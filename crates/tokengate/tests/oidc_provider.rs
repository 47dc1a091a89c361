//! Against a real OpenID Connect provider: panva's oidc-provider (npm), run from
//! `tests/oidc/provider.mjs` at the repository root. For RS256, PS256 and ES256: discover the
//! issuer, fetch a client-credentials access token (RFC 9068, `at+jwt`), verify it with the
//! discovered keys; rotate the provider's key and follow the rotation on the first token
//! signed with the new key, with one JWKS fetch however many tokens ask at once.
//!
//! Needs node; `npm ci` is run in `tests/oidc` when its `node_modules` is missing. Without
//! node the test is skipped with a message.
#![cfg(feature = "remote-keys")]

use std::process::Child;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;
use tokengate::token::remote::{Lookup, RemoteKeys};
use tokengate::token::Permission;
use tokengate::{AuthError, Claims, Key, NoExtra, Verifier};

#[path = "support/node.rs"]
mod node;

const RESOURCE: &str = "https://api.tokengate.test";

/// A running provider; killed when dropped.
struct Provider {
    child: Child,
    issuer: String,
}

impl Provider {
    /// Starts the provider on `port` (0: a free one), its JWKS cached for two minutes.
    fn start(alg: &str, port: u16) -> Provider {
        let env = [
            ("SIGNING_ALG", alg),
            ("RESOURCE", RESOURCE),
            ("JWKS_MAX_AGE", "120"),
        ];
        let (child, issuer) = node::start_provider(port, &env);
        Provider { child, issuer }
    }

    async fn token(&self, http: &reqwest::Client, scope: &str) -> String {
        let answer: Value = http
            .post(format!("{}/token", self.issuer))
            .basic_auth("tokengate-test", Some("tokengate-test-secret"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "grant_type=client_credentials&scope={}&resource={}",
                scope.replace(' ', "+"),
                RESOURCE.replace(':', "%3A").replace('/', "%2F"),
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no access token: {answer}"))
            .to_owned()
    }

    async fn post(&self, http: &reqwest::Client, path: &str) -> Value {
        let url = format!("{}{path}", self.issuer);
        http.post(url).send().await.unwrap().json().await.unwrap()
    }

    async fn stats(&self, http: &reqwest::Client) -> Value {
        let url = format!("{}/__stats", self.issuer);
        http.get(url).send().await.unwrap().json().await.unwrap()
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn header(token: &str) -> Value {
    let segment = token.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).unwrap()).unwrap()
}

/// Verifies a provider's token the way a resource server does: the `kid` picks the key from
/// the issuer's keys (fetched again once for an unknown `kid`), then every rule applies with
/// the provider's `iss`, the resource as `aud` and `typ` `at+jwt`.
async fn verify(keys: &RemoteKeys, token: &str) -> Result<Claims<NoExtra>, AuthError> {
    let header = header(token);
    let kid = header["kid"].as_str();
    let key: Key = match keys.lookup(kid) {
        Lookup::Found(key) => key,
        Lookup::UnknownKid => keys
            .refresh_for_unknown_kid(kid)
            .await
            .key()
            .ok_or(AuthError::UnknownKey)?,
        Lookup::NotLoaded => panic!("the keys are not loaded"),
    };
    Verifier::new(key)
        .issuer(keys.issuer().unwrap())
        .audience(RESOURCE)
        .require_typ("at+jwt")
        .verify(token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_of_a_real_provider_verify_and_its_rotation_is_followed() {
    if !node::ready("the OIDC provider test") {
        return;
    }
    let http = reqwest::Client::new();
    for alg in ["RS256", "PS256", "ES256"] {
        let provider = Provider::start(alg, 0);
        let keys = RemoteKeys::from_issuer(&provider.issuer)
            .allow_insecure_http(true)
            .unknown_kid_interval(Duration::from_millis(500))
            .build()
            .unwrap();
        keys.refresh().await.unwrap();
        let fresh = keys.expires_in().unwrap().as_secs();
        assert!(
            (115..=120).contains(&fresh),
            "{alg}: max-age=120 kept {fresh} s"
        );
        let first = keys.keys().unwrap();
        assert_eq!(first.keys().len(), 1, "{alg}");
        assert_eq!(first.keys()[0].algorithm().as_str(), alg);

        let token = provider.token(&http, "documents:read").await;
        assert_eq!(header(&token)["typ"], "at+jwt");
        let claims = verify(&keys, &token).await.unwrap();
        assert_eq!(claims.sub.as_deref(), Some("tokengate-test"), "{alg}");
        assert!(claims.allows("doc-1", &Permission::DOCUMENT_READ));
        assert!(!claims.allows("doc-1", &Permission::DOCUMENT_WRITE));
        // Another audience, or another issuer, is refused.
        let key = keys.resolve(header(&token)["kid"].as_str()).unwrap();
        let other_audience = Verifier::new(key.clone()).audience("https://other.test");
        assert_eq!(
            other_audience.verify::<NoExtra>(&token).unwrap_err(),
            AuthError::WrongAudience
        );
        let other_issuer = Verifier::new(key).issuer(format!("{}/", provider.issuer));
        assert_eq!(
            other_issuer.verify::<NoExtra>(&token).unwrap_err(),
            AuthError::WrongIssuer
        );

        // Rotation: the first token signed with the new key makes one fetch, also when a
        // hundred arrive at once, and the old key's tokens still verify.
        tokio::time::sleep(Duration::from_millis(600)).await;
        let rotated = provider.post(&http, "/__rotate").await;
        let new_token = provider
            .token(&http, "documents:read documents:write")
            .await;
        assert_eq!(header(&new_token)["kid"], rotated["kid"], "{alg}");
        assert!(matches!(
            keys.lookup(header(&new_token)["kid"].as_str()),
            Lookup::UnknownKid
        ));
        let before = provider.stats(&http).await["jwks"].as_u64().unwrap();
        let checks: Vec<_> = (0..100)
            .map(|_| {
                let (keys, token) = (keys.clone(), new_token.clone());
                tokio::spawn(async move { verify(&keys, &token).await })
            })
            .collect();
        for check in checks {
            let claims = check.await.unwrap().unwrap();
            assert!(claims.allows("doc-1", &Permission::DOCUMENT_WRITE), "{alg}");
        }
        let after = provider.stats(&http).await["jwks"].as_u64().unwrap();
        assert_eq!(after - before, 1, "{alg}: one JWKS fetch for the rotation");
        assert!(verify(&keys, &token).await.is_ok(), "{alg}: the old key");

        // A kid the provider never had: refused after at most one more fetch.
        let mut forged_header = header(&new_token);
        forged_header["kid"] = "nobody".into();
        let forged = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(forged_header.to_string()),
            new_token.split_once('.').unwrap().1
        );
        assert_eq!(
            verify(&keys, &forged).await.unwrap_err(),
            AuthError::UnknownKey
        );

        // The provider goes away: the keys loaded go on verifying.
        drop(provider);
        assert!(keys.refresh().await.is_err());
        assert!(verify(&keys, &new_token).await.is_ok(), "{alg}");
    }
}

/// An app that starts while its provider is down has no keys (its trusted tokens are 503
/// with `Retry-After`) until the provider comes up; the background refresher then loads them
/// without any token asking.
#[tokio::test]
async fn keys_load_once_a_provider_that_was_down_comes_up() {
    if !node::ready("the OIDC provider test") {
        return;
    }
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let keys = RemoteKeys::from_issuer(format!("http://127.0.0.1:{port}"))
        .allow_insecure_http(true)
        .build()
        .unwrap();
    let refresher = keys.spawn_refresher();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(matches!(keys.lookup(None), Lookup::NotLoaded));
    assert!(keys.retry_after() >= Duration::from_secs(1));

    let provider = Provider::start("ES256", port);
    assert_eq!(provider.issuer, format!("http://127.0.0.1:{port}"));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !keys.is_loaded() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let token = provider
        .token(&reqwest::Client::new(), "documents:read")
        .await;
    assert!(verify(&keys, &token).await.is_ok());
    refresher.abort();
}
