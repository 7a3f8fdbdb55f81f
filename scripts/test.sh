#!/usr/bin/env bash
# The whole test suite, as `make test` and CI run it: import contracts, then pytest on
# SQLite and on PostgreSQL. Extra arguments go to pytest (e.g. -k accounts).
# TEST_DATABASE_URL=... uses that PostgreSQL instead of the local one; SKIP_POSTGRES=1 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-.venv}
bash scripts/install-system-deps.sh
echo "== import contracts" >&2
"$venv/bin/lint-imports"
echo "== tests on SQLite" >&2
"$venv/bin/pytest" "$@"
if [ "${SKIP_POSTGRES:-0}" = 1 ]; then
  echo "== SKIP_POSTGRES=1: not running the suite on PostgreSQL" >&2
  exit 0
fi
pg_url=${TEST_DATABASE_URL:-$(bash scripts/start-postgres.sh | tail -n 1)}
echo "== tests on PostgreSQL" >&2
TEST_DATABASE_URL="$pg_url" "$venv/bin/pytest" "$@"
