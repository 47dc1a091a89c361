#!/usr/bin/env bash
# The guard's CPU per request with DPoP-bound tokens: an app (default app-axum) driven on
# /public and on /protected with the same headers (Authorization: DPoP TOKEN and a fresh
# single-use proof per request), back to back in each round; around each run the app's CPU
# time is read from /proc/PID/stat. The proofs are made before the rounds by
# bench/dpop-proofs.py (PyJWT and cryptography), COUNT per round, and must all be used within
# a minute of being made, so runs are short. 127.0.0.1 only; bounded: ROUNDS x 2 x DURATION s.
#
#   bash bench/dpop-load.sh [APP]
# Environment: ALG (ES256 or EdDSA, the client key; default ES256), COUNT (proofs per round,
# default 20000), ROUNDS (default 3), DURATION (s, default 2), CONNECTIONS (default 16),
# PYTHON (with PyJWT and cryptography; default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
app=${1:-app-axum}
alg=${ALG:-ES256}
count=${COUNT:-20000}
rounds=${ROUNDS:-3}
duration=${DURATION:-2}
connections=${CONNECTIONS:-16}
python=${PYTHON:-python3}
for tool in wrk curl bc; do
    command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done
"$python" -c 'import jwt, cryptography' || { echo "$python needs PyJWT and cryptography" >&2; exit 1; }
cargo build --release -q -p tokengate-examples --bin "$app"
ticks=$(getconf CLK_TCK)
work=$(mktemp -d)
pid=""
trap '[ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }; rm -rf "$work"' EXIT
TOKENGATE_ADDR=127.0.0.1:0 TOKENGATE_SECRET=load-test-secret-0123456789abcdef0123 \
TOKENGATE_DATABASE_URL="sqlite://$work/load.db" RUST_LOG=warn "target/release/$app" > "$work/out" 2> "$work/err" &
pid=$!
for _ in $(seq 1 100); do grep -qs '^listening on ' "$work/out" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/out")
case "$base" in http://127.0.0.1:*) ;; *) echo "$app did not start" >&2; cat "$work/err" >&2; exit 1;; esac
BASE=$base COUNT=$count ROUNDS=$rounds OUT="$work/proofs" ALG=$alg "$python" bench/dpop-proofs.py
cpu_ticks() { awk '{print $14, $14 + $15}' "/proc/$1/stat"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "app=$app alg=$alg proofs/round=$count duration=${duration}s rounds=$rounds connections=$connections"
declare -A cpu=() user=()
added=""
for round in $(seq 1 "$rounds"); do
    for route in /public /protected; do
        read -r user_before before < <(cpu_ticks "$pid")
        out=$(PROOFS_FILE="$work/proofs.$round" wrk -t1 -c"$connections" -d"${duration}s" \
            -s bench/dpop-proofs.lua "$base$route")
        read -r user_after after < <(cpu_ticks "$pid")
        requests=$(echo "$out" | awk '/requests in/ {print $1}')
        non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
        [ -z "$non2xx" ] || { echo "$route: $non2xx non-2xx answers (more requests than COUNT proofs?)" >&2; exit 1; }
        # Only the guarded route spends its proofs; the open one may cycle through them.
        [ "$route" = /public ] || [ "$requests" -le "$count" ] ||
            { echo "$route: $requests requests for $count proofs" >&2; exit 1; }
        us=$(echo "($after - $before) * 1000000 / $ticks / $requests" | bc -l)
        user_us=$(echo "($user_after - $user_before) * 1000000 / $ticks / $requests" | bc -l)
        cpu[$route]="${cpu[$route]:-} $us"
        user[$route]="${user[$route]:-} $user_us"
        printf 'round %d %-11s %8d requests  %7.2f us CPU/request (%6.2f user)\n' "$round" "$route" "$requests" "$us" "$user_us"
    done
    added="$added $(echo "$(echo "${cpu[/protected]}" | awk '{print $NF}') - $(echo "${cpu[/public]}" | awk '{print $NF}')" | bc -l)"
done
for route in /public /protected; do
    printf '%-11s median %7.2f us CPU/request (%6.2f user)\n' "$route" "$(echo "${cpu[$route]}" | median)" "$(echo "${user[$route]}" | median)"
done
printf 'DPoP guard: added CPU per request over /public, median of per-round differences %.2f us\n' "$(echo "$added" | median)"
