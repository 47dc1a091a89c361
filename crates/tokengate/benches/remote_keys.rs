//! RS256 and ES256 verification through a remote key set (a gate with a trusted issuer whose
//! JWKS was fetched once from a loopback server) beside the same tokens through a local
//! `Verifier` with the same public key, issuer and audience. No network on the measured path:
//! the keys are in memory before the first iteration.
//!
//! Run: `cargo bench -p tokengate --features remote-keys --bench remote_keys`.
//! Results and ratios: BENCHMARKS.md ("Remote keys vs local keys").

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::io::{Read, Write};
use std::net::TcpListener;

use criterion::{criterion_group, criterion_main, Criterion};
use tokengate::token::remote::{RemoteKeys, TrustedIssuers};
use tokengate::{Algorithm, Claims, Gate, Issuer, Key, NoExtra, Verifier};

#[path = "support/fixtures.rs"]
#[allow(dead_code)]
mod fixtures;
use fixtures::{access_claims, SECRET};

const PROVIDER: &str = "https://id.example";
const AUDIENCE: &str = "https://api.example";
/// Distinct tokens per benchmark: four times the verifier's cache slots, so every
/// verification in the rotation is a full one (signature included).
const ROTATION: usize = 256;

/// Serves `body` as JSON to each of `answers` connections on a loopback port, from a thread.
fn serve_jwks(body: String, answers: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(answers) {
            let mut stream = stream.unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Cache-Control: max-age=86400\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
        }
    });
    url
}

/// A gate whose own tokens are HS256 under another issuer, trusting `PROVIDER` with the keys
/// of `jwks`, loaded before it is returned.
fn trusted_gate(jwks: String) -> Gate {
    let url = serve_jwks(jwks, 1);
    let keys = RemoteKeys::from_jwks_url(url)
        .allow_insecure_http(true)
        .build()
        .unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(keys.refresh())
        .unwrap();
    let mut trusted = TrustedIssuers::new();
    trusted.insert(PROVIDER, keys);
    let own = Verifier::new(Key::hmac(Algorithm::HS256, SECRET).unwrap())
        .issuer("tokengate")
        .audience("tokengate");
    Gate::builder(own)
        .trusted_issuers(trusted, AUDIENCE)
        .build()
}

fn bench_remote_vs_local(c: &mut Criterion) {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
    let read = |name: &str| std::fs::read(format!("{fixtures}{name}")).unwrap();
    for (alg, private, public) in [
        (Algorithm::RS256, "rsa_private.pem", "rsa_public.pem"),
        (Algorithm::ES256, "ec_private.pem", "ec_public.pem"),
    ] {
        let kid = "provider-key-1";
        let signing = Key::from_private_pem(alg, &read(private))
            .unwrap()
            .with_kid(kid);
        let jwks = serde_json::json!({"keys": [signing.public_jwk().unwrap()]}).to_string();
        let issuer = Issuer::new(signing).issuer(PROVIDER).audience(AUDIENCE);
        let tokens: Vec<String> = (0..ROTATION)
            .map(|_| issuer.issue(access_claims()).unwrap().token)
            .collect();

        let local = Verifier::new(
            Key::from_public_pem(alg, &read(public))
                .unwrap()
                .with_kid(kid),
        )
        .issuer(PROVIDER)
        .audience(AUDIENCE);
        let remote = trusted_gate(jwks);
        // Both accept every token (and the remote one through the trusted issuer).
        for token in &tokens {
            let a: Claims = local.verify(token).unwrap();
            let b: Claims = remote.verify(token).unwrap();
            assert!(a.iss == b.iss && remote.trusts(b.iss.as_deref()));
        }

        let mut group = c.benchmark_group(format!("remote_keys/{}", alg.as_str()));
        let mut next = tokens.iter().cycle();
        group.bench_function("local", |b| {
            b.iter(|| {
                local
                    .verify::<NoExtra>(black_box(next.next().unwrap()))
                    .unwrap()
            })
        });
        let mut next = tokens.iter().cycle();
        group.bench_function("remote", |b| {
            b.iter(|| {
                remote
                    .verify::<NoExtra>(black_box(next.next().unwrap()))
                    .unwrap()
            })
        });
        // The same token every time: the per-thread cache hit, where everything but the
        // signature check is what is left to compare.
        let repeated = &tokens[0];
        group.bench_function("local_repeated", |b| {
            b.iter(|| local.verify::<NoExtra>(black_box(repeated)).unwrap())
        });
        group.bench_function("remote_repeated", |b| {
            b.iter(|| remote.verify::<NoExtra>(black_box(repeated)).unwrap())
        });
        group.finish();
    }
}

criterion_group!(benches, bench_remote_vs_local);
criterion_main!(benches);
