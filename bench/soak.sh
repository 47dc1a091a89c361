#!/usr/bin/env bash
# Soak: each app on PostgreSQL under a mixed load (64 connections; ~80% /protected,
# 9% /cs-token, 5% /login, 5% /refresh, 1% /signup) for SECONDS (default 60), on loopback.
# Prints per-route counts and p50/p99, non-2xx by status, resident memory at 20 s and at the
# end, and whether every account created still logs in; exits 1 on a 5xx, an unexpected
# status or a lost account.
# Usage: TOKENGATE_TEST_POSTGRES_URL=postgres://… bash bench/soak.sh [SECONDS] [APP…]
# (apps: app-axum app-actix app-rocket app-warp tokengate; default all five).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
apps=("$@")
[ ${#apps[@]} -gt 0 ] || apps=(app-axum app-actix app-rocket app-warp tokengate)
cargo build --quiet -p tokengate-scenarios --bin soak
status=0
for app in "${apps[@]}"; do
    echo "=== $app"
    target/debug/soak "$app" "$seconds" || status=1
done
exit $status
