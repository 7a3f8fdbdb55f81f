#!/usr/bin/env bash
# Starts the local PostgreSQL cluster (Debian's packaging) and makes the test role and
# database; prints the TEST_DATABASE_URL to use, alone on stdout (everything else the
# PostgreSQL tools say goes to stderr). Safe to run again.
set -euo pipefail
# The URL leaves on fd 3; no child keeps that descriptor, because a server started here
# would otherwise hold the caller's pipe open forever (`... | tail -n 1` never ends).
exec 3>&1 1>&2
url="postgresql://feedback:feedback@127.0.0.1:5432/feedback_test"
if ! command -v pg_lsclusters >/dev/null; then
  echo "PostgreSQL is not installed (apt-get install postgresql)." >&2; exit 1
fi
read -r version cluster _ < <(pg_lsclusters -h | head -n 1)
if [ -z "${version:-}" ]; then
  pg_createcluster --start 15 main >/dev/null 2>&1 3>&- || true
  read -r version cluster _ < <(pg_lsclusters -h | head -n 1)
fi
if ! pg_lsclusters -h | awk '{print $4}' | grep -q online; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL is installed but not running, and starting it needs root." >&2; exit 1
  fi
  pg_ctlcluster "$version" "$cluster" start 3>&-
fi
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
for _ in $(seq 1 30); do as_postgres pg_isready -q && break; sleep 1; done
as_postgres psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname='feedback'" | grep -q 1 \
  || as_postgres psql -qc "CREATE ROLE feedback LOGIN PASSWORD 'feedback' CREATEDB"
as_postgres psql -qc "ALTER ROLE feedback CREATEDB" >/dev/null
as_postgres psql -qtAc "SELECT 1 FROM pg_database WHERE datname='feedback_test'" | grep -q 1 \
  || as_postgres createdb -O feedback feedback_test
echo "$url" >&3
