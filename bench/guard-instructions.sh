#!/usr/bin/env bash
# What each adapter's guard adds per request, in instructions (Valgrind's callgrind), which do
# not drift with this machine's load the way CPU time does. In process, no sockets: the
# `guard-instructions` binary drives N requests with distinct valid tokens (so every one is
# a full verification) through a router with `/public` and `/protected` (`Authenticated`).
# Each route runs with N=200 and N=1200; the difference of the two counts over 1000 requests
# leaves out start-up and token minting, and /protected minus /public is the guard's
# addition. Needs valgrind. About ten seconds once built.
#
#   bash bench/guard-instructions.sh [FRAMEWORKS]     default: "axum actix rocket warp"
#
# Under Valgrind SHA-256 runs in software (about 17 700 instructions for an access token's
# HMAC, natively about 0.2 µs with the SHA extensions), so the counts weigh the HMAC far
# more than the CPU does; compare adapters with each other and with runs of other commits.
set -euo pipefail
cd "$(dirname "$0")/.."
frameworks=${1:-"axum actix rocket warp"}
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
cargo build --release -q -p tokengate-examples --features testing --bin guard-instructions
binary=target/release/guard-instructions
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Instructions of one run: callgrind's total.
count() {
    valgrind --tool=callgrind --callgrind-out-file="$work/out" "$binary" "$@" > /dev/null 2>&1 ||
        { echo "guard-instructions $* failed" >&2; "$binary" "$@"; exit 1; }
    awk '/^(summary|totals):/ {print $2; exit}' "$work/out"
}

# Instructions per request on one route, start-up and minting left out.
per_request() {
    local small large
    small=$(count "$1" "$2" 200)
    large=$(count "$1" "$2" 1200)
    echo $(((large - small) / 1000))
}

printf '%-8s %28s\n' adapter 'guard adds, per request'
for framework in $frameworks; do
    public=$(per_request "$framework" /public)
    protected=$(per_request "$framework" /protected)
    printf '%-8s %22d instructions\n' "$framework" $((protected - public))
done
