//! What a DPoP proof costs per request, per algorithm: tokengate's whole check of one proof
//! (header, key from its JWK, signature, claims, thumbprint, replay cache) beside
//! `jsonwebtoken` doing the same signature work (the key from the JWK, then `decode` of the
//! proof). Every proof is checked once, against a fresh replay cache.
//!
//! Run: `cargo bench -p tokengate --bench dpop`. Results: BENCHMARKS.md ("DPoP proofs").

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::hint::black_box;
use tokengate::gate::dpop::{Dpop, ProofTarget};
use tokengate::{Algorithm, Key};

const URI: &str = "https://api.example.com/notes";
const TOKEN: &str = "an-access-token";
/// Distinct proofs per algorithm, used in turn.
const PROOFS: usize = 256;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// `PROOFS` proofs by `key`, each with its own `jti`, and the key's public JWK.
fn proofs(key: &Key) -> (Vec<String>, Value) {
    let mut jwk = serde_json::to_value(key.public_jwk().unwrap()).unwrap();
    jwk.as_object_mut()
        .unwrap()
        .retain(|name, _| ["kty", "crv", "x", "y", "n", "e"].contains(&name.as_str()));
    let header = json!({"typ": "dpop+jwt", "alg": key.algorithm().as_str(), "jwk": jwk});
    let ath = URL_SAFE_NO_PAD.encode(Sha256::digest(TOKEN.as_bytes()));
    let proofs = (0..PROOFS)
        .map(|n| {
            let claims = json!({
                "htm": "GET", "htu": URI, "iat": tokengate::token::unix_now(),
                "jti": format!("proof-{n}"), "ath": ath,
            });
            let input = format!("{}.{}", b64(&header), b64(&claims));
            format!("{input}.{}", key.sign(input.as_bytes()).unwrap())
        })
        .collect();
    (proofs, jwk)
}

fn bench_dpop(c: &mut Criterion) {
    let keys = [
        (Algorithm::ES256, "ec_private.pem"),
        (Algorithm::ES384, "ec384_private.pem"),
        (Algorithm::EdDSA, "ed_private.pem"),
        (Algorithm::RS256, "rsa_private.pem"),
        (Algorithm::PS256, "rsa_private.pem"),
    ];
    let target = ProofTarget {
        method: "GET",
        uri: URI,
        access_token: Some(TOKEN),
    };
    for (alg, pem) in keys {
        let key = Key::from_private_pem(alg, &fixture(pem)).unwrap();
        let (proofs, jwk) = proofs(&key);
        let mut group = c.benchmark_group(format!("dpop/{}", alg.as_str()));
        let mut next = proofs.iter().cycle();
        group.bench_function("tokengate", |b| {
            b.iter_batched(
                || (Dpop::new(None), next.next().unwrap()),
                |(dpop, proof)| dpop.check_proof(black_box(proof), &target).unwrap(),
                BatchSize::SmallInput,
            )
        });
        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwk).unwrap();
        let mut validation = jsonwebtoken::Validation::new(alg.as_str().parse().unwrap());
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_aud = false;
        let mut next = proofs.iter().cycle();
        group.bench_function("jsonwebtoken", |b| {
            b.iter(|| {
                let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
                jsonwebtoken::decode::<Value>(black_box(next.next().unwrap()), &key, &validation)
                    .unwrap()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench_dpop);
criterion_main!(benches);
