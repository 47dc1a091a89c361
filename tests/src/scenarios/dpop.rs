//! DPoP (RFC 9449): tokens bound to the client's key at `/login`, `/refresh` and `/session`,
//! accepted only with a proof by that key, and every way of getting a proof wrong refused.

use reqwest::Response;
use serde_json::{json, Value};

use super::helpers::{access, expect_error, json_of, now_nanos, signup, skip_if_external};
use crate::dpop_client::{ath, b64, DpopKey};
use crate::harness::{now, payload_of, App, Launch, Target};

/// Signs up and logs in with a proof by `key`: the bound pair.
async fn bound_login(app: &App, key: &DpopKey) -> Value {
    let email = format!("dpop{}@example.com", now_nanos());
    signup(app, &email, "dpop-password-1").await;
    let url = app.url("/login");
    let response = app
        .http
        .post(&url)
        .header("dpop", key.proof("POST", &url, None))
        .json(&json!({"email": email, "password": "dpop-password-1"}))
        .send()
        .await
        .unwrap();
    let (status, _, pair) = json_of(response).await;
    assert_eq!(status, 200, "{pair}");
    pair
}

/// `GET path` with `Authorization: DPoP token` and, if given, the `DPoP` header.
async fn dpop_get(app: &App, path: &str, token: &str, proof: Option<String>) -> Response {
    let mut request = app
        .http
        .get(app.url(path))
        .header("authorization", format!("DPoP {token}"));
    if let Some(proof) = proof {
        request = request.header("dpop", proof);
    }
    request.send().await.unwrap()
}

/// A 401 `invalid_dpop_proof` with its `DPoP` challenge naming the algorithms.
async fn expect_bad_proof(response: Response, what: &str) {
    let headers = expect_error(response, 401, "invalid_dpop_proof").await;
    let challenge = headers["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.starts_with("DPoP error=\"invalid_dpop_proof\", algs=\"")
            && challenge.contains("ES256")
            && challenge.contains("EdDSA"),
        "{what}: {challenge}"
    );
}

/// `/login` with a proof issues a pair of `token_type` `DPoP` whose access token names the
/// key's thumbprint in `cnf.jkt`; the token works with the DPoP scheme and a fresh proof
/// (ECDSA, EdDSA and RSA-PSS keys alike), and in no other way.
pub async fn dpop_login_binds_the_access_token_to_the_key(target: &Target) {
    if skip_if_external("needs the HTTP URI the proofs name") {
        return;
    }
    let app = target.start();
    for key in [DpopKey::es256(), DpopKey::eddsa(), DpopKey::ps256()] {
        let pair = bound_login(&app, &key).await;
        assert_eq!(pair["token_type"], "DPoP");
        let token = access(&pair);
        assert_eq!(payload_of(&token)["cnf"]["jkt"], key.thumbprint.as_str());
        let url = app.url("/protected");
        let proof = key.proof("GET", &url, Some(&token));
        let served = dpop_get(&app, "/protected", &token, Some(proof)).await;
        assert_eq!(served.status().as_u16(), 200);
        // As a bearer token, or with the DPoP scheme and no proof, it is refused.
        let bearer = app.http.get(&url).bearer_auth(&token).send().await.unwrap();
        expect_error(bearer, 401, "invalid_token").await;
        expect_bad_proof(dpop_get(&app, "/protected", &token, None).await, "no proof").await;
    }
}

