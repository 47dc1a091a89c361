//! Instruction counts (Valgrind's callgrind, through gungraun) of issuing and verifying
//! tokens, tokengate beside raw `jsonwebtoken` doing the same work with the same rules:
//! HS256; `exp` and `aud` required, and `iss` for the access token; `nbf` validated; the
//! same typed claims struct. The same tokens and claims as `crates/tokengate/benches/verify.rs`.
//!
//! Every verify benchmark checks `TOKENS` distinct tokens, all new to the verifier's
//! per-thread cache (which starts empty in the benchmark's process): full verifications,
//! what a server with many users does. Counts are per benchmark run, so per token divide by
//! `TOKENS`; `.ci/instructions.sh` prints the ratios and gates on them.
//!
//! Run: `bash .ci/instructions.sh` (or `cargo bench` in this folder with gungraun-runner
//! installed at the same version as the `gungraun` dependency).

use gungraun::{library_benchmark, library_benchmark_group, main};
use hmac::{Hmac, Mac};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use sha2::Sha256;
use std::hint::black_box;
use tokengate::ckeditor::{CkeditorTokens, CsPrincipal};
use tokengate::{Algorithm, Claims, Issuer, Key, NoExtra, Verifier};

#[path = "../../../crates/tokengate/benches/support/fixtures.rs"]
mod fixtures;
use fixtures::{access_claims, ckeditor_principal, raw_validation, ENVIRONMENT, SECRET};

/// Tokens (or issues) per benchmark run.
const TOKENS: usize = 200;

fn key() -> Key {
    Key::hmac(Algorithm::HS256, SECRET).unwrap()
}

fn access_tokens() -> Vec<String> {
    let issuer = Issuer::new(key()).issuer("tokengate").audience("tokengate");
    (0..TOKENS)
        .map(|_| issuer.issue(access_claims()).unwrap().token)
        .collect()
}

fn ckeditor_tokens() -> Vec<String> {
    let issuer = CkeditorTokens::new(ENVIRONMENT, SECRET).unwrap();
    (0..TOKENS)
        .map(|_| issuer.issue(&ckeditor_principal()).unwrap().token)
        .collect()
}

// Setup: everything a server does once (keys, verifier, validation), then the tokens.

fn ours_access() -> (Verifier, Vec<String>) {
    let verifier = Verifier::new(key())
        .issuer("tokengate")
        .audience("tokengate");
    (verifier, access_tokens())
}

fn ours_ckeditor() -> (Verifier, Vec<String>) {
    (
        Verifier::new(key()).audience(ENVIRONMENT),
        ckeditor_tokens(),
    )
}

fn raw_access() -> (DecodingKey, Validation, Vec<String>) {
    let validation = raw_validation("tokengate", Some("tokengate"));
    (
        DecodingKey::from_secret(SECRET),
        validation,
        access_tokens(),
    )
}

fn raw_ckeditor() -> (DecodingKey, Validation, Vec<String>) {
    let validation = raw_validation(ENVIRONMENT, None);
    (
        DecodingKey::from_secret(SECRET),
        validation,
        ckeditor_tokens(),
    )
}

fn hmac_inputs(tokens: Vec<String>) -> (Hmac<Sha256>, Vec<String>) {
    let mac = Hmac::<Sha256>::new_from_slice(SECRET).unwrap();
    let inputs = tokens
        .into_iter()
        .map(|t| t[..t.rfind('.').unwrap()].to_owned())
        .collect();
    (mac, inputs)
}

fn hmac_access() -> (Hmac<Sha256>, Vec<String>) {
    hmac_inputs(access_tokens())
}

fn hmac_ckeditor() -> (Hmac<Sha256>, Vec<String>) {
    hmac_inputs(ckeditor_tokens())
}

#[library_benchmark]
#[bench::access(setup = ours_access)]
#[bench::ckeditor(setup = ours_ckeditor)]
fn verify_tokengate(input: (Verifier, Vec<String>)) -> usize {
    let (verifier, tokens) = input;
    let mut ok = 0;
    for token in &tokens {
        let claims = verifier.verify::<NoExtra>(black_box(token)).unwrap();
        ok += usize::from(black_box(claims).exp.is_some());
    }
    ok
}

