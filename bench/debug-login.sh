#!/usr/bin/env bash
# What the READMEs' dev-profile block buys: the copy-me axum app in a debug build with Argon2,
# BLAKE2 and SHA-2 optimized (this workspace's profile, the READMEs' lines) and without (opt-level
# 0, as an app without the lines builds them), the two run side by side on loopback. Prints the
# median time of 7 logins per round, for ROUNDS rounds (default 3), alternating the builds.
# Usage: bash bench/debug-login.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

build() { # NAME [CARGO ARGS...]
    local name=$1
    shift
    cargo build --quiet -p tokengate-examples --bin axum-existing-app "$@"
    cp target/debug/axum-existing-app "$work/$name"
}
build unoptimized --config 'profile.dev.package.argon2.opt-level=0' \
    --config 'profile.dev.package.blake2.opt-level=0' \
    --config 'profile.dev.package.sha2.opt-level=0'
build optimized # last, so that target/ holds the workspace's own build again

median_login() { # BINARY PORT
    local dir
    dir=$(mktemp -d -p "$work")
    TOKENGATE_SECRET=0123456789abcdef0123456789abcdef TOKENGATE_ADDR="127.0.0.1:$2" \
        TOKENGATE_DATABASE_URL="sqlite://$dir/t.db" "$1" >/dev/null 2>&1 &
    local server=$!
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$2/healthz" && break
        sleep 0.1
    done
    curl -s -o /dev/null -X POST "http://127.0.0.1:$2/signup" -H 'content-type: application/json' \
        -d '{"name":"Joe","email":"joe@example.com","password":"correct horse"}'
    for _ in $(seq 7); do
        curl -s -o /dev/null -w '%{time_total}\n' -X POST "http://127.0.0.1:$2/login" \
            -u 'joe@example.com:correct horse'
    done | sort -n | sed -n 4p
    kill "$server"
    wait "$server" 2>/dev/null || true
}

port=$((20000 + RANDOM % 20000))
for round in $(seq "$rounds"); do
    printf 'round %d: optimized %s s, unoptimized %s s\n' "$round" \
        "$(median_login "$work/optimized" "$port")" "$(median_login "$work/unoptimized" "$((port + 1))")"
done
