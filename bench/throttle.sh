#!/usr/bin/env bash
# What the shared login throttle costs per login on PostgreSQL: the statements a failed login
# runs (count the address's failures in the window, sweep its stale ones, record this one),
# and those of a successful one (count, then clear), timed by pgbench on one connection.
# Usage: TOKENGATE_TEST_POSTGRES_URL=postgres://… bash bench/throttle.sh [SECONDS]
# (the database must have tokengate's tables: start `tokengate serve` on it once).
set -euo pipefail
url=${TOKENGATE_TEST_POSTGRES_URL:?set TOKENGATE_TEST_POSTGRES_URL}
seconds=${1:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/failed.sql" <<'SQL'
\set n random(1, 20000)
\set now 2000000000
SELECT COUNT(*), COALESCE(MIN(failed_at), 0) FROM tokengate_login_failures WHERE key = 'bench' || :n || '@example.com' AND failed_at > :now - 600;
DELETE FROM tokengate_login_failures WHERE key = 'bench' || :n || '@example.com' AND failed_at <= :now - 600;
INSERT INTO tokengate_login_failures (key, failed_at) VALUES ('bench' || :n || '@example.com', :now);
SQL
cat >"$work/succeeded.sql" <<'SQL'
\set n random(1, 20000)
\set now 2000000000
SELECT COUNT(*), COALESCE(MIN(failed_at), 0) FROM tokengate_login_failures WHERE key = 'bench' || :n || '@example.com' AND failed_at > :now - 600;
DELETE FROM tokengate_login_failures WHERE key = 'bench' || :n || '@example.com';
SQL
for kind in failed succeeded; do
    printf '%-10s ' "$kind"
    pgbench "$url" -n -c 1 -T "$seconds" -f "$work/$kind.sql" 2>/dev/null \
        | awk '/latency average/ {printf "%s ms per login, ", $4} /^tps/ {printf "%.0f logins/s on one connection\n", $3}'
done
psql "$url" -qc "DELETE FROM tokengate_login_failures WHERE key LIKE 'bench%@example.com'"
