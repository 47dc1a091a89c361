#!/usr/bin/env bash
# Runs schemathesis against the OpenAPI document each reference app and `tokengate serve`
# serve, and checks that the document is the same bytes on all of them. Usage:
# schemathesis.sh SCHEMATHESIS [APP…] (default: the four reference apps and `tokengate`). Each app runs on 127.0.0.1 with a fresh SQLite file and
# stops when its run ends; generation is deterministic and bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
schemathesis=$1
shift
apps=("${@:-app-axum app-actix app-rocket app-warp tokengate}")
read -r -a apps <<<"${apps[*]}"

cargo build --quiet -p tokengate-examples --bins -p tokengate-cli
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

export TOKENGATE_SECRET=schemathesis-secret-0123456789abcdef
export TOKENGATE_CS_ENVIRONMENT_ID=schemathesis-environment
export TOKENGATE_CS_ACCESS_KEY=schemathesis-access-key-0123456789abcdef
export TOKENGATE_ADDR=127.0.0.1:0

# check BASE TOKEN [FILTER…]: schemathesis against BASE/openapi.json, bounded and deterministic.
check() {
    local base=$1 token=$2
    shift 2
    "$schemathesis" run "$base/openapi.json" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,ignored_auth \
        --header "Authorization: Bearer $token" \
        --max-examples 25 --generation-deterministic \
        --workers 1 --request-timeout 10 --no-color --warnings off "$@"
}

first_document=""
for app in "${apps[@]}"; do
    echo "--- $app"
    export TOKENGATE_DATABASE_URL="sqlite://$work/$app.db"
    command=("target/debug/$app")
    [ "$app" = tokengate ] && command+=(serve)
    "${command[@]}" >"$work/$app.out" 2>"$work/$app.err" &
    pid=$!
    for _ in $(seq 100); do
        grep -q '^listening on ' "$work/$app.out" && break
        sleep 0.1
    done
    base=$(sed -n 's/^listening on //p' "$work/$app.out")
    [ -n "$base" ] || { cat "$work/$app.err"; exit 1; }

    # A real account, and a token for it that may write every document.
    curl -sf -X POST "$base/signup" -H 'content-type: application/json' \
        -d '{"name":"Schema Thesis","email":"st@example.com","password":"correct horse"}' >"$work/user.json"
    id=$(sed 's/.*"id":"\([^"]*\)".*/\1/' "$work/user.json")
    token=$(target/debug/tokengate issue --sub "$id" --role '*=writer' --ttl 3600)

    curl -sf "$base/openapi.json" >"$work/$app.openapi.json"
    if [ -z "$first_document" ]; then
        first_document="$work/$app.openapi.json"
    elif ! cmp -s "$first_document" "$work/$app.openapi.json"; then
        echo "the OpenAPI document of $app differs from ${apps[0]}'s" >&2
        exit 1
    fi

    # The logouts (and "log out everywhere") end the login the token belongs to: they run
    # last, alone.
    check "$base" "$token" --exclude-operation-id logout --exclude-operation-id sessionLogout \
        --exclude-operation-id endSessions
    check "$base" "$token" --include-operation-id logout --include-operation-id sessionLogout \
        --include-operation-id endSessions
    kill "$pid"
    wait "$pid" 2>/dev/null || true
done
echo "schemathesis: clean on ${apps[*]}; one document for all"