#[library_benchmark]
#[bench::access(setup = raw_access)]
#[bench::ckeditor(setup = raw_ckeditor)]
fn verify_jsonwebtoken(input: (DecodingKey, Validation, Vec<String>)) -> usize {
    let (key, validation, tokens) = input;
    let mut ok = 0;
    for token in &tokens {
        let data = jsonwebtoken::decode::<Claims>(black_box(token), &key, &validation).unwrap();
        ok += usize::from(black_box(data).claims.exp.is_some());
    }
    ok
}

// The floor: the pre-keyed HMAC-SHA256 over each token's signing input, nothing else.
#[library_benchmark]
#[bench::access(setup = hmac_access)]
#[bench::ckeditor(setup = hmac_ckeditor)]
fn verify_hmac_only(input: (Hmac<Sha256>, Vec<String>)) -> usize {
    let (mac, inputs) = input;
    let mut ok = 0;
    for signing_input in &inputs {
        let mut mac = mac.clone();
        mac.update(black_box(signing_input.as_bytes()));
        ok += usize::from(black_box(mac.finalize().into_bytes())[0] != 1);
    }
    ok
}

fn ours_issuer() -> Issuer {
    Issuer::new(key()).issuer("tokengate").audience("tokengate")
}

fn ours_cs_issuer() -> (CkeditorTokens, CsPrincipal) {
    (
        CkeditorTokens::new(ENVIRONMENT, SECRET).unwrap(),
        ckeditor_principal(),
    )
}

#[library_benchmark]
#[bench::access(setup = ours_issuer)]
fn issue_access_tokengate(issuer: Issuer) -> usize {
    let mut len = 0;
    for _ in 0..TOKENS {
        len += issuer
            .issue(black_box(access_claims()))
            .unwrap()
            .token
            .len();
    }
    len
}

#[library_benchmark]
#[bench::ckeditor(setup = ours_cs_issuer)]
fn issue_ckeditor_tokengate(input: (CkeditorTokens, CsPrincipal)) -> usize {
    let (issuer, principal) = input;
    let mut len = 0;
    for _ in 0..TOKENS {
        len += issuer.issue(black_box(&principal)).unwrap().token.len();
    }
    len
}

fn raw_encoder() -> (EncodingKey, Header, u64) {
    (
        EncodingKey::from_secret(SECRET),
        Header::new(jsonwebtoken::Algorithm::HS256),
        tokengate::token::unix_now(),
    )
}

// The raw side gets the claims already complete (only a fresh `jti` each), so it does
// strictly less work than tokengate, which fills `iss`, `aud`, `iat`, `exp` and `jti`.
#[library_benchmark]
#[bench::access(setup = raw_encoder)]
fn issue_access_jsonwebtoken(input: (EncodingKey, Header, u64)) -> usize {
    let (key, header, now) = input;
    let complete = Claims {
        iss: Some("tokengate".into()),
        aud: Some("tokengate".into()),
        iat: Some(now),
        exp: Some(now + 900),
        ..access_claims()
    };
    let mut len = 0;
    for _ in 0..TOKENS {
        let claims = Claims {
            jti: Some(tokengate::token::random_id()),
            ..black_box(complete.clone())
        };
        len += jsonwebtoken::encode(&header, &claims, &key).unwrap().len();
    }
    len
}

#[library_benchmark]
#[bench::ckeditor(setup = raw_encoder)]
fn issue_ckeditor_jsonwebtoken(input: (EncodingKey, Header, u64)) -> usize {
    let (key, header, now) = input;
    let principal = ckeditor_principal();
    let mut len = 0;
    for _ in 0..TOKENS {
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
        len += jsonwebtoken::encode(&header, black_box(&claims), &key)
            .unwrap()
            .len();
    }
    len
}

library_benchmark_group!(
    name = verify;
    benchmarks = verify_tokengate, verify_jsonwebtoken, verify_hmac_only
);

library_benchmark_group!(
    name = issue;
    benchmarks =
        issue_access_tokengate,
        issue_access_jsonwebtoken,
        issue_ckeditor_tokengate,
        issue_ckeditor_jsonwebtoken
);

main!(library_benchmark_groups = verify, issue);
