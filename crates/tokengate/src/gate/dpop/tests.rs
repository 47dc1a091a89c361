use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::*;
use crate::token::confirmation::Confirmation;
use crate::token::keys::{Algorithm, Key};

const URI: &str = "https://api.example.com/notes";

fn ec_key() -> Key {
    let pem = include_bytes!("../../../tests/fixtures/ec_private.pem");
    Key::from_private_pem(Algorithm::ES256, pem).unwrap()
}

fn other_ec_key() -> Key {
    let pem = include_bytes!("../../../tests/fixtures/ec384_private.pem");
    Key::from_private_pem(Algorithm::ES384, pem).unwrap()
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// A proof with exactly this header and these claims, signed by `key`.
fn signed(key: &Key, header: Value, claims: Value) -> String {
    let input = format!("{}.{}", b64(&header), b64(&claims));
    let signature = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{signature}")
}

fn header_of(key: &Key) -> Value {
    let jwk = serde_json::to_value(key.public_jwk().unwrap()).unwrap();
    let mut jwk = jwk.as_object().unwrap().clone();
    // A client's key has no kid or use to speak of; keep the bare public members.
    jwk.retain(|name, _| ["kty", "crv", "x", "y", "n", "e"].contains(&name.as_str()));
    json!({"typ": "dpop+jwt", "alg": key.algorithm().as_str(), "jwk": jwk})
}

fn claims(method: &str, uri: &str, token: Option<&str>) -> Value {
    let mut claims = json!({
        "htm": method, "htu": uri, "iat": unix_now(), "jti": crate::token::issue::random_id(),
    });
    if let Some(token) = token {
        claims["ath"] = json!(URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes())));
    }
    claims
}

fn proof(key: &Key, method: &str, uri: &str, token: Option<&str>) -> String {
    signed(key, header_of(key), claims(method, uri, token))
}

fn target<'a>(token: Option<&'a str>) -> ProofTarget<'a> {
    ProofTarget {
        method: "GET",
        uri: URI,
        access_token: token,
    }
}

fn refusal(result: Result<String, AuthError>) -> &'static str {
    match result {
        Err(AuthError::InvalidDpopProof(why)) => why,
        other => panic!("expected invalid_dpop_proof, got {other:?}"),
    }
}

#[test]
fn a_good_proof_gives_its_keys_thumbprint_once() {
    let dpop = Dpop::new(None);
    let key = ec_key();
    let proof = proof(
        &key,
        "GET",
        "https://API.example.com:443/notes?x=1",
        Some("tok"),
    );
    assert_eq!(
        dpop.check_proof(&proof, &target(Some("tok"))).unwrap(),
        key.thumbprint().unwrap()
    );
    assert_eq!(
        refusal(dpop.check_proof(&proof, &target(Some("tok")))),
        "it was used before"
    );
}

#[test]
fn an_rsa_key_proves_with_the_algorithm_its_header_names() {
    let pem = include_bytes!("../../../tests/fixtures/rsa_private.pem");
    for alg in [Algorithm::RS256, Algorithm::PS256, Algorithm::PS384] {
        let key = Key::from_private_pem(alg, pem).unwrap();
        let proof = proof(&key, "GET", URI, Some("tok"));
        let thumbprint = Dpop::new(None).check_proof(&proof, &target(Some("tok")));
        assert_eq!(thumbprint.unwrap(), key.thumbprint().unwrap(), "{alg:?}");
    }
    // A JWK that names one algorithm does not prove with another.
    let key = Key::from_private_pem(Algorithm::PS256, pem).unwrap();
    let mut header = header_of(&key);
    header["jwk"]["alg"] = json!("RS256");
    let proof = signed(&key, header, claims("GET", URI, Some("tok")));
    refusal(Dpop::new(None).check_proof(&proof, &target(Some("tok"))));
}

