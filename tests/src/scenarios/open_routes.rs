//! Open routes: `/public`, `/healthz`, the JSON 404, `/openapi.json` and the JWKS.

use serde_json::{json, Value};

use super::helpers::{
    expect_error, expect_invalid, get, get_with_token, json_of, skip_if_external, user,
};
use crate::harness::{payload_of, Launch, Target};

/// `GET /public` answers anyone.
pub async fn public_is_open_to_anyone(target: &Target) {
    let app = target.start();
    let (status, _, body) = json_of(get(&app, "/public").await).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"message": "Anyone can view this."}));
}

/// `GET /healthz` reports ok while the store answers.
pub async fn healthz_reports_ok(target: &Target) {
    let app = target.start();
    let (status, _, body) = json_of(get(&app, "/healthz").await).await;
    assert_eq!((status, body), (200, json!({"status": "ok"})));
}

/// An unknown path is a JSON 404, like every other error.
pub async fn unknown_route_is_a_json_404(target: &Target) {
    let app = target.start();
    let response = get(&app, "/no/such/route").await;
    expect_error(response, 404, "not_found").await;
}

/// `GET /openapi.json` is an OpenAPI 3.1 document of every route, with the bearer schemes
/// and the error answers.
pub async fn openapi_document_describes_every_route(target: &Target) {
    let app = target.start();
    let response = get(&app, "/openapi.json").await;
    let (status, headers, document) = json_of(response).await;
    assert_eq!(status, 200);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    assert_eq!(document["openapi"], "3.1.0");
    let routes = [
        ("get", "/public"),
        ("get", "/healthz"),
        ("post", "/signup"),
        ("post", "/login"),
        ("post", "/refresh"),
        ("post", "/logout"),
        ("get", "/protected"),
        ("get", "/users/me"),
        ("get", "/cs-token"),
        ("get", "/documents/{id}"),
        ("put", "/documents/{id}"),
        ("get", "/openapi.json"),
        ("get", "/.well-known/jwks.json"),
        ("get", "/.well-known/openid-configuration"),
        ("post", "/session"),
        ("post", "/session/refresh"),
        ("delete", "/session"),
    ];
    for (method, path) in routes {
        let operation = &document["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is described");
    }
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["bearerAuth"]["scheme"], "bearer");
    assert_eq!(schemes["accessTokenHeader"]["name"], "x-access-token");
    assert_eq!(schemes["sessionCookie"]["in"], "cookie");
    assert_eq!(schemes["sessionCookie"]["name"], "tokengate_access");
    let protected = &document["paths"]["/protected"]["get"]["responses"]["401"];
    assert_eq!(
        protected["headers"]["WWW-Authenticate"]["$ref"],
        "#/components/headers/WWW-Authenticate"
    );
    let throttled = &document["paths"]["/login"]["post"]["responses"]["429"];
    assert_eq!(
        throttled["headers"]["Retry-After"]["$ref"],
        "#/components/headers/Retry-After"
    );
    for status in ["409", "413", "422", "503"] {
        assert!(
            document["paths"]["/signup"]["post"]["responses"][status].is_object(),
            "{status}"
        );
    }
    assert!(document["paths"]["/documents/{id}"]["put"]["responses"]["403"].is_object());
}

/// An app signing with a secret publishes no key: `/.well-known/jwks.json` is the JSON 404 of
/// an unknown route, never a JWK of the secret.
pub async fn jwks_never_publishes_a_secret(target: &Target) {
    let app = target.start();
    let response = get(&app, "/.well-known/jwks.json").await;
    expect_error(response, 404, "not_found").await;
}

/// A PEM file of the core's test fixtures.
fn key_fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/tokengate/tests/fixtures")
        .join(name)
}

/// With `TOKENGATE_ALGORITHM=ES256` and a private key, the app signs access tokens with it and
/// publishes the public key at `/.well-known/jwks.json`, where a third party finds it by
/// `kid` and verifies the token. The public key used as an HMAC secret (RFC 8725 section
/// 2.1) and a token signed with another key are both `invalid_token`.
pub async fn private_key_signs_and_jwks_publishes_it(target: &Target) {
    use jsonwebtoken::{jwk::JwkSet, Algorithm, DecodingKey, EncodingKey, Header, Validation};
    crate::harness::third_party_crypto();
    if skip_if_external("needs an app started with a private key") {
        return;
    }
    let app = target.launch(Launch {
        private_key: Some(("ES256", key_fixture("ec_private.pem"))),
        ..Launch::default()
    });
    let response = get(&app, "/.well-known/jwks.json").await;
    let (status, headers, body) = json_of(response).await;
    assert_eq!(status, 200, "{body}");
    let cache = headers.get("cache-control").and_then(|v| v.to_str().ok());
    assert!(
        cache.is_some_and(|v| v.starts_with("public, max-age=")),
        "{cache:?}"
    );
    let keys = body["keys"].as_array().expect("a JWKS document");
    assert_eq!(keys.len(), 1, "{body}");
    assert_eq!(
        (&keys[0]["kty"], &keys[0]["alg"], &keys[0]["use"]),
        (&json!("EC"), &json!("ES256"), &json!("sig"))
    );
    assert!(keys[0].get("d").is_none(), "never the private part: {body}");
    let jwks: JwkSet = serde_json::from_value(body).unwrap();

    let (_, pair) = user(&app).await;
    let token = pair["access_token"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.alg, Algorithm::ES256);
    let kid = header.kid.expect("tokens name their key");
    let jwk = jwks.find(&kid).expect("the token's key is published");
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&["tokengate"]);
    validation.set_issuer(&["tokengate"]);
    let verified =
        jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation);
    assert!(
        verified.is_ok(),
        "verifies with the published key: {verified:?}"
    );
    let (status, _, body) = json_of(get_with_token(&app, "/protected", token).await).await;
    assert_eq!(status, 200, "{body}");

    let claims = payload_of(token);
    let public_pem = std::fs::read(key_fixture("ec_public.pem")).unwrap();
    let rsa_pem = std::fs::read(key_fixture("rsa_private.pem")).unwrap();
    for (alg, key) in [
        (Algorithm::HS256, EncodingKey::from_secret(&public_pem)),
        (
            Algorithm::HS256,
            EncodingKey::from_secret(app.secret.as_bytes()),
        ),
        (
            Algorithm::RS256,
            EncodingKey::from_rsa_pem(&rsa_pem).unwrap(),
        ),
    ] {
        let mut header = Header::new(alg);
        header.kid = Some(kid.clone());
        let forged = jsonwebtoken::encode(&header, &claims, &key).unwrap();
        expect_invalid(&app, &forged, "invalid_token").await;
    }
    // The right header and signature over another payload.
    let mut other = claims.clone();
    other["sub"] = json!("someone-else");
    let segments: Vec<&str> = token.split('.').collect();
    let tampered = format!(
        "{}.{}.{}",
        segments[0],
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            other.to_string()
        ),
        segments[2]
    );
    expect_invalid(&app, &tampered, "invalid_token").await;
}

