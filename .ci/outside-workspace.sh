#!/usr/bin/env bash
# A newcomer's app, outside the workspace: the packaged core and axum adapter (the .crate files
# crates.io would get), a Cargo.toml with the README's lines, and the crate README's program.
# Checks that the default features compile no PostgreSQL crate (and `postgres` does), that the
# app builds, that a refused setting stops it with one line and status 2, and that it serves.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

cargo package --quiet --no-verify --allow-dirty -p tokengate -p tokengate-axum
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for crate in tokengate tokengate-axum; do
    tar -xzf "target/package/$crate-$version.crate" -C "$work"
done

mkdir -p "$work/app/src"
cat >"$work/app/Cargo.toml" <<EOF
[package]
name = "outside-app"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
tokengate-axum = "0.1"
axum = "0.8"
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }

[features]
postgres = ["tokengate-axum/postgres"]

# The packaged crates stand in for the published ones.
[patch.crates-io]
tokengate = { path = "../tokengate-$version" }
tokengate-axum = { path = "../tokengate-axum-$version" }

[profile.dev.package.argon2]
opt-level = 3
[profile.dev.package.blake2]
opt-level = 3
[profile.dev.package.sha2]
opt-level = 3

[workspace]
EOF
# The README's program, as a user copies it.
sed -n '/^```rust,no_run$/,/^```$/p' crates/tokengate-axum/README.md | sed '1d;$d' \
    >"$work/app/src/main.rs"
# The workspace's versions, so that the shared target folder has most crates built already.
cp Cargo.lock "$work/app/"
cd "$work/app"

postgres_crates() { cargo tree -e normal --prefix none "$@" | grep -c '^sqlx-postgres ' || true; }
default=$(postgres_crates)
with=$(postgres_crates --features postgres)
echo "sqlx-postgres in the tree: $default with the default features, $with with postgres"
if [ "$default" -ne 0 ] || [ "$with" -eq 0 ]; then
    echo "the default features must leave PostgreSQL out, and the postgres feature bring it" >&2
    exit 1
fi

CARGO_TARGET_DIR="$root/target" cargo build --quiet
app="$root/target/debug/outside-app"

status=0
TOKENGATE_SECRET=short "$app" 2>stderr.txt || status=$?
if [ "$status" -ne 2 ] || [ "$(grep -c . stderr.txt)" -ne 1 ] \
    || ! grep -q '^error: TOKENGATE_SECRET: ' stderr.txt; then
    echo "a short secret should stop it with one line and status 2; got $status:" >&2
    cat stderr.txt >&2
    exit 1
fi

port=$((20000 + RANDOM % 20000))
TOKENGATE_SECRET=0123456789abcdef0123456789abcdef TOKENGATE_ADDR="127.0.0.1:$port" \
    TOKENGATE_DATABASE_URL="sqlite://$work/app/app.db" "$app" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
    sleep 0.1
done
answer=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/hello")
signup=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/signup" \
    -H 'content-type: application/json' \
    -d '{"name":"Joe","email":"joe@example.com","password":"correct horse"}')
echo "outside app: /hello without a token $answer, /signup $signup"
[ "$answer" = 401 ] && [ "$signup" = 201 ]
