//! Only the benchmark in `benches/` matters; see Cargo.toml.