/// `GET /.well-known/openid-configuration`: the JSON 404 while the service is no provider
/// (the default issuer `tokengate`, tokens signed with a secret); with an `https://` issuer
/// and a private key, the discovery document naming the issuer, its JWKS and its algorithm.
pub async fn openid_configuration_only_for_a_url_issuer_with_published_keys(target: &Target) {
    if skip_if_external("needs apps started with a private key and an issuer URL") {
        return;
    }
    let app = target.start();
    let response = get(&app, "/.well-known/openid-configuration").await;
    expect_error(response, 404, "not_found").await;

    let issuer = "https://tokens.example/auth";
    let app = target.launch(Launch {
        private_key: Some(("ES256", key_fixture("ec_private.pem"))),
        env: vec![("TOKENGATE_ISSUER".into(), issuer.into())],
        ..Launch::default()
    });
    let response = get(&app, "/.well-known/openid-configuration").await;
    let (status, headers, document) = json_of(response).await;
    assert_eq!(status, 200, "{document}");
    assert!(headers["cache-control"]
        .to_str()
        .unwrap()
        .starts_with("public, max-age="));
    assert_eq!(
        document,
        json!({
            "issuer": issuer,
            "jwks_uri": "https://tokens.example/auth/.well-known/jwks.json",
            "id_token_signing_alg_values_supported": ["ES256"],
            "subject_types_supported": ["public"],
        })
    );
}

/// One app trusts another through its discovery document: app A signs with a private key
/// under the issuer `http://127.0.0.1:PORT` (its own address); app B, started with
/// `TOKENGATE_TRUSTED_ISSUERS` naming it, finds A's keys from
/// `/.well-known/openid-configuration` and accepts A's access tokens on `/protected`.
pub async fn another_app_trusts_this_one_through_discovery(target: &Target) {
    if skip_if_external("needs apps started with chosen addresses") {
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .unwrap()
        .port();
    let issuer = format!("http://127.0.0.1:{port}");
    let provider = target.launch(Launch {
        private_key: Some(("ES256", key_fixture("ec_private.pem"))),
        env: vec![
            ("TOKENGATE_ADDR".into(), format!("127.0.0.1:{port}")),
            ("TOKENGATE_ISSUER".into(), issuer.clone()),
        ],
        ..Launch::default()
    });
    assert_eq!(provider.base, issuer);
    let relying = target.launch(Launch {
        env: vec![
            ("TOKENGATE_TRUSTED_ISSUERS".into(), issuer.clone()),
            ("TOKENGATE_TRUSTED_AUDIENCE".into(), "tokengate".into()),
            ("TOKENGATE_INSECURE_HTTP_ISSUERS".into(), "1".into()),
        ],
        ..Launch::default()
    });
    let (_, pair) = user(&provider).await;
    let token = pair["access_token"].as_str().unwrap();
    // The relying app loads the provider's keys in the background: 503 until then.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let (status, body) = loop {
        let (status, _, body) = json_of(get_with_token(&relying, "/protected", token).await).await;
        if status != 503 || std::time::Instant::now() > deadline {
            break (status, body);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["sub"], payload_of(token)["sub"]);
}

/// A path that exists, asked with a method it does not take, is 405 `method_not_allowed` with
/// `Allow` naming the methods it takes, on every framework, before any token is looked at.
pub async fn a_wrong_method_is_405_with_allow(target: &Target) {
    let app = target.start();
    let cases: [(reqwest::Method, &str, &[&str]); 5] = [
        (reqwest::Method::DELETE, "/login", &["POST"]),
        (reqwest::Method::POST, "/public", &["GET"]),
        (reqwest::Method::PATCH, "/documents/doc-1", &["GET", "PUT"]),
        (reqwest::Method::PUT, "/users/me", &["GET"]),
        (reqwest::Method::GET, "/session", &["POST", "DELETE"]),
    ];
    for (method, path, expected) in cases {
        let response = app
            .http
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        let headers = expect_error(response, 405, "method_not_allowed").await;
        let allow: Vec<String> = headers["allow"]
            .to_str()
            .unwrap()
            .split(',')
            .map(|m| m.trim().to_ascii_uppercase())
            .collect();
        for wanted in expected {
            assert!(
                allow.iter().any(|m| m == wanted),
                "{method} {path}: {allow:?}"
            );
        }
        assert!(
            !allow.contains(&method.to_string()),
            "{method} {path}: {allow:?}"
        );
    }
}
