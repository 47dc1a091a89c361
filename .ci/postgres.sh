#!/usr/bin/env bash
# Installs (if needed) and starts a PostgreSQL server on 127.0.0.1:5432 with a test database,
# then prints the URL for TOKENGATE_TEST_POSTGRES_URL. Idempotent.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /etc/postgresql | sort -n | tail -1)
pg_ctlcluster "$version" main start 2>/dev/null || true
for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 1
done
as_postgres() { su postgres -c "$*" ; }
as_postgres "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='tokengate'\"" | grep -q 1 ||
    as_postgres "psql -qc \"CREATE USER tokengate WITH PASSWORD 'tokengate' CREATEDB\""
as_postgres "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='tokengate_test'\"" | grep -q 1 ||
    as_postgres "createdb -O tokengate tokengate_test"
echo "postgres://tokengate:tokengate@127.0.0.1:5432/tokengate_test"
