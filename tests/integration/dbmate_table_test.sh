#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The real dbmate keeping its table in a schema of its own (`--migrations-table
# dbmate.schema_migrations`), and golang-migrate-style files wrapped in BEGIN ... COMMIT beside
# it (issue 26, items 1 and 4): adopt finds dbmate's table off the search_path without being
# told, migrate --compat dbmate --compat-table keeps that table in step, dbmate's own status
# sees nothing pending, and a second run is a no-op.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../support/script_setup.sh
source "$root/tests/support/script_setup.sh"
require_dbmate

start_test_server_and_work
psql "$PGTEST_URL" -qc "CREATE DATABASE by_dbmate" -c "CREATE DATABASE taken_over"
base="${PGTEST_URL%/*}"
mkdir -p "$work/migrations" "$work/first-two"
cat > "$work/migrations/20240101000000_create_accounts.sql" <<'SQL'
-- migrate:up
CREATE TABLE accounts (id bigserial PRIMARY KEY, email text NOT NULL);
-- migrate:down
DROP TABLE accounts;
SQL
cat > "$work/migrations/20240102000000_add_plan.sql" <<'SQL'
-- migrate:up
ALTER TABLE accounts ADD COLUMN plan text NOT NULL DEFAULT 'free';
-- migrate:down
ALTER TABLE accounts DROP COLUMN plan;
SQL
cat > "$work/migrations/20240103000000_add_status.sql" <<'SQL'
-- migrate:up
ALTER TABLE accounts ADD COLUMN status text NOT NULL DEFAULT 'active';
-- migrate:down
ALTER TABLE accounts DROP COLUMN status;
SQL
cp "$work/migrations/20240101000000_create_accounts.sql" \
  "$work/migrations/20240102000000_add_plan.sql" "$work/first-two/"
table=dbmate.schema_migrations
run_dbmate() {
  local db=$1; shift
  DATABASE_URL="$base/$db?sslmode=disable" "$dbmate" --migrations-table "$table" \
    --no-dump-schema "$@" >>"$work/dbmate.log" 2>&1
}
psql "$base/by_dbmate" -qc "CREATE SCHEMA dbmate"
psql "$base/taken_over" -qc "CREATE SCHEMA dbmate"
run_dbmate by_dbmate --migrations-dir "$work/migrations" up
run_dbmate taken_over --migrations-dir "$work/first-two" up
check "dbmate kept its table in the dbmate schema" \
  [ "$(psql "$base/taken_over" -tAc "SELECT count(*) FROM dbmate.schema_migrations")" = 2 ]

code=0
DATABASE_URL="$base/taken_over" "$gate" adopt --migrations "$work/migrations" \
  >"$work/adopt.log" 2>&1 || code=$?
check "adopt finds dbmate's table in its own schema" [ "$code" = 0 ]
check "and says where" grep -q "dbmate.schema_migrations (dbmate) at V20240102000000" "$work/adopt.log"
check "adopt takes over the two" grep -q "took over 2 migrations from dbmate" "$work/adopt.log"
code=0
DATABASE_URL="$base/taken_over" "$gate" migrate --migrations "$work/migrations" --compat dbmate \
  --compat-table "$table" >"$work/rest.log" 2>&1 || code=$?
check "migrate --compat dbmate --compat-table succeeds" [ "$code" = 0 ]
check "and applies only the third" grep -q "applied 1 migration " "$work/rest.log"
code=0
DATABASE_URL="$base/taken_over" "$gate" migrate --migrations "$work/migrations" --compat dbmate \
  --compat-table "$table" >"$work/again.log" 2>&1 || code=$?
check "a second run is a no-op" sh -c "[ $code = 0 ] && ! grep -q applying '$work/again.log'"
: >"$work/dbmate.log"
run_dbmate taken_over --migrations-dir "$work/migrations" status || true
check "dbmate's own status sees nothing pending" grep -q "Pending: 0" "$work/dbmate.log"
schema() {
  pg_dump --schema-only --no-owner --no-privileges -n public "$base/$1" |
    grep -v -e '^--' -e '^$' -e '^SET ' -e 'set_config' -e '^\\'
}
check "same schema as dbmate's own" diff <(schema by_dbmate) <(schema taken_over)
code=0
DATABASE_URL="$base/taken_over" "$gate" validate --migrations "$work/migrations" \
  >"$work/validate.log" 2>&1 || code=$?
check "validate passes" [ "$code" = 0 ]
if [ "$failed" != 0 ]; then
  cat "$work/dbmate.log" "$work/adopt.log" "$work/rest.log" "$work/again.log" "$work/validate.log" >&2
fi
finish
