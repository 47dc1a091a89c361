//! The hand-written pieces of the guard's hot path against the crates they stand in for, side
//! by side in one run (docs: the number at the top of each piece's module comes from here).
//!
//!     cargo bench -p tokengate --bench hand_written
//!
//! The module under test is compiled from its own source file, so the bench measures the code
//! the verifier runs.

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

// The module's unit tests are compiled without their #[test] functions here.
#[allow(unused_imports)]
#[path = "../src/token/constant_time.rs"]
mod constant_time;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use subtle::ConstantTimeEq;

/// A thousand distinct inputs of `len` bytes, each compared with an equal copy (a match
/// compares every byte, the worst case and the cache's hit).
fn inputs(len: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
    (0..1000u32)
        .map(|i| {
            let bytes: Vec<u8> = format!("{i:0len$}").into_bytes();
            (bytes.clone(), bytes)
        })
        .collect()
}

fn compare(c: &mut Criterion) {
    // An HMAC-SHA256 tag (every full verification), and a remembered token against the
    // presented one (every hit of the per-thread cache of verified tokens).
    for (what, len) in [("a 32-byte HMAC tag", 32), ("a 300-byte token", 300)] {
        let inputs = inputs(len);
        let mut group = c.benchmark_group(format!("constant-time compare/{what}"));
        group.bench_function("tokengate", |b| {
            let mut at = 0;
            b.iter(|| {
                at += 1;
                let (x, y) = &inputs[at % inputs.len()];
                constant_time::constant_time_eq(black_box(x), black_box(y))
            })
        });
        group.bench_function("subtle", |b| {
            let mut at = 0;
            b.iter(|| {
                at += 1;
                let (x, y) = &inputs[at % inputs.len()];
                bool::from(black_box(&x[..]).ct_eq(black_box(&y[..])))
            })
        });
        group.finish();
    }
}

criterion_group!(benches, compare);
criterion_main!(benches);
