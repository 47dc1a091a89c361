//! Remote keys against a stand-in provider on loopback: caching by `max-age`, one fetch for
//! many unknown `kid`s, the refetch interval, outages, size and time limits, the scheme
//! rule, discovery, and skipped keys.
#![cfg(feature = "remote-keys")]

#[path = "support/mock_provider.rs"]
mod mock_provider;

use std::time::{Duration, Instant};

use mock_provider::{MockProvider, Reply};
use serde_json::json;
use tokengate::token::remote::{
    Lookup, RemoteKeys, RemoteKeysBuilder, RemoteKeysError, TrustedIssuers,
};
use tokengate::{Algorithm, Claims, Issuer, Key, NoExtra, Verifier};

/// A signing key from a fixture, named `kid`.
fn signing_key(kid: &str) -> Key {
    let (alg, pem): (Algorithm, &[u8]) = match kid.as_bytes()[0] % 3 {
        0 => (Algorithm::ES256, include_bytes!("fixtures/ec_private.pem")),
        1 => (
            Algorithm::ES384,
            include_bytes!("fixtures/ec384_private.pem"),
        ),
        _ => (Algorithm::EdDSA, include_bytes!("fixtures/ed_private.pem")),
    };
    Key::from_private_pem(alg, pem).unwrap().with_kid(kid)
}

fn jwks(kids: &[&str]) -> String {
    let keys: Vec<_> = kids
        .iter()
        .map(|kid| signing_key(kid).public_jwk().unwrap())
        .collect();
    json!({ "keys": keys }).to_string()
}

async fn provider_with(kids: &[&str]) -> MockProvider {
    let provider = MockProvider::start().await;
    provider.set("/jwks", Reply::json(jwks(kids)));
    provider
}

/// The provider's `/jwks`, over the plain http of the loopback server.
fn builder(provider: &MockProvider) -> RemoteKeysBuilder {
    RemoteKeys::from_jwks_url(provider.url("/jwks")).allow_insecure_http(true)
}

fn remote(provider: &MockProvider) -> RemoteKeys {
    builder(provider).build().unwrap()
}

#[tokio::test]
async fn a_token_verifies_with_the_key_its_kid_names() {
    let provider = provider_with(&["a", "b"]).await;
    let keys = remote(&provider);
    assert!(matches!(keys.lookup(Some("a")), Lookup::NotLoaded));
    keys.refresh().await.unwrap();
    let token = Issuer::new(signing_key("b"))
        .issuer("https://id.example")
        .audience("api")
        .issue(Claims::for_subject("s"))
        .unwrap()
        .token;
    let key = keys.resolve(Some("b")).unwrap();
    assert!(!key.can_sign());
    let verifier = Verifier::new(key)
        .issuer("https://id.example")
        .audience("api");
    let claims = verifier.verify::<NoExtra>(&token).unwrap();
    assert_eq!(claims.sub.as_deref(), Some("s"));
    // Key "a" is another key: it does not verify b's token.
    let wrong = Verifier::new(keys.resolve(Some("a")).unwrap().with_kid("b")).audience("api");
    assert!(wrong.verify::<NoExtra>(&token).is_err());
    assert!(matches!(keys.lookup(Some("c")), Lookup::UnknownKid));
    assert!(matches!(keys.lookup(None), Lookup::UnknownKid));
}