/// Every way a proof can be wrong is 401 `invalid_dpop_proof`, and none reaches the route.
pub async fn dpop_attacks_are_refused(target: &Target) {
    if skip_if_external("needs the HTTP URI the proofs name") {
        return;
    }
    let app = target.start();
    let key = DpopKey::es256();
    let token = access(&bound_login(&app, &key).await);
    let url = app.url("/protected");
    let claims = || DpopKey::claims("GET", &url, Some(&token));
    let with = |field: &str, value: Value| {
        let mut claims = claims();
        claims[field] = value;
        key.sign(&key.header(), &claims)
    };
    let with_header = |field: &str, value: Value| {
        let mut header = key.header();
        header[field] = value;
        key.sign(&header, &claims())
    };
    let replayed = key.proof("GET", &url, Some(&token));
    let first = dpop_get(&app, "/protected", &token, Some(replayed.clone())).await;
    assert_eq!(first.status().as_u16(), 200);
    let mut private = key.header();
    private["jwk"]["d"] = json!("c2VjcmV0LWtleS1tYXRlcmlhbA");
    let mut hmac_header = key.header();
    hmac_header["alg"] = json!("HS256");
    let hmac = {
        let input = format!("{}.{}", b64(&hmac_header), b64(&claims()));
        let secret =
            jsonwebtoken::EncodingKey::from_secret(b"a-secret-anyone-could-pick-0123456789");
        let signature =
            jsonwebtoken::crypto::sign(input.as_bytes(), &secret, jsonwebtoken::Algorithm::HS256)
                .unwrap();
        format!("{input}.{signature}")
    };
    let mut none_header = key.header();
    none_header["alg"] = json!("none");
    let none = format!("{}.{}.", b64(&none_header), b64(&claims()));
    let another = DpopKey::rs256();
    let cases = [
        ("a replayed proof", replayed),
        ("a proof for POST", with("htm", json!("POST"))),
        (
            "a proof for another URI",
            with("htu", json!(app.url("/users/me"))),
        ),
        (
            "a proof by another key",
            another.proof("GET", &url, Some(&token)),
        ),
        ("a wrong ath", with("ath", json!(ath("another-token")))),
        ("no ath", {
            let mut claims = claims();
            claims.as_object_mut().unwrap().remove("ath");
            key.sign(&key.header(), &claims)
        }),
        ("an iat two minutes old", with("iat", json!(now() - 120))),
        ("an iat two minutes ahead", with("iat", json!(now() + 120))),
        ("typ JWT", with_header("typ", json!("JWT"))),
        ("an HMAC proof", hmac),
        ("alg none", none),
        ("a private key in the jwk", key.sign(&private, &claims())),
        ("not a JWT", "not.a.proof".to_owned()),
    ];
    for (what, proof) in cases {
        expect_bad_proof(
            dpop_get(&app, "/protected", &token, Some(proof)).await,
            what,
        )
        .await;
    }
    // The proof is checked before permissions: 401, not 403, on a document route.
    let document = app.url("/documents/doc-1");
    let response = app
        .http
        .get(&document)
        .header("authorization", format!("DPoP {token}"))
        .header("dpop", another.proof("GET", &document, Some(&token)))
        .send()
        .await
        .unwrap();
    expect_bad_proof(response, "a bad proof on a document route").await;
}

