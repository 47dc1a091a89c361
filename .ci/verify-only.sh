#!/usr/bin/env bash
# The verify-only build: with default features off, the core and each adapter depend on no
# sqlx, no Argon2 and nothing built from C, and the core stays within its crate budget.
set -euo pipefail
cd "$(dirname "$0")/.."

count() {
    cargo tree "$@" -e normal --prefix none | sed 's/ (\*)//; s/ (proc-macro)//' \
        | awk '{print $1" "$2}' | sort -u | wc -l
}

status=0
for crate in tokengate tokengate-axum tokengate-actix tokengate-rocket tokengate-warp; do
    forbidden=$(cargo tree -p "$crate" --no-default-features -e normal,build --prefix none \
        | awk '{print $1}' | grep -xE 'sqlx.*|argon2|libsqlite3-sys|cc|cmake|ring' | sort -u || true)
    echo "$crate: $(count -p "$crate" --no-default-features) crates verify-only, $(count -p "$crate") with the defaults"
    if [ -n "$forbidden" ]; then
        echo "  but its verify-only build pulls in: $forbidden" >&2
        status=1
    fi
done
core=$(count -p tokengate --no-default-features)
if [ "$core" -gt 115 ]; then
    echo "tokengate --no-default-features has $core crates, over the budget of 115" >&2
    status=1
fi
exit $status
