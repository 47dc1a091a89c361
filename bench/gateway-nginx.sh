#!/usr/bin/env bash
# The gateway behind nginx: requests/s and latency of a static location protected by
# `auth_request` to `tokengate serve` (docs/gateway.md's configuration, with keep-alive to
# tokengate) against the same location without it, side by side in one nginx, alternating in
# every round; medians over rounds. Many users: TOKENS distinct tokens in rotation (the
# verifier's cache misses). 127.0.0.1 only; bounded: ROUNDS x 2 x DURATION seconds.
#
#   bash bench/gateway-nginx.sh
# Environment: TOKENS (default 20000), DURATION (s, default 5), ROUNDS (default 5),
# CONNECTIONS (default 32). Needs nginx (with the auth_request module: Debian's nginx-light
# has it), wrk, python3, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${TOKENS:-20000}
duration=${DURATION:-5}
rounds=${ROUNDS:-5}
connections=${CONNECTIONS:-32}
for tool in nginx wrk python3 curl; do
    command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done
cargo build --release -q -p tokengate-cli
secret=load-test-secret-0123456789abcdef0123
work=$(mktemp -d)
tokengate_pid=""
nginx_pid=""
trap 'kill $tokengate_pid $nginx_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

TOKENGATE_ADDR=127.0.0.1:0 TOKENGATE_SECRET=$secret TOKENGATE_ACCESS_TTL=86400 \
TOKENGATE_DATABASE_URL="sqlite://$work/load.db" RUST_LOG=warn \
    target/release/tokengate serve > "$work/out" 2> "$work/err" &
tokengate_pid=$!
for _ in $(seq 1 100); do grep -qs '^listening on ' "$work/out" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/out")
case "$base" in http://127.0.0.1:*) ;; *) echo "tokengate did not start" >&2; cat "$work/err" >&2; exit 1;; esac
curl -sf -X POST "$base/signup" -H 'content-type: application/json' \
    -d '{"name":"Load","email":"load@example.com","password":"load-password"}' > /dev/null
token=$(curl -sf -X POST "$base/login" -u 'load@example.com:load-password' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
TOKEN=$token SECRET=$secret COUNT=$count python3 bench/mint-tokens.py > "$work/tokens"

# The page's configuration, serving a static file instead of proxying to a service, and the
# same location without auth_request beside it.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
protected=$(free_port)
open=$(free_port)
mkdir -p "$work/www"
echo static > "$work/www/index.html"
block=$(sed -n '/^```nginx$/,/^```$/p' docs/gateway.md | sed '1d;$d' |
    sed "s|127.0.0.1:8080|${base#http://}|; s|listen 8000;|listen 127.0.0.1:$protected;|; s|proxy_pass http://127.0.0.1:9000;|root $work/www;|")
cat > "$work/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/body;
    proxy_temp_path $work/proxy;
    fastcgi_temp_path $work/fastcgi;
    uwsgi_temp_path $work/uwsgi;
    scgi_temp_path $work/scgi;
$block
    server {
        listen 127.0.0.1:$open;
        location / { root $work/www; }
    }
}
EOF
nginx -p "$work" -c "$work/nginx.conf" &
nginx_pid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$open/" && break; sleep 0.1; done
for port in $protected $open; do
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(head -1 "$work/tokens")" \
        "http://127.0.0.1:$port/index.html")
    [ "$status" = 200 ] || { echo "port $port answered $status to a minted token" >&2; exit 1; }
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$protected/index.html")" = 401 ] ||
    { echo "the protected location let a request without a token through" >&2; exit 1; }

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# wrk's latency in milliseconds, whatever unit it printed.
ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}'; }
declare -A rps=() p50=() p99=()
echo "tokens=$count duration=${duration}s rounds=$rounds connections=$connections"
for round in $(seq 1 "$rounds"); do
    for name in protected open; do
        port=${!name}
        out=$(TOKENS_FILE="$work/tokens" wrk -t1 -c"$connections" -d"${duration}s" --latency \
            -s bench/rotate-tokens.lua "http://127.0.0.1:$port/index.html")
        non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
        [ -z "$non2xx" ] || { echo "$name: $non2xx non-2xx answers" >&2; exit 1; }
        r=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
        l50=$(echo "$out" | awk '$1 == "50%" {print $2}' | ms)
        l99=$(echo "$out" | awk '$1 == "99%" {print $2}' | ms)
        rps[$name]="${rps[$name]:-} $r"
        p50[$name]="${p50[$name]:-} $l50"
        p99[$name]="${p99[$name]:-} $l99"
        printf 'round %d %-9s %9.0f req/s  p50 %6.3f ms  p99 %6.3f ms\n' "$round" "$name" "$r" "$l50" "$l99"
    done
done
for name in protected open; do
    printf '%-9s median %9.0f req/s  p50 %6.3f ms  p99 %6.3f ms\n' "$name" \
        "$(echo "${rps[$name]}" | median)" "$(echo "${p50[$name]}" | median)" "$(echo "${p99[$name]}" | median)"
done
echo "protected/open requests/s: $(echo "$(echo "${rps[protected]}" | median) / $(echo "${rps[open]}" | median)" | bc -l | cut -c1-5)"
