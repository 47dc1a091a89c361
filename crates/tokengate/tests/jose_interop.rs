//! Interoperability with jose (npm), both ways, through `tests/oidc/jose-interop.mjs`: JWKs
//! and tokens jose makes for every algorithm tokengate verifies are read and verified here;
//! JWKs and tokens tokengate makes verify in jose. Skipped with a message without node.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{json, Value};
use tokengate::token::JwksKeys;
use tokengate::{Algorithm, AuthError, Claims, Issuer, Key, NoExtra, Verifier};

#[path = "support/node.rs"]
mod node;

const JOSE_ISSUER: &str = "https://jose.test";

fn jose(mode: &str, input: Option<&Value>) -> Value {
    let mut child = Command::new("node")
        .args(["jose-interop.mjs", mode])
        .current_dir(node::fixture_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run node jose-interop.mjs");
    let mut stdin = child.stdin.take().unwrap();
    if let Some(input) = input {
        stdin.write_all(input.to_string().as_bytes()).unwrap();
    }
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "jose-interop.mjs {mode} failed");
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn jose_keys_and_tokens_verify_here() {
    if !node::ready("the jose interoperability test") {
        return;
    }
    let made = jose("sign", None);
    let keys = JwksKeys::parse(made["jwks"].to_string().as_bytes()).unwrap();
    assert!(keys.skipped().is_empty(), "{:?}", keys.skipped());
    let tokens = made["tokens"].as_object().unwrap();
    assert_eq!(tokens.len(), 9);
    for (alg, token) in tokens {
        let key = keys.get(Some(alg)).unwrap().clone();
        assert_eq!(key.algorithm().as_str(), alg);
        let claims: Claims<NoExtra> = Verifier::new(key)
            .issuer(JOSE_ISSUER)
            .audience("tokengate")
            .require_typ("at+jwt")
            .verify(token.as_str().unwrap())
            .unwrap_or_else(|error| panic!("{alg}: {error}"));
        assert_eq!(claims.sub, Some(format!("subject-{alg}")));
    }
    // An RSA key published without `alg` verifies RS256 only: its PS256 token is refused.
    let key = keys.get(Some("rsa-no-alg")).unwrap().clone();
    assert_eq!(key.algorithm(), Algorithm::RS256);
    let refused = Verifier::new(key).verify::<NoExtra>(made["unlisted_alg"].as_str().unwrap());
    assert_eq!(refused.unwrap_err(), AuthError::DisallowedAlgorithm);
}

#[test]
fn tokengate_keys_and_tokens_verify_in_jose() {
    if !node::ready("the jose interoperability test") {
        return;
    }
    let rsa: &[u8] = include_bytes!("fixtures/rsa_private.pem");
    let pems: [(Algorithm, &[u8]); 9] = [
        (Algorithm::RS256, rsa),
        (Algorithm::RS384, rsa),
        (Algorithm::RS512, rsa),
        (Algorithm::PS256, rsa),
        (Algorithm::PS384, rsa),
        (Algorithm::PS512, rsa),
        (Algorithm::ES256, include_bytes!("fixtures/ec_private.pem")),
        (
            Algorithm::ES384,
            include_bytes!("fixtures/ec384_private.pem"),
        ),
        (Algorithm::EdDSA, include_bytes!("fixtures/ed_private.pem")),
    ];
    let mut jwks = Vec::new();
    let mut tokens = serde_json::Map::new();
    for (alg, pem) in pems {
        let key = Key::from_private_pem(alg, pem)
            .unwrap()
            .with_kid(alg.as_str());
        jwks.push(key.public_jwk().unwrap());
        let token = Issuer::new(key)
            .issuer("tokengate")
            .audience("jose")
            .issue(Claims::for_subject("s"))
            .unwrap()
            .token;
        // The same signature under a changed payload: jose must refuse it.
        let (head, rest) = token.split_once('.').unwrap();
        let signature = rest.split_once('.').unwrap().1;
        tokens.insert(
            format!("{alg} tampered"),
            json!(format!("{head}.e30.{signature}")),
        );
        tokens.insert(alg.to_string(), json!(token));
    }
    let results = jose(
        "verify",
        Some(&json!({
            "jwks": {"keys": jwks},
            "tokens": tokens,
            "issuer": "tokengate",
            "audience": "jose",
        })),
    );
    for (name, result) in results.as_object().unwrap() {
        if name.ends_with("tampered") {
            assert_ne!(result, "ok", "{name}");
        } else {
            assert_eq!(result, "ok", "{name}");
        }
    }
    assert_eq!(results.as_object().unwrap().len(), 18);
}
