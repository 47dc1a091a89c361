//! Issue and verify, beside raw `jsonwebtoken` doing the same work with the same rules, and
//! the bare pre-keyed HMAC-SHA256 over the signing input (the floor).
//!
//! Run: `cargo bench -p tokengate --bench verify`. Results and ratios: BENCHMARKS.md.

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use hmac::{Hmac, Mac};
use jsonwebtoken::{DecodingKey, EncodingKey, Header};
use sha2::Sha256;
use std::hint::black_box;
use tokengate::ckeditor::CkeditorTokens;
use tokengate::{Algorithm, Claims, Issuer, Key, NoExtra, Verifier};

#[path = "support/fixtures.rs"]
mod fixtures;
use fixtures::{access_claims, ckeditor_principal, raw_validation, ENVIRONMENT, SECRET};

/// Distinct tokens per benchmark: sixteen times the verifier's cache slots.
const ROTATION: usize = 1024;

fn bench_verify(c: &mut Criterion) {
    let key = Key::hmac(Algorithm::HS256, SECRET).unwrap();
    let issuer = Issuer::new(key.clone())
        .issuer("tokengate")
        .audience("tokengate");
    let verifier = Verifier::new(key).issuer("tokengate").audience("tokengate");
    let raw_key = DecodingKey::from_secret(SECRET);
    let mac = Hmac::<Sha256>::new_from_slice(SECRET).unwrap();

    // More distinct tokens than the verifier's per-thread cache has slots, used in turn, so
    // every verification below is a full one; `repeated` measures the cache hit.
    let access_tokens: Vec<String> = (0..ROTATION)
        .map(|_| issuer.issue(access_claims()).unwrap().token)
        .collect();
    let raw_access = raw_validation("tokengate", Some("tokengate"));
    let cs_issuer = CkeditorTokens::new(ENVIRONMENT, SECRET).unwrap();
    let cs_tokens: Vec<String> = (0..ROTATION)
        .map(|_| cs_issuer.issue(&ckeditor_principal()).unwrap().token)
        .collect();
    let cs_verifier =
        Verifier::new(Key::hmac(Algorithm::HS256, SECRET).unwrap()).audience(ENVIRONMENT);
    let raw_cs = raw_validation(ENVIRONMENT, None);

    for (name, tokens, ours, raw) in [
        ("access", &access_tokens, &verifier, &raw_access),
        ("ckeditor", &cs_tokens, &cs_verifier, &raw_cs),
    ] {
        let mut group = c.benchmark_group(format!("verify/{name}"));
        let mut next = tokens.iter().cycle();
        group.bench_function("tokengate", |b| {
            b.iter(|| {
                ours.verify::<NoExtra>(black_box(next.next().unwrap()))
                    .unwrap()
            })
        });
        let mut next = tokens.iter().cycle();
        group.bench_function("jsonwebtoken", |b| {
            b.iter(|| {
                jsonwebtoken::decode::<Claims>(black_box(next.next().unwrap()), &raw_key, raw)
                    .unwrap()
            })
        });
        let repeated = &tokens[0];
        group.bench_function("tokengate_repeated", |b| {
            b.iter(|| ours.verify::<NoExtra>(black_box(repeated)).unwrap())
        });
        let signing_input = &repeated[..repeated.rfind('.').unwrap()];
        group.bench_function("hmac_only", |b| {
            b.iter(|| {
                let mut mac = mac.clone();
                mac.update(black_box(signing_input.as_bytes()));
                mac.finalize()
            })
        });
        group.finish();
    }
}

