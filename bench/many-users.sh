#!/usr/bin/env bash
# The guard's cost with many users: N distinct valid tokens sent in rotation, so the
# verifier's per-thread cache (64 slots) almost never hits and every request is a full
# verification. For each reference app, the guarded route and the unguarded one are driven
# by the SAME wrk Lua script (same header, same rotation: wrk's own cost is equal), back to
# back in every round; around each run the app's CPU time is read from /proc/PID/stat, so
# besides req/s the script reports the server's CPU per request (and its user time alone) and
# the guard's added CPU per request (guarded minus unguarded), medians over rounds. 127.0.0.1 only; bounded:
# apps x ROUNDS x routes x DURATION seconds; every app is stopped when its runs end.
#
#   bash bench/many-users.sh [APPS] [ROUTES]
#   APPS    space-separated tokengate-examples binaries (default "app-axum app-actix app-rocket app-warp")
#   ROUTES  unguarded route first (default "/public /protected"; bench-axum also has /raw)
# Environment: TOKENS (distinct tokens, default 20000; 1 = a single token), DURATION (s,
# default 5), ROUNDS (default 5), CONNECTIONS (default 32), PIN=1 (app on CPU 0, wrk on CPU 1).
#
# The tokens are what the app's /login issues (same header, claims and signing key, HS256
# with TOKENGATE_SECRET), each with its own jti: the script logs in once, then signs copies
# of that token's claims with fresh jti values (bench/mint-tokens.py, at setup, not timed).
#
# PROVIDER_ALG=RS256 (or PS256, ES256) measures the resource-server path instead: the test
# OpenID provider (tests/oidc/provider.mjs, node; `npm ci` in tests/oidc first) signs the
# tokens, the app trusts it through TOKENGATE_TRUSTED_ISSUERS, and each token comes from its
# own client-credentials grant (bench/provider-tokens.py; TOKENS defaults to 2000 here, as the
# provider signs them one by one). FEATURES=aws-lc-rs builds the apps on that crypto backend.
set -euo pipefail
cd "$(dirname "$0")/.."
apps=${1:-"app-axum app-actix app-rocket app-warp"}
routes=${2:-"/public /protected"}
provider_alg=${PROVIDER_ALG:-}
count=${TOKENS:-$([ -n "$provider_alg" ] && echo 2000 || echo 20000)}
duration=${DURATION:-5}
rounds=${ROUNDS:-5}
connections=${CONNECTIONS:-32}
for tool in wrk python3 curl bc; do
    command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install $tool)" >&2; exit 1; }
done
bins=()
for app in $apps; do bins+=(--bin "$app"); done
features=()
[ -z "${FEATURES:-}" ] || features=(--features "$FEATURES")
cargo build --release -q -p tokengate-examples "${bins[@]}" "${features[@]}"
app_cpu=""
wrk_cpu=""
if [ "${PIN:-0}" = 1 ]; then
    app_cpu="taskset -c 0"
    wrk_cpu="taskset -c 1"
fi
ticks=$(getconf CLK_TCK)
secret=load-test-secret-0123456789abcdef0123
work=$(mktemp -d)
pid=""
provider_pid=""
stop_app() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    pid=""
}
stop_provider() {
    if [ -n "$provider_pid" ]; then kill "$provider_pid" 2>/dev/null || true; wait "$provider_pid" 2>/dev/null || true; fi
    provider_pid=""
}
trap 'stop_app; stop_provider; rm -rf "$work"' EXIT
trusted=()
if [ -n "$provider_alg" ]; then
    SIGNING_ALG=$provider_alg node tests/oidc/provider.mjs 0 > "$work/provider.out" 2> "$work/provider.err" &
    provider_pid=$!
    for _ in $(seq 1 100); do grep -qs '^listening on ' "$work/provider.out" && break; sleep 0.1; done
    issuer=$(sed -n 's/^listening on //p' "$work/provider.out")
    case "$issuer" in http://127.0.0.1:*) ;; *) echo "the provider did not start" >&2; cat "$work/provider.err" >&2; exit 1;; esac
    trusted=(TOKENGATE_TRUSTED_ISSUERS="$issuer" TOKENGATE_TRUSTED_AUDIENCE=https://api.tokengate.test
             TOKENGATE_INSECURE_HTTP_ISSUERS=1)
fi

