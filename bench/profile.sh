#!/usr/bin/env bash
# Where a reference app spends its CPU under load: perf samples (cpu-clock, DWARF call graphs)
# of the app while wrk drives one route on 127.0.0.1. Bounded: a 3 s warm-up and DURATION
# seconds of sampling; the app is stopped at the end. Needs perf (Debian: linux-perf) and wrk.
#
#   bash bench/profile.sh [BINARY] [ROUTE]       default: bench-axum /protected
#   TOKENS=20000 bash bench/profile.sh            many users: distinct tokens in rotation, so
#                                                 the verifier's cache misses (default 1)
#   perf report -i target/profile/perf.data --children --sort symbol --stdio -g none | less
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-bench-axum}
route=${2:-/protected}
duration=${DURATION:-6}
for tool in perf wrk; do
    command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done

# Line tables make inlined frames readable; a separate target folder keeps the normal build.
CARGO_PROFILE_RELEASE_DEBUG=line-tables-only CARGO_TARGET_DIR=target/profile \
    cargo build --release -q -p tokengate-examples --bin "$binary"
work=$(mktemp -d)
TOKENGATE_ADDR=127.0.0.1:0 TOKENGATE_SECRET=load-test-secret-0123456789abcdef0123 \
TOKENGATE_ACCESS_TTL=86400 TOKENGATE_DATABASE_URL="sqlite://$work/profile.db" \
    "target/profile/release/$binary" > "$work/out" 2> "$work/err" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q '^listening on ' "$work/out" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/out")
case "$base" in http://127.0.0.1:*) ;; *) echo "the app did not start on loopback" >&2; exit 1;; esac
curl -sf -X POST "$base/signup" -H 'content-type: application/json' \
    -d '{"name":"Load","email":"load@example.com","password":"load-password"}' > /dev/null
token=$(curl -sf -X POST "$base/login" -u 'load@example.com:load-password' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

TOKEN=$token SECRET=load-test-secret-0123456789abcdef0123 COUNT=${TOKENS:-1} \
    python3 bench/mint-tokens.py > "$work/tokens"
export TOKENS_FILE="$work/tokens"
wrk -t1 -c32 -d3s -s bench/rotate-tokens.lua "$base$route" > /dev/null
perf record -q -F 2000 -e cpu-clock --call-graph dwarf,16384 -p "$pid" \
    -o target/profile/perf.data -- sleep "$duration" &
recorder=$!
wrk -t1 -c32 -d"${duration}s" -s bench/rotate-tokens.lua "$base$route" | grep 'Requests/sec'
wait $recorder || true
echo "profile: target/profile/perf.data"
