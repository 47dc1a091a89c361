//! A gate with a trusted issuer, against a stand-in provider on loopback: the issuer's tokens
//! verified with its keys only, the app's own tokens unchanged, an unknown `kid` refetched by
//! the async entry points only, and 503 while the keys were never loaded.
#![cfg(feature = "remote-keys")]

// Shared with remote_keys.rs, which uses the rest of it.
#[allow(dead_code)]
#[path = "support/mock_provider.rs"]
mod mock_provider;

use std::time::Duration;

use mock_provider::{MockProvider, Reply};
use serde_json::json;
use tokengate::remote::{RemoteKeys, TrustedIssuers};
use tokengate::{Algorithm, AuthError, Claims, Gate, Issuer, Key, NoExtra, Verifier};

const PROVIDER: &str = "https://id.example";
const AUDIENCE: &str = "https://api.example";

fn provider_key(kid: &str) -> Key {
    let pem = include_bytes!("fixtures/ec_private.pem");
    Key::from_private_pem(Algorithm::ES256, pem)
        .unwrap()
        .with_kid(kid)
}

fn jwks(kids: &[&str]) -> String {
    let keys: Vec<_> = kids
        .iter()
        .map(|kid| provider_key(kid).public_jwk().unwrap())
        .collect();
    json!({ "keys": keys }).to_string()
}

fn provider_token(kid: &str, audience: &str, scope: &str) -> String {
    let claims = Claims {
        scope: Some(scope.into()),
        ..Claims::for_subject("svc")
    };
    Issuer::new(provider_key(kid))
        .issuer(PROVIDER)
        .audience(audience)
        .issue(claims)
        .unwrap()
        .token
}

fn own_key() -> Key {
    Key::hmac(Algorithm::HS256, &[5; 32]).unwrap()
}

fn gate(provider: &MockProvider) -> Gate {
    let keys = RemoteKeys::from_jwks_url(provider.url("/jwks"))
        .allow_insecure_http(true)
        .unknown_kid_interval(Duration::from_millis(200))
        .build()
        .unwrap();
    let mut trusted = TrustedIssuers::new();
    trusted.insert(PROVIDER, keys);
    let own = Verifier::new(own_key()).issuer("me").audience("mine");
    Gate::builder(own)
        .trusted_issuers(trusted, AUDIENCE)
        .build()
}

#[tokio::test]
async fn trusted_tokens_use_their_issuers_keys_and_follow_a_rotation() {
    let provider = MockProvider::start().await;
    provider.set("/jwks", Reply::json(jwks(&["k1"])));
    let gate = gate(&provider);
    let token = provider_token("k1", AUDIENCE, "documents:read");

    // Never loaded: 503 with Retry-After, sync and async alike.
    let error = gate.verify::<NoExtra>(&token).unwrap_err();
    assert!(matches!(error, AuthError::KeysUnavailable { retry_after } if retry_after >= 1));
    assert_eq!(error.status(), 503);

    gate.trusted_issuers()
        .unwrap()
        .get(PROVIDER)
        .unwrap()
        .refresh()
        .await
        .unwrap();
    let claims = gate.verify::<NoExtra>(&token).unwrap();
    assert!(gate.trusts(claims.iss.as_deref()));
    assert_eq!(claims.sub.as_deref(), Some("svc"));

    // The app's own tokens are untouched.
    let own = Issuer::new(own_key()).issuer("me").audience("mine");
    let own_token = own.issue(Claims::for_subject("u")).unwrap().token;
    let claims = gate.verify::<NoExtra>(&own_token).unwrap();
    assert!(!gate.trusts(claims.iss.as_deref()));

    // Another audience, and the provider's issuer on a token signed with an HMAC key.
    let other = provider_token("k1", "https://other.example", "documents:read");
    assert_eq!(
        gate.verify::<NoExtra>(&other).unwrap_err(),
        AuthError::WrongAudience
    );
    let hmac = Issuer::new(own_key().with_kid("k1"))
        .issuer(PROVIDER)
        .audience(AUDIENCE)
        .issue(Claims::for_subject("x"))
        .unwrap()
        .token;
    assert!(gate.verify::<NoExtra>(&hmac).is_err());

    // The provider rotates: the sync path refuses the unknown kid, the async path fetches.
    provider.set("/jwks", Reply::json(jwks(&["k2", "k1"])));
    let rotated = provider_token("k2", AUDIENCE, "documents:write");
    assert_eq!(
        gate.verify::<NoExtra>(&rotated).unwrap_err(),
        AuthError::UnknownKey
    );
    // The unknown-kid interval (shortened here) counts from the last fetch.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = provider.hits("/jwks");
    let claims = gate.verify_async::<NoExtra>(&rotated).await.unwrap();
    assert_eq!(claims.scope.as_deref(), Some("documents:write"));
    assert_eq!(provider.hits("/jwks") - before, 1);
    // A kid the provider never had: refused after at most that one fetch.
    let unknown = provider_token("k9", AUDIENCE, "documents:read");
    let error = gate.verify_async::<NoExtra>(&unknown).await.unwrap_err();
    assert_eq!(error, AuthError::UnknownKey);
    assert_eq!(provider.hits("/jwks") - before, 1);
}