/// A token that is not bound, sent with the DPoP scheme and a proof, is 401 `invalid_token`;
/// a bound access cookie without a proof is refused like a bound bearer token.
pub async fn dpop_needs_bound_tokens_and_bound_cookies_need_proofs(target: &Target) {
    if skip_if_external("needs the HTTP URI the proofs name") {
        return;
    }
    let app = target.start();
    let key = DpopKey::es256();
    let unbound = app.mint("u1", json!({}));
    let proof = key.proof("GET", &app.url("/protected"), Some(&unbound));
    let refused = dpop_get(&app, "/protected", &unbound, Some(proof)).await;
    expect_error(refused, 401, "invalid_token").await;

    let email = format!("dpop-session{}@example.com", now_nanos());
    signup(&app, &email, "dpop-password-1").await;
    let url = app.url("/session");
    let session = app
        .http
        .post(&url)
        .header("dpop", key.proof("POST", &url, None))
        .json(&json!({"email": email, "password": "dpop-password-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(session.status().as_u16(), 204);
    let access_cookie = session
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap())
        .find(|cookie| cookie.starts_with("tokengate_access="))
        .map(|cookie| cookie.split(';').next().unwrap().to_owned())
        .expect("the access cookie");
    let token = access_cookie.trim_start_matches("tokengate_access=");
    assert_eq!(payload_of(token)["cnf"]["jkt"], key.thumbprint.as_str());
    let by_cookie = app
        .http
        .get(app.url("/protected"))
        .header("cookie", &access_cookie)
        .send()
        .await
        .unwrap();
    expect_error(by_cookie, 401, "invalid_token").await;
}

/// A bound login's refresh token is spent only with a proof by its key: without one, or with
/// another key's, it is 401 `invalid_dpop_proof` and nothing is spent; with one, the new
/// pair is bound to the same key.
pub async fn dpop_refresh_needs_a_proof_by_the_logins_key(target: &Target) {
    if skip_if_external("needs the HTTP URI the proofs name") {
        return;
    }
    let app = target.start();
    let key = DpopKey::es256();
    let pair = bound_login(&app, &key).await;
    let url = app.url("/refresh");
    let body = json!({"refresh_token": pair["refresh_token"]});
    let refresh = |proof: Option<String>| {
        let mut request = app.http.post(&url).json(&body);
        if let Some(proof) = proof {
            request = request.header("dpop", proof);
        }
        request.send()
    };
    expect_bad_proof(refresh(None).await.unwrap(), "no proof").await;
    let another = DpopKey::rs256().proof("POST", &url, None);
    expect_bad_proof(refresh(Some(another)).await.unwrap(), "another key").await;
    // Nothing was spent: the token still rotates, once, with a proof by its key.
    let (status, _, next) =
        json_of(refresh(Some(key.proof("POST", &url, None))).await.unwrap()).await;
    assert_eq!(status, 200, "{next}");
    assert_eq!(next["token_type"], "DPoP");
    assert_eq!(
        payload_of(&access(&next))["cnf"]["jkt"],
        key.thumbprint.as_str()
    );
}

/// `/authz` checks a proof against the original method and URI the proxy names.
pub async fn dpop_authz_checks_the_original_request(target: &Target) {
    if skip_if_external("needs the HTTP URI the proofs name") {
        return;
    }
    let app = target.start();
    let key = DpopKey::es256();
    let token = access(&bound_login(&app, &key).await);
    let host = app.base.trim_start_matches("http://").to_owned();
    let original = format!("http://{host}/api/notes");
    let ask = |proof: String| {
        app.http
            .get(app.url("/authz"))
            .header("x-forwarded-uri", "/api/notes?page=2")
            .header("x-forwarded-method", "DELETE")
            .header("authorization", format!("DPoP {token}"))
            .header("dpop", proof)
            .send()
    };
    let allowed = ask(key.proof("DELETE", &original, Some(&token)))
        .await
        .unwrap();
    assert_eq!(allowed.status().as_u16(), 200);
    let own_uri = ask(key.proof("GET", &app.url("/authz"), Some(&token)))
        .await
        .unwrap();
    expect_bad_proof(own_uri, "a proof for /authz itself").await;
}

/// With `TOKENGATE_DPOP_NONCE=1`, every proof must carry the server's nonce: a token request
/// without it is 400 `use_dpop_nonce`, a protected request 401 `use_dpop_nonce`, both with the
/// nonce to use in `DPoP-Nonce`; the same request with that nonce passes.
pub async fn dpop_nonces_are_required_when_configured(target: &Target) {
    if skip_if_external("starts the app with nonces on") {
        return;
    }
    let app = target.launch(Launch {
        env: vec![("TOKENGATE_DPOP_NONCE".into(), "1".into())],
        ..Launch::default()
    });
    let key = DpopKey::es256();
    let with_nonce = |method: &str, url: &str, token: Option<&str>, nonce: &str| {
        let mut claims = DpopKey::claims(method, url, token);
        claims["nonce"] = json!(nonce);
        key.sign(&key.header(), &claims)
    };
    let email = format!("dpop-nonce{}@example.com", now_nanos());
    signup(&app, &email, "dpop-password-1").await;
    let login_url = app.url("/login");
    let login = |proof: String| {
        app.http
            .post(&login_url)
            .header("dpop", proof)
            .json(&json!({"email": email, "password": "dpop-password-1"}))
            .send()
    };
    let asked = login(key.proof("POST", &login_url, None)).await.unwrap();
    let nonce = asked.headers()["dpop-nonce"].to_str().unwrap().to_owned();
    expect_error(asked, 400, "use_dpop_nonce").await;
    let (status, _, pair) = json_of(
        login(with_nonce("POST", &login_url, None, &nonce))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, pair["token_type"].as_str()),
        (200, Some("DPoP")),
        "{pair}"
    );
    let token = access(&pair);
    let url = app.url("/protected");
    let refused = dpop_get(
        &app,
        "/protected",
        &token,
        Some(key.proof("GET", &url, Some(&token))),
    )
    .await;
    let fresh = refused.headers()["dpop-nonce"].to_str().unwrap().to_owned();
    let challenge = refused.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.starts_with("DPoP error=\"use_dpop_nonce\""),
        "{challenge}"
    );
    expect_error(refused, 401, "use_dpop_nonce").await;
    let made_up = with_nonce("GET", &url, Some(&token), "a-nonce-of-my-own");
    expect_error(
        dpop_get(&app, "/protected", &token, Some(made_up)).await,
        401,
        "use_dpop_nonce",
    )
    .await;
    let proof = with_nonce("GET", &url, Some(&token), &fresh);
    assert_eq!(
        dpop_get(&app, "/protected", &token, Some(proof))
            .await
            .status()
            .as_u16(),
        200
    );
}
