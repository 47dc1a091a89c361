//! What recording metrics costs the guard: one `Gate::decide` of a full verification (1024
//! distinct tokens in turn, so the verifier's cache never hits), with metrics and without,
//! side by side in one run. The issue's bar: at most 0.1 µs more per request.
//!
//! Run: `cargo bench -p tokengate --bench metrics`. Results: BENCHMARKS.md.

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::future::Future;
use std::hint::black_box;
use std::task::{Context, Poll, Waker};
use tokengate::gate::{HeaderValue, RequestView};
use tokengate::{Algorithm, Claims, Gate, Issuer, Key, Metrics, Verifier};

#[path = "support/fixtures.rs"]
#[allow(dead_code)]
mod fixtures;
use fixtures::{access_claims, SECRET};

const ROTATION: usize = 1024;

/// A request with one `Authorization` header.
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

fn bench_decide(c: &mut Criterion) {
    let key = Key::hmac(Algorithm::HS256, SECRET).unwrap();
    let issuer = Issuer::new(key.clone())
        .issuer("tokengate")
        .audience("tokengate");
    let verifier = || {
        Verifier::new(key.clone())
            .issuer("tokengate")
            .audience("tokengate")
    };
    let requests: Vec<Bearer> = (0..ROTATION)
        .map(|_| {
            Bearer(format!(
                "Bearer {}",
                issuer.issue(access_claims()).unwrap().token
            ))
        })
        .collect();
    let plain = Gate::new(verifier());
    let metrics = Metrics::new();
    let counted = Gate::builder(verifier()).metrics(metrics.clone()).build();
    let mut group = c.benchmark_group("decide/metrics");
    for (name, gate) in [("off", &plain), ("on", &counted)] {
        let mut next = requests.iter().cycle();
        group.bench_function(name, |b| {
            b.iter(|| {
                let verdict = gate.decide::<Claims>(black_box(next.next().unwrap()));
                let mut verdict = std::pin::pin!(verdict);
                let mut context = Context::from_waker(Waker::noop());
                match verdict.as_mut().poll(&mut context) {
                    Poll::Ready(claims) => claims.unwrap(),
                    Poll::Pending => unreachable!("a local key decides at once"),
                }
            })
        });
    }
    group.finish();
    // The counts are real: every decision above was recorded.
    assert!(metrics
        .render()
        .contains(r#"outcome="allowed",reason="ok""#));
}

criterion_group!(benches, bench_decide);
criterion_main!(benches);
