#!/usr/bin/env bash
# Throughput of a guarded route against the same app's unguarded route (and, for axum, a
# plain handler calling raw jsonwebtoken::decode), measured side by side with wrk on
# 127.0.0.1 only. Bounded: ROUNDS x routes x DURATION seconds; the app is stopped at the end.
#
#   bash bench/load.sh [BINARY] [ROUTES]
#   BINARY  a tokengate-examples binary (default bench-axum)
#   ROUTES  space-separated paths (default "/public /protected /raw")
# Environment: DURATION (s, default 10), ROUNDS (default 3), CONNECTIONS (default 32),
# THREADS (wrk threads, default 1), PIN=1 to run the app on CPU 0 and wrk on CPU 1 (taskset):
# on a two-core machine this stops them trading places and takes most of the run-to-run
# swing out; the app then has one worker thread.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-bench-axum}
routes=${2:-"/public /protected /raw"}
duration=${DURATION:-10}
rounds=${ROUNDS:-3}
connections=${CONNECTIONS:-32}
threads=${THREADS:-1}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

cargo build --release -q -p tokengate-examples --bin "$binary"
app_cpu=""
wrk_cpu=""
if [ "${PIN:-0}" = 1 ]; then
    app_cpu="taskset -c 0"
    wrk_cpu="taskset -c 1"
fi
work=$(mktemp -d)
secret=load-test-secret-0123456789abcdef0123
TOKENGATE_ADDR=127.0.0.1:0 TOKENGATE_SECRET=$secret TOKENGATE_ACCESS_TTL=86400 \
TOKENGATE_DATABASE_URL="sqlite://$work/load.db" \
    ${app_cpu} "target/release/$binary" > "$work/out" 2> "$work/err" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do grep -q '^listening on ' "$work/out" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/out")
case "$base" in http://127.0.0.1:*) ;; *) echo "the app did not start on loopback" >&2; cat "$work/err" >&2; exit 1;; esac

curl -sf -X POST "$base/signup" -H 'content-type: application/json' \
    -d '{"name":"Load","email":"load@example.com","password":"load-password"}' > /dev/null
token=$(curl -sf -X POST "$base/login" -u 'load@example.com:load-password' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

echo "binary=$binary duration=${duration}s rounds=$rounds connections=$connections wrk-threads=$threads pin=${PIN:-0}"
declare -A results
for round in $(seq 1 "$rounds"); do
    for route in $routes; do
        status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base$route")
        [ "$status" = 200 ] || { echo "$route answered $status" >&2; exit 1; }
        rps=$(${wrk_cpu} wrk -t"$threads" -c"$connections" -d"${duration}s" -H "Authorization: Bearer $token" "$base$route" |
            awk '/Requests\/sec/ {print $2}')
        results[$route]="${results[$route]:-} $rps"
        echo "round $round $route $rps req/s"
    done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
first_route=${routes%% *}
first_median=$(echo "${results[$first_route]}" | median)
read -r -a base_runs <<< "${results[$first_route]}"
for route in $routes; do
    m=$(echo "${results[$route]}" | median)
    # Each round measures the routes back to back, so a round's ratio is the least exposed to
    # the machine's drift between rounds; the median of those ratios is the figure to quote.
    read -r -a runs <<< "${results[$route]}"
    ratios=""
    for i in "${!runs[@]}"; do
        ratios="$ratios $(echo "${runs[$i]} / ${base_runs[$i]}" | bc -l)"
    done
    printf '%-12s median %8.0f req/s   %.3fx of %s   median of per-round ratios %.3fx\n' \
        "$route" "$m" "$(echo "$m / $first_median" | bc -l)" "$first_route" "$(echo "$ratios" | median)"
done