#[tokio::test]
async fn keys_are_kept_for_max_age_held_between_a_minute_and_a_day() {
    let provider = provider_with(&["a"]).await;
    let keys = remote(&provider);
    for (cache_control, expected) in [
        (None, 300),
        (Some("public, max-age=600"), 600),
        (Some("max-age=5"), 60),
        (Some("no-store"), 60),
        (Some("max-age=999999999"), 86_400),
    ] {
        let mut reply = Reply::json(jwks(&["a"]));
        if let Some(value) = cache_control {
            reply = reply.cache_control(value);
        }
        provider.set("/jwks", reply);
        keys.refresh().await.unwrap();
        let left = keys.expires_in().unwrap().as_secs_f64();
        assert!(
            left <= expected as f64 && left > expected as f64 - 5.0,
            "{cache_control:?}: {left}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_unknown_kids_at_once_make_one_fetch() {
    let provider = provider_with(&["old"]).await;
    let keys = builder(&provider)
        .unknown_kid_interval(Duration::from_millis(300))
        .build()
        .unwrap();
    keys.refresh().await.unwrap();
    tokio::time::sleep(Duration::from_millis(350)).await;
    // The provider rotates; its answers are slow enough for every caller to arrive first.
    provider.set(
        "/jwks",
        Reply::json(jwks(&["new", "old"])).delay(Duration::from_millis(200)),
    );
    let lookups: Vec<_> = (0..100)
        .map(|_| {
            let keys = keys.clone();
            tokio::spawn(async move { keys.refresh_for_unknown_kid(Some("new")).await })
        })
        .collect();
    for lookup in lookups {
        assert!(matches!(lookup.await.unwrap(), Lookup::Found(_)));
    }
    assert_eq!(provider.hits("/jwks"), 2);
    assert_eq!(keys.jwks_fetches(), 2);

    // A kid the provider does not have either: still one fetch for all.
    tokio::time::sleep(Duration::from_millis(350)).await;
    let lookups: Vec<_> = (0..100)
        .map(|_| {
            let keys = keys.clone();
            tokio::spawn(async move { keys.refresh_for_unknown_kid(Some("nobody")).await })
        })
        .collect();
    for lookup in lookups {
        assert!(matches!(lookup.await.unwrap(), Lookup::UnknownKid));
    }
    assert_eq!(provider.hits("/jwks"), 3);
}

#[tokio::test]
async fn unknown_kids_refetch_at_most_once_per_interval() {
    let provider = provider_with(&["a"]).await;
    // The default interval is 30 s: right after loading, an unknown kid fetches nothing.
    let keys = remote(&provider);
    keys.refresh().await.unwrap();
    provider.set("/jwks", Reply::json(jwks(&["a", "b"])));
    assert!(matches!(
        keys.refresh_for_unknown_kid(Some("b")).await,
        Lookup::UnknownKid
    ));
    assert_eq!(provider.hits("/jwks"), 1);

    let keys = builder(&provider)
        .unknown_kid_interval(Duration::from_millis(200))
        .build()
        .unwrap();
    keys.refresh().await.unwrap();
    assert!(keys
        .refresh_for_unknown_kid(Some("x"))
        .await
        .key()
        .is_none());
    assert_eq!(provider.hits("/jwks"), 2);
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert!(keys
        .refresh_for_unknown_kid(Some("x"))
        .await
        .key()
        .is_none());
    assert!(keys
        .refresh_for_unknown_kid(Some("y"))
        .await
        .key()
        .is_none());
    assert_eq!(provider.hits("/jwks"), 3);
    // A known kid never fetches.
    assert!(keys
        .refresh_for_unknown_kid(Some("b"))
        .await
        .key()
        .is_some());
    assert_eq!(provider.hits("/jwks"), 3);
}

#[tokio::test]
async fn the_keys_loaded_keep_working_while_the_provider_is_down() {
    let provider = provider_with(&["a"]).await;
    let keys = remote(&provider);
    keys.refresh().await.unwrap();
    provider.set("/jwks", Reply::status(503));
    assert!(matches!(
        keys.refresh().await,
        Err(RemoteKeysError::Status { status: 503, .. })
    ));
    assert!(keys.resolve(Some("a")).is_some());
    provider.set("/jwks", Reply::json("<html>maintenance</html>"));
    assert!(matches!(
        keys.refresh().await,
        Err(RemoteKeysError::NotAJwkSet { .. })
    ));
    provider.stop();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(matches!(
        keys.refresh().await,
        Err(RemoteKeysError::Unreachable { .. })
    ));
    assert!(keys.resolve(Some("a")).is_some());
}

#[tokio::test]
async fn answers_over_the_size_cap_are_refused() {
    let provider = MockProvider::start().await;
    let big = jwks(&["a", "b", "c"]);
    for reply in [Reply::json(&big), Reply::json(&big).without_length()] {
        provider.set("/jwks", reply);
        let capped = builder(&provider)
            .max_response_bytes(big.len() - 1)
            .build()
            .unwrap();
        assert_eq!(
            capped.refresh().await.unwrap_err(),
            RemoteKeysError::TooLarge {
                url: provider.url("/jwks"),
                limit: big.len() - 1
            }
        );
        assert!(!capped.is_loaded());
    }
    let fits = builder(&provider)
        .max_response_bytes(big.len())
        .build()
        .unwrap();
    fits.refresh().await.unwrap();
}

#[tokio::test]
async fn a_slow_provider_times_out() {
    let provider = MockProvider::start().await;
    provider.set(
        "/jwks",
        Reply::json(jwks(&["a"])).delay(Duration::from_secs(3)),
    );
    let keys = builder(&provider)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    assert!(matches!(
        keys.refresh().await,
        Err(RemoteKeysError::Timeout { .. })
    ));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn plain_http_is_refused_unless_allowed() {
    let provider = provider_with(&["a"]).await;
    let refused = RemoteKeys::from_jwks_url(provider.url("/jwks"))
        .build()
        .unwrap_err();
    assert_eq!(refused, RemoteKeysError::InsecureUrl(provider.url("/jwks")));
    assert!(RemoteKeys::from_issuer(&provider.base).build().is_err());
    assert!(TrustedIssuers::discover([&provider.base], false).is_err());
    // Allowed for the issuer, the jwks_uri of its discovery document may be http too.
    assert!(RemoteKeys::from_issuer(&provider.base)
        .allow_insecure_http(true)
        .build()
        .is_ok());
}

#[tokio::test]
async fn discovery_requires_the_issuer_exactly_then_loads_its_jwks_uri() {
    let provider = provider_with(&["a"]).await;
    let issuer = provider.base.clone();
    let discovery = "/.well-known/openid-configuration";
    let document = |issuer: &str| {
        Reply::json(json!({"issuer": issuer, "jwks_uri": provider.url("/jwks")}).to_string())
    };
    // The document names the issuer with a trailing slash: not the configured one.
    provider.set(discovery, document(&format!("{issuer}/")));
    let keys = RemoteKeys::from_issuer(&issuer)
        .allow_insecure_http(true)
        .build()
        .unwrap();
    assert_eq!(
        keys.refresh().await.unwrap_err(),
        RemoteKeysError::IssuerMismatch {
            expected: issuer.clone(),
            found: format!("{issuer}/"),
        }
    );
    assert_eq!(provider.hits("/jwks"), 0);
    assert!(!keys.is_loaded());

    provider.set(discovery, document(&issuer));
    keys.refresh().await.unwrap();
    assert!(keys.resolve(Some("a")).is_some());
    // The jwks_uri is remembered: a second refresh does not discover again.
    keys.refresh().await.unwrap();
    assert_eq!((provider.hits(discovery), provider.hits("/jwks")), (2, 2));

    // An issuer configured with a trailing slash is discovered without a double slash, and
    // must be named with its slash.
    provider.set(discovery, document(&format!("{issuer}/")));
    let slashed = RemoteKeys::from_issuer(format!("{issuer}/"))
        .allow_insecure_http(true)
        .build()
        .unwrap();
    slashed.refresh().await.unwrap();
    assert_eq!(slashed.issuer(), Some(format!("{issuer}/").as_str()));

    // A document without jwks_uri is not a discovery document.
    provider.set(
        discovery,
        Reply::json(json!({"issuer": issuer}).to_string()),
    );
    let no_jwks_uri = RemoteKeys::from_issuer(&issuer)
        .allow_insecure_http(true)
        .build()
        .unwrap();
    assert!(matches!(
        no_jwks_uri.refresh().await,
        Err(RemoteKeysError::NotADiscoveryDocument { .. })
    ));
}

#[tokio::test]
async fn unusable_keys_are_skipped_and_the_rest_serve() {
    let provider = MockProvider::start().await;
    let good = signing_key("good").public_jwk().unwrap();
    let document = json!({"keys": [
        {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"},
        {"kty": "RSA", "kid": "small", "n": "3Q", "e": "AQAB"},
        good,
    ]});
    provider.set("/jwks", Reply::json(document.to_string()));
    let keys = remote(&provider);
    keys.refresh().await.unwrap();
    assert!(keys.resolve(Some("good")).is_some());
    assert!(keys.resolve(Some("hmac")).is_none());
    let skipped: Vec<_> = keys
        .keys()
        .unwrap()
        .skipped()
        .iter()
        .map(|skipped| skipped.kid.clone().unwrap())
        .collect();
    assert_eq!(skipped, ["hmac", "small"]);
}

#[tokio::test]
async fn keys_not_loaded_until_the_provider_answers_then_served() {
    let provider = MockProvider::start().await;
    provider.set("/jwks", Reply::status(500));
    let keys = remote(&provider);
    let refresher = keys.spawn_refresher();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(matches!(keys.lookup(Some("a")), Lookup::NotLoaded));
    assert!(keys.retry_after() >= Duration::from_secs(1));
    assert!(keys.retry_after() <= Duration::from_secs(2));
    provider.set("/jwks", Reply::json(jwks(&["a"])));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !keys.is_loaded() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(keys.resolve(Some("a")).is_some());
    // Loaded: the refresher waits for the keys to expire (five minutes here).
    let fetched = provider.hits("/jwks");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(provider.hits("/jwks"), fetched);
    drop(keys);
    refresher.abort();
}
