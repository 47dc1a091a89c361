#!/usr/bin/env bash
# A login flood against a reference app on SQLite: CONNECTIONS clients (default 64) post
# /login with correct passwords for DURATION seconds (default 10), on loopback. Reports
# logins/s (and per core), answers by status (503 = shed, with Retry-After), and the app's
# resident memory idle, at its peak (VmHWM) and at the end, with the anonymous part
# (RssAnon) beside it. Bounded and self-stopping; the app is killed at the end.
#
#   bash bench/login-flood.sh [APP] [EXECUTABLE]
#   APP         a tokengate-examples binary (default app-axum), built in release
#   EXECUTABLE  run this file instead (e.g. an older build, for a before/after comparison)
# Environment: DURATION, CONNECTIONS, USERS (accounts logged into in turn, default 8),
# plus any TOKENGATE_ARGON2_* to try other parameters.
set -euo pipefail
cd "$(dirname "$0")/.."
app=${1:-app-axum}
executable=${2:-}
duration=${DURATION:-10}
connections=${CONNECTIONS:-64}
users=${USERS:-8}
for tool in wrk curl; do
    command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install $tool)" >&2; exit 1; }
done
if [ -z "$executable" ]; then
    cargo build --release -q -p tokengate-examples --bin "$app"
    executable=target/release/$app
fi
work=$(mktemp -d)
pid=""
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
TOKENGATE_ADDR=127.0.0.1:0 TOKENGATE_SECRET=flood-test-secret-0123456789abcdef0123 \
TOKENGATE_DATABASE_URL="sqlite://$work/flood.db" RUST_LOG=warn "$executable" > "$work/out" 2> "$work/err" &
pid=$!
for _ in $(seq 1 100); do grep -qs '^listening on ' "$work/out" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/out")
case "$base" in http://127.0.0.1:*) ;; *) echo "$app did not start on loopback" >&2; cat "$work/err" >&2; exit 1;; esac
kib() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$pid/status"; }
idle=$(kib VmRSS)
idle_anon=$(kib RssAnon)
for n in $(seq 0 $((users - 1))); do
    curl -sf -X POST "$base/signup" -H 'content-type: application/json' \
        -d "{\"name\":\"Flood\",\"email\":\"flood$n@example.com\",\"password\":\"flood-password-1\"}" > /dev/null
done
ticks=$(getconf CLK_TCK)
cpu_before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
out=$(USERS=$users wrk -t2 -c"$connections" -d"${duration}s" --timeout 30s -s bench/login-flood.lua "$base/login")
cpu_after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
requests=$(echo "$out" | awk '/requests in/ {print $1}')
non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
served=$((requests - ${non2xx:-0}))
cpu_s=$(echo "($cpu_after - $cpu_before) / $ticks" | bc -l)
cores=$(nproc)
printf '%s: %d clients, %d s: %d logins served (%.1f/s, %.1f/s per core of CPU used), %d refused (503)\n' \
    "$app" "$connections" "$duration" "$served" "$(echo "$served / $duration" | bc -l)" \
    "$(echo "$served / $cpu_s" | bc -l)" "${non2xx:-0}"
echo "$out" | awk '/Latency/ {print "  latency avg " $2 ", stdev " $3 ", max " $4}'
printf '  resident: idle %d KiB, peak %d KiB, end %d KiB (anonymous: idle %d KiB, end %d KiB); %d cores\n' \
    "$idle" "$(kib VmHWM)" "$(kib VmRSS)" "$idle_anon" "$(kib RssAnon)" "$cores"
