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
use tokengate::gate::{HeaderValue, RequestView};
use tokengate::token::remote::{RemoteKeys, TrustedIssuers, TrustedRules};
use tokengate::{Algorithm, AuthError, Claims, Gate, Issuer, Key, NoExtra, Refusal, Verifier};

/// A GET request carrying `Authorization: Bearer TOKEN`.
struct Bearer(String);

impl RequestView for Bearer {
    fn header(&self, name: &str) -> HeaderValue<'_> {
        match name {
            "authorization" => HeaderValue::One(self.0.as_bytes()),
            _ => HeaderValue::Absent,
        }
    }
    fn query(&self) -> Option<&str> {
        None
    }
    fn method(&self) -> &str {
        "GET"
    }
}

/// The gate's decision on a request bearing `token`, as an extractor awaits it.
async fn decide(gate: &Gate, token: &str) -> Result<Claims, Refusal> {
    gate.decide::<Claims>(&Bearer(format!("Bearer {token}")))
        .await
}

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

    // The provider rotates: `verify` refuses the unknown kid, a request's decision fetches.
    provider.set("/jwks", Reply::json(jwks(&["k2", "k1"])));
    let rotated = provider_token("k2", AUDIENCE, "documents:write");
    assert_eq!(
        gate.verify::<NoExtra>(&rotated).unwrap_err(),
        AuthError::UnknownKey
    );
    // The unknown-kid interval (shortened here) counts from the last fetch.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = provider.hits("/jwks");
    let claims = decide(&gate, &rotated).await.unwrap();
    assert_eq!(claims.scope.as_deref(), Some("documents:write"));
    assert_eq!(provider.hits("/jwks") - before, 1);
    // A kid the provider never had: refused after at most that one fetch.
    let unknown = provider_token("k9", AUDIENCE, "documents:read");
    let refusal = decide(&gate, &unknown).await.unwrap_err();
    assert_eq!(refusal.auth_error(), Some(&AuthError::UnknownKey));
    assert_eq!(provider.hits("/jwks") - before, 1);
}

/// A token signed by the provider's key `k1` with exactly this header and payload.
fn forged(header: serde_json::Value, payload: serde_json::Value) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let signature = provider_key("k1").sign(input.as_bytes()).unwrap();
    format!("{input}.{signature}")
}

fn provider_payload(aud: serde_json::Value) -> serde_json::Value {
    json!({
        "iss": PROVIDER, "sub": "svc", "aud": aud, "scope": "documents:read",
        "exp": tokengate::token::unix_now() + 600, "iat": tokengate::token::unix_now(),
    })
}

/// A gate whose provider's keys are loaded, with `rules`.
async fn loaded_gate(rules: TrustedRules) -> (MockProvider, Gate) {
    let provider = MockProvider::start().await;
    provider.set("/jwks", Reply::json(jwks(&["k1"])));
    let keys = RemoteKeys::from_jwks_url(provider.url("/jwks"))
        .allow_insecure_http(true)
        .build()
        .unwrap();
    keys.refresh().await.unwrap();
    let mut trusted = TrustedIssuers::new();
    trusted.insert(PROVIDER, keys);
    let own = Verifier::new(own_key()).issuer("me").audience("mine");
    let gate = Gate::builder(own).trusted_issuers(trusted, rules).build();
    (provider, gate)
}

#[tokio::test]
async fn any_trusted_audience_is_enough_and_a_required_typ_is_a_media_type() {
    let (_provider, gate) =
        loaded_gate(TrustedRules::audiences(["api-v1", AUDIENCE]).require_typ("at+jwt")).await;
    let header = |typ: Option<&str>| match typ {
        Some(typ) => json!({"alg": "ES256", "kid": "k1", "typ": typ}),
        None => json!({"alg": "ES256", "kid": "k1"}),
    };
    // Either audience, alone or in a list.
    for aud in [json!("api-v1"), json!(AUDIENCE), json!(["other", "api-v1"])] {
        let token = forged(header(Some("at+jwt")), provider_payload(aud.clone()));
        assert!(gate.verify::<NoExtra>(&token).is_ok(), "{aud}");
    }
    let elsewhere = forged(header(Some("at+jwt")), provider_payload(json!(["other"])));
    assert_eq!(
        gate.verify::<NoExtra>(&elsewhere).unwrap_err(),
        AuthError::WrongAudience
    );
    // `typ`: the same media type in any case, with or without `application/`.
    for typ in [
        "at+jwt",
        "AT+JWT",
        "application/at+jwt",
        "Application/At+Jwt",
    ] {
        let token = forged(header(Some(typ)), provider_payload(json!(AUDIENCE)));
        assert!(gate.verify::<NoExtra>(&token).is_ok(), "{typ}");
    }
    for typ in [Some("JWT"), Some("text/at+jwt"), None] {
        let token = forged(header(typ), provider_payload(json!(AUDIENCE)));
        assert_eq!(
            gate.verify::<NoExtra>(&token).unwrap_err(),
            AuthError::WrongType,
            "{typ:?}"
        );
    }

    // Without a required `typ`, `JWT`, `at+jwt` and none are all accepted, as before.
    let (_provider, lenient) = loaded_gate(AUDIENCE.into()).await;
    for typ in [Some("JWT"), Some("at+jwt"), None] {
        let token = forged(header(typ), provider_payload(json!(AUDIENCE)));
        assert!(lenient.verify::<NoExtra>(&token).is_ok(), "{typ:?}");
    }
}