# The app's CPU time so far, in clock ticks: user time, then user plus system (fields 14, 15).
cpu_ticks() { awk '{print $14, $14 + $15}' "/proc/$1/stat"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "tokens=$count provider=${provider_alg:-none} features=${FEATURES:-default} duration=${duration}s rounds=$rounds connections=$connections pin=${PIN:-0} clock-ticks=$ticks/s"
for app in $apps; do
    rm -f "$work"/load.db*
    env "${trusted[@]}" TOKENGATE_ADDR=127.0.0.1:0 TOKENGATE_SECRET=$secret TOKENGATE_ACCESS_TTL=86400 \
    TOKENGATE_DATABASE_URL="sqlite://$work/load.db" RUST_LOG=warn \
        ${app_cpu} "target/release/$app" > "$work/out" 2> "$work/err" &
    pid=$!
    for _ in $(seq 1 100); do grep -qs '^listening on ' "$work/out" && break; sleep 0.1; done
    base=$(sed -n 's/^listening on //p' "$work/out")
    case "$base" in http://127.0.0.1:*) ;; *) echo "$app did not start on loopback" >&2; cat "$work/err" >&2; exit 1;; esac
    if [ -n "$provider_alg" ]; then
        # Fresh tokens for each app: the provider's live for 5 minutes.
        ISSUER=$issuer COUNT=$count python3 bench/provider-tokens.py > "$work/tokens"
        # The app fetches the provider's keys in the background: wait until a token passes.
        first=$(head -1 "$work/tokens")
        for _ in $(seq 1 100); do
            [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $first" "$base/protected")" = 200 ] && break
            sleep 0.1
        done
    else
        curl -sf -X POST "$base/signup" -H 'content-type: application/json' \
            -d '{"name":"Load","email":"load@example.com","password":"load-password"}' > /dev/null
        token=$(curl -sf -X POST "$base/login" -u 'load@example.com:load-password' |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
        TOKEN=$token SECRET=$secret COUNT=$count python3 bench/mint-tokens.py > "$work/tokens"
    fi
    for t in $(sed -n '1p;$p' "$work/tokens"); do
        for route in $routes; do
            status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $t" "$base$route")
            [ "$status" = 200 ] || { echo "$app $route answered $status to a minted token" >&2; exit 1; }
        done
    done

    declare -A rps=() cpu=() user=()
    first_route=${routes%% *}
    for round in $(seq 1 "$rounds"); do
        for route in $routes; do
            read -r user_before before < <(cpu_ticks "$pid")
            out=$(TOKENS_FILE="$work/tokens" ${wrk_cpu} wrk -t1 -c"$connections" -d"${duration}s" \
                -s bench/rotate-tokens.lua "$base$route")
            read -r user_after after < <(cpu_ticks "$pid")
            requests=$(echo "$out" | awk '/requests in/ {print $1}')
            non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
            [ -z "$non2xx" ] || { echo "$app $route: $non2xx non-2xx answers" >&2; exit 1; }
            r=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
            us=$(echo "($after - $before) * 1000000 / $ticks / $requests" | bc -l)
            user_us=$(echo "($user_after - $user_before) * 1000000 / $ticks / $requests" | bc -l)
            rps[$route]="${rps[$route]:-} $r"
            cpu[$route]="${cpu[$route]:-} $us"
            user[$route]="${user[$route]:-} $user_us"
            printf '%-10s round %d %-11s %9.0f req/s  %6.2f us CPU/request (%5.2f user)\n' \
                "$app" "$round" "$route" "$r" "$us" "$user_us"
        done
    done
    for route in $routes; do
        printf '%-10s %-11s median %9.0f req/s  %6.2f us CPU/request (%5.2f user)\n' "$app" "$route" \
            "$(echo "${rps[$route]}" | median)" "$(echo "${cpu[$route]}" | median)" \
            "$(echo "${user[$route]}" | median)"
    done
    # Guarded minus unguarded within each round, then the median over rounds: all CPU, and
    # user time alone (the guard runs in user space; the kernel's share per request also
    # moves with the load, e.g. fewer wake-ups per request when the server is busier).
    added() {
        local -a guarded unguarded
        local per_round="" i
        read -r -a guarded <<< "$1"
        read -r -a unguarded <<< "$2"
        for i in "${!guarded[@]}"; do
            per_round="$per_round $(echo "${guarded[$i]} - ${unguarded[$i]}" | bc -l)"
        done
        echo "$per_round" | median
    }
    for route in ${routes#* }; do
        printf '%-10s %-11s added CPU per request over %s: median of per-round differences %.2f us (user time alone %.2f us)\n' \
            "$app" "$route" "$first_route" "$(added "${cpu[$route]}" "${cpu[$first_route]}")" \
            "$(added "${user[$route]}" "${user[$first_route]}")"
    done
    unset rps cpu user
    stop_app
done
