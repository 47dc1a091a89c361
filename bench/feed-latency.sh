#!/usr/bin/env bash
# How soon each verify-only example following the revocation feed refuses a logged-out
# token: tokengate serve and the example on loopback, TRIALS logouts (default 50) each; the
# p50/p90/p99/max delay from the logout's answer to the first refusal. Exits 1 if a p99
# passes one second. Debug builds (the harness's); bounded by TRIALS.
# Usage: bash bench/feed-latency.sh [TRIALS] [EXAMPLE…]
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-50}
shift || true
examples=("$@")
[ ${#examples[@]} -gt 0 ] || examples=(axum-verify-only actix-verify-only rocket-verify-only warp-verify-only)
cargo build --quiet -p tokengate-scenarios --bin feed_latency
status=0
for example in "${examples[@]}"; do
    target/debug/feed_latency "$example" "$trials" || status=1
done
exit $status
