//! One password check on one hashing worker, for each of OWASP's Argon2id options: how many
//! logins a core can check per second at each cost (the sizing table of docs/accounts.md).
//!
//! Run: `cargo bench -p tokengate --bench argon2`. Results: BENCHMARKS.md.

// criterion_group! generates undocumented items.
#![allow(missing_docs)]

use std::num::NonZeroUsize;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use tokengate::service::accounts::{Argon2Params, PasswordCheck, PasswordHasher};

/// OWASP's Argon2id options (memory in KiB, iterations), strongest memory first.
const OWASP_OPTIONS: [(u32, u32); 5] = [
    (47_104, 1),
    (19_456, 2),
    (12_288, 3),
    (9_216, 4),
    (7_168, 5),
];

fn bench_argon2(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("argon2id check on one worker");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(4));
    for (memory, iterations) in OWASP_OPTIONS {
        let params = Argon2Params::new(memory, iterations, 1, None).unwrap();
        let hasher = PasswordHasher::new(params).workers(NonZeroUsize::MIN);
        let phc = runtime
            .block_on(hasher.hash("a password of some length".into()))
            .unwrap();
        group.bench_function(format!("m={memory} t={iterations}"), |b| {
            b.iter(|| {
                let check = runtime
                    .block_on(hasher.verify("a password of some length".into(), Some(phc.clone())));
                assert_eq!(check, Ok(PasswordCheck::Matches { rehashed: None }));
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_argon2);
criterion_main!(benches);