fn bench_issue(c: &mut Criterion) {
    let key = Key::hmac(Algorithm::HS256, SECRET).unwrap();
    let issuer = Issuer::new(key).issuer("tokengate").audience("tokengate");
    let raw_key = EncodingKey::from_secret(SECRET);
    let header = Header::new(jsonwebtoken::Algorithm::HS256);
    let now = tokengate::token::unix_now();
    // The raw side gets the same claims, already complete, so it does strictly less work.
    let complete = Claims {
        iss: Some("tokengate".into()),
        aud: Some("tokengate".into()),
        iat: Some(now),
        exp: Some(now + 900),
        jti: Some(tokengate::token::random_id()),
        ..access_claims()
    };

    let mut group = c.benchmark_group("issue/access");
    group.bench_function("tokengate", |b| {
        b.iter(|| issuer.issue(black_box(access_claims())).unwrap())
    });
    group.bench_function("jsonwebtoken", |b| {
        b.iter(|| {
            let claims = Claims {
                jti: Some(tokengate::token::random_id()),
                ..black_box(complete.clone())
            };
            jsonwebtoken::encode(&header, &claims, &raw_key).unwrap()
        })
    });
    group.finish();

    let cs = CkeditorTokens::new(ENVIRONMENT, SECRET).unwrap();
    let principal = ckeditor_principal();
    let mut group = c.benchmark_group("issue/ckeditor");
    group.bench_function("tokengate", |b| {
        b.iter(|| cs.issue(black_box(&principal)).unwrap())
    });
    group.bench_function("jsonwebtoken", |b| {
        b.iter(|| {
            let claims: Claims = Claims {
                aud: Some(ENVIRONMENT.into()),
                iat: Some(now),
                exp: Some(now + 3600),
                jti: Some(tokengate::token::random_id()),
                sub: Some(principal.id.clone()),
                user: Some(principal.user.clone()),
                auth: Some(principal.auth.clone()),
                ..Claims::default()
            };
            jsonwebtoken::encode(&header, black_box(&claims), &raw_key).unwrap()
        })
    });
    group.finish();
}

/// Asymmetric keys: full verifications (a rotation of distinct tokens, as above) of an access
/// token signed RS256 (2048-bit), PS256, ES256 and EdDSA, tokengate beside raw jsonwebtoken
/// with the same public key, rules and claims type. Both use jsonwebtoken's `rust_crypto`
/// backend for the signature, so the difference is everything around it.
fn bench_asymmetric(c: &mut Criterion) {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
    let read = |name: &str| std::fs::read(format!("{fixtures}{name}")).unwrap();
    let raw_validation = |alg: jsonwebtoken::Algorithm| {
        let mut validation = raw_validation("tokengate", Some("tokengate"));
        validation.algorithms = vec![alg];
        validation
    };
    for (alg, private, public) in [
        (Algorithm::RS256, "rsa_private.pem", "rsa_public.pem"),
        (Algorithm::PS256, "rsa_private.pem", "rsa_public.pem"),
        (Algorithm::ES256, "ec_private.pem", "ec_public.pem"),
        (Algorithm::EdDSA, "ed_private.pem", "ed_public.pem"),
    ] {
        let signing = Key::from_private_pem(alg, &read(private)).unwrap();
        let issuer = Issuer::new(signing)
            .issuer("tokengate")
            .audience("tokengate");
        // Fewer distinct tokens than above (RSA signing is slow), still four times the slots.
        let tokens: Vec<String> = (0..256)
            .map(|_| issuer.issue(access_claims()).unwrap().token)
            .collect();
        let verifier = Verifier::new(Key::from_public_pem(alg, &read(public)).unwrap())
            .issuer("tokengate")
            .audience("tokengate");
        let public_pem = read(public);
        let (raw_key, raw_alg) = match alg {
            Algorithm::RS256 => (
                DecodingKey::from_rsa_pem(&public_pem).unwrap(),
                jsonwebtoken::Algorithm::RS256,
            ),
            Algorithm::PS256 => (
                DecodingKey::from_rsa_pem(&public_pem).unwrap(),
                jsonwebtoken::Algorithm::PS256,
            ),
            Algorithm::ES256 => (
                DecodingKey::from_ec_pem(&public_pem).unwrap(),
                jsonwebtoken::Algorithm::ES256,
            ),
            _ => (
                DecodingKey::from_ed_pem(&public_pem).unwrap(),
                jsonwebtoken::Algorithm::EdDSA,
            ),
        };
        let raw = raw_validation(raw_alg);
        let mut group = c.benchmark_group(format!("verify/{}", alg.as_str()));
        let mut next = tokens.iter().cycle();
        group.bench_function("tokengate", |b| {
            b.iter(|| {
                verifier
                    .verify::<NoExtra>(black_box(next.next().unwrap()))
                    .unwrap()
            })
        });
        let mut next = tokens.iter().cycle();
        group.bench_function("jsonwebtoken", |b| {
            b.iter(|| {
                jsonwebtoken::decode::<Claims>(black_box(next.next().unwrap()), &raw_key, &raw)
                    .unwrap()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench_verify, bench_issue, bench_asymmetric);
criterion_main!(benches);