#[test]
fn each_rule_of_a_proof_refuses_on_its_own() {
    let dpop = Dpop::new(None);
    let key = ec_key();
    let good_claims = || claims("GET", URI, Some("tok"));
    let with = |field: &str, value: Value| {
        let mut claims = good_claims();
        claims[field] = value;
        signed(&key, header_of(&key), claims)
    };
    let with_header = |field: &str, value: Value| {
        let mut header = header_of(&key);
        header[field] = value;
        signed(&key, header, good_claims())
    };
    let mut private = header_of(&key);
    private["jwk"]["d"] = json!("c2VjcmV0");
    let by_another = signed(&other_ec_key(), header_of(&key), good_claims());
    let hmac = Key::hmac(Algorithm::HS256, &[9; 32]).unwrap();
    let mut hmac_header = header_of(&key);
    hmac_header["alg"] = json!("HS256");
    let none = format!(
        "{}.{}.",
        b64(&json!({"typ": "dpop+jwt", "alg": "none", "jwk": header_of(&key)["jwk"]})),
        b64(&good_claims())
    );
    let cases = [
        ("another method", with("htm", json!("POST"))),
        (
            "another URI",
            with("htu", json!("https://api.example.com/other")),
        ),
        ("an iat 61 s old", with("iat", json!(unix_now() - 61))),
        ("an iat 61 s ahead", with("iat", json!(unix_now() + 61))),
        ("an iat that is a string", with("iat", json!("1"))),
        ("a wrong ath", with("ath", json!("AAAA"))),
        ("no ath", {
            let mut claims = good_claims();
            claims.as_object_mut().unwrap().remove("ath");
            signed(&key, header_of(&key), claims)
        }),
        ("an empty jti", with("jti", json!(""))),
        ("typ JWT", with_header("typ", json!("JWT"))),
        ("crit", with_header("crit", json!(["exp"]))),
        (
            "alg ES384 on a P-256 key",
            with_header("alg", json!("ES384")),
        ),
        ("a private jwk", signed(&key, private, good_claims())),
        ("a signature by another key", by_another),
        ("an HMAC proof", signed(&hmac, hmac_header, good_claims())),
        ("alg none", none),
        ("not a JWS", "a.b".to_owned()),
    ];
    for (what, proof) in cases {
        let why = refusal(dpop.check_proof(&proof, &target(Some("tok"))));
        assert!(!why.is_empty(), "{what}");
    }
    // None of them spent a jti: the good proof still passes.
    let good = signed(&key, header_of(&key), good_claims());
    assert!(dpop.check_proof(&good, &target(Some("tok"))).is_ok());
}

fn bound_claims(jkt: Option<String>) -> Claims {
    Claims {
        cnf: jkt.map(Confirmation::key_thumbprint),
        ..Claims::for_subject("u1")
    }
}

fn presented(proof: Result<String, &'static str>) -> Presented {
    Presented {
        proof,
        method: "GET".into(),
        uri: Some(URI.into()),
    }
}

#[test]
fn a_bound_token_needs_the_dpop_scheme_and_a_proof_by_its_key() {
    let dpop = Dpop::new(None);
    let key = ec_key();
    let jkt = key.thumbprint();
    let bound = |claims: Claims, presented: Option<&Presented>| {
        let mut result = Ok(claims);
        dpop.bound(&mut result, presented, "tok");
        result
    };
    let binding = |result: Result<Claims, AuthError>| match result {
        Err(AuthError::DpopBinding(_)) => {}
        other => panic!("expected a binding refusal, got {other:?}"),
    };
    binding(bound(bound_claims(jkt.clone()), None));
    let unbound_proof = presented(Ok(proof(&key, "GET", URI, Some("tok"))));
    binding(bound(bound_claims(None), Some(&unbound_proof)));
    assert!(bound(bound_claims(None), None).is_ok());

    let good = presented(Ok(proof(&key, "GET", URI, Some("tok"))));
    assert!(bound(bound_claims(jkt.clone()), Some(&good)).is_ok());
    let theirs = presented(Ok(proof(&other_ec_key(), "GET", URI, Some("tok"))));
    let refused = bound(bound_claims(jkt.clone()), Some(&theirs));
    assert_eq!(refused.unwrap_err().code(), "invalid_dpop_proof");
    let missing = presented(Err("no DPoP header was sent with the token"));
    let refused = bound(bound_claims(jkt), Some(&missing));
    assert_eq!(refused.unwrap_err().code(), "invalid_dpop_proof");
}