/// A provider's `user` and `auth` claims mean something else than CKEditor's: a token with
/// them verifies, they grant nothing, and its `scope` still does. The app's own tokens keep
/// the strict shapes.
#[tokio::test]
async fn a_providers_user_and_auth_of_another_shape_grant_nothing_and_break_nothing() {
    use tokengate::token::Permission;
    let (_provider, gate) = loaded_gate(AUDIENCE.into()).await;
    let header = json!({"alg": "ES256", "kid": "k1", "typ": "at+jwt"});
    let mut payload = provider_payload(json!(AUDIENCE));
    payload["user"] = json!("alice");
    payload["auth"] = json!({"roles": ["admin"], "collaboration": "everything"});
    let token = forged(header.clone(), payload.clone());
    for _ in 0..2 {
        let claims = gate.verify::<NoExtra>(&token).unwrap();
        assert_eq!(claims.sub.as_deref(), Some("svc"));
        assert_eq!((&claims.user, &claims.auth), (&None, &None));
        assert!(claims.allows("doc-1", &Permission::DOCUMENT_READ));
        assert!(!claims.allows("doc-1", &Permission::DOCUMENT_WRITE));
    }
    // A CKEditor-shaped `auth` in a provider's token grants nothing either.
    payload["auth"] = json!({"collaboration": {"*": {"role": "writer"}}});
    let shaped = forged(header, payload);
    let claims = gate.verify::<NoExtra>(&shaped).unwrap();
    assert!(claims.auth.is_none());
    assert!(!claims.allows("doc-1", &Permission::DOCUMENT_WRITE));

    // The app's own token with `"user": "alice"` is still malformed.
    let own = Issuer::new(own_key()).issuer("me").audience("mine");
    let own_token = own
        .issue(Claims {
            extra: json!({"user": "alice"}),
            ..Claims::default()
        })
        .unwrap()
        .token;
    assert!(matches!(
        gate.verify::<NoExtra>(&own_token),
        Err(AuthError::Malformed(_))
    ));
}

/// A provider whose clock runs ahead: with `expiry_leeway`, its token is accepted a little
/// past `exp` (never more than MAX_LEEWAY); without it, expired at `exp`. The app's own
/// tokens are untouched by the providers' rules.
#[tokio::test]
async fn an_expiry_leeway_for_the_providers_is_opt_in_and_capped() {
    let header = json!({"alg": "ES256", "kid": "k1", "typ": "at+jwt"});
    let just_expired = |seconds_ago: u64| {
        let mut payload = provider_payload(json!(AUDIENCE));
        payload["exp"] = json!(tokengate::token::unix_now() - seconds_ago);
        payload["iat"] = json!(tokengate::token::unix_now() - 600);
        forged(header.clone(), payload)
    };
    let (_provider, strict) = loaded_gate(AUDIENCE.into()).await;
    assert_eq!(
        strict.verify::<NoExtra>(&just_expired(10)).unwrap_err(),
        AuthError::Expired
    );
    // Asked for an hour, given MAX_LEEWAY (60 s).
    let (_provider, lenient) =
        loaded_gate(TrustedRules::audience(AUDIENCE).expiry_leeway(3_600)).await;
    assert!(lenient.verify::<NoExtra>(&just_expired(10)).is_ok());
    assert_eq!(
        lenient.verify::<NoExtra>(&just_expired(120)).unwrap_err(),
        AuthError::Expired
    );
    let own_expired = Issuer::new(own_key())
        .issuer("me")
        .audience("mine")
        .ttl(Duration::from_secs(60))
        .issue_at(Claims::for_subject("u1"), tokengate::token::unix_now() - 70)
        .unwrap()
        .token;
    assert_eq!(
        lenient.verify::<NoExtra>(&own_expired).unwrap_err(),
        AuthError::Expired
    );
}

/// A token verified before is a cache hit on the trusted path too, but only while its key is
/// still in the provider's key set: once the provider withdraws the key, the very same token
/// is refused.
#[tokio::test]
async fn a_remembered_token_dies_with_its_withdrawn_key() {
    let (provider, gate) = loaded_gate(AUDIENCE.into()).await;
    let token = provider_token("k1", AUDIENCE, "documents:read");
    for _ in 0..3 {
        // The first verifies in full, the others are hits of the per-thread cache.
        assert_eq!(
            gate.verify::<NoExtra>(&token).unwrap().sub.as_deref(),
            Some("svc")
        );
    }
    provider.set("/jwks", Reply::json(jwks(&["k2"])));
    let keys = gate.trusted_issuers().unwrap().get(PROVIDER).unwrap();
    keys.refresh().await.unwrap();
    assert_eq!(
        gate.verify::<NoExtra>(&token).unwrap_err(),
        AuthError::UnknownKey
    );
}

/// Rules with no audience accept no provider token: `aud` must always name this API.
#[tokio::test]
async fn an_empty_audience_list_accepts_no_token() {
    let (_provider, gate) = loaded_gate(TrustedRules::audiences(Vec::<String>::new())).await;
    let token = provider_token("k1", AUDIENCE, "documents:read");
    assert_eq!(
        gate.verify::<NoExtra>(&token).unwrap_err(),
        AuthError::WrongAudience
    );
}
