#!/usr/bin/env bash
# Clean build time of an axum app that only verifies tokens (tokengate-axum with
# default-features = false) against one that runs the account service over SQLite (the
# defaults) and one over SQLite and PostgreSQL, as a user's own crate outside this workspace
# would build them: each in a fresh target folder,
# with this workspace's Cargo.lock so that both use the same versions.
# Usage: bash bench/build-time.sh [PROFILE]   (PROFILE: dev, the default, or release)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
profile=${1:-dev}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

app() { # NAME FEATURES SOURCE
    mkdir -p "$work/$1/src"
    cp "$root/examples/src/bin/$3.rs" "$work/$1/src/main.rs"
    cp "$root/Cargo.lock" "$work/$1/"
    cat >"$work/$1/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
tokengate-axum = { path = "$root/crates/tokengate-axum", default-features = false$2 }
axum = "0.8"
tokio = { version = "1", features = ["rt-multi-thread", "macros", "net"] }

[workspace]
TOML
}
app verify-only "" axum-verify-only
app sqlite ', features = ["sqlite"]' axum-existing-app
app sqlite-postgres ', features = ["sqlite", "postgres"]' axum-existing-app

for name in verify-only sqlite sqlite-postgres; do
    (cd "$work/$name" && cargo fetch --quiet)
    start=$(date +%s.%N)
    (cd "$work/$name" && cargo build --quiet --profile "$profile")
    end=$(date +%s.%N)
    crates=$(cd "$work/$name" && cargo tree -e normal,build --prefix none | awk '{print $1" "$2}' | sort -u | wc -l)
    printf '%-16s %6.1f s  %4d crates (normal and build)\n' "$name" "$(echo "$end - $start" | bc)" "$crates"
done
