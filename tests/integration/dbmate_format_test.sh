#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A migration set written for dbmate (its `-- migrate:up` / `-- migrate:down` sections and
# `transaction:false` option) gives the same schema under the real dbmate and under
# schemagate, and schemagate never runs a down section. Then a takeover: the real dbmate
# applies the first two files, schemagate refuses to guess, adopts, applies the third with
# --compat dbmate, and dbmate's own `status` sees nothing pending.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../support/script_setup.sh
source "$root/tests/support/script_setup.sh"
require_dbmate

start_test_server_and_work
psql "$PGTEST_URL" -qc "CREATE DATABASE by_dbmate" -c "CREATE DATABASE by_schemagate" \
  -c "CREATE DATABASE taken_over"
base="${PGTEST_URL%/*}"
mkdir -p "$work/migrations"
cat > "$work/migrations/20240101000000_create_accounts.sql" <<'SQL'
-- migrate:up
CREATE TABLE accounts (id bigserial PRIMARY KEY, email text NOT NULL);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.email := lower(NEW.email); RETURN NEW; END;
$$;

-- migrate:down
DROP FUNCTION touch();
DROP TABLE accounts;
SQL
cat > "$work/migrations/20240102000000_index_email.sql" <<'SQL'
-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY accounts_email_idx;
SQL
cat > "$work/migrations/20240103000000_add_status.sql" <<'SQL'
-- migrate:up
ALTER TABLE accounts ADD COLUMN status text NOT NULL DEFAULT 'active';
-- migrate:down
ALTER TABLE accounts DROP COLUMN status;
SQL

DATABASE_URL="$base/by_dbmate?sslmode=disable" "$dbmate" --migrations-dir "$work/migrations" \
  --no-dump-schema up >"$work/dbmate.log" 2>&1
code=0
DATABASE_URL="$base/by_schemagate" "$gate" migrate --migrations "$work/migrations" \
  >"$work/gate.log" 2>&1 || code=$?
check "schemagate applies the dbmate set" [ "$code" = 0 ]
schema() {
  pg_dump --schema-only --no-owner --no-privileges -n public -T public.schema_migrations "$base/$1" |
    grep -v -e '^--' -e '^$' -e '^SET ' -e 'set_config' -e '^\\'
}
check "same schema as under dbmate" diff <(schema by_dbmate) <(schema by_schemagate)
check "the down sections never ran (status column and index exist)" \
  [ "$(psql "$base/by_schemagate" -tAc "SELECT count(*) FROM pg_indexes WHERE indexname = 'accounts_email_idx'")$(psql "$base/by_schemagate" -tAc "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'status'")" = 11 ]
check "the transaction:false file ran outside a transaction" \
  grep -q "runs without a transaction (directive)" "$work/gate.log"

# The takeover.
mkdir -p "$work/first-two"
cp "$work/migrations/20240101000000_create_accounts.sql" \
  "$work/migrations/20240102000000_index_email.sql" "$work/first-two/"
DATABASE_URL="$base/taken_over?sslmode=disable" "$dbmate" --migrations-dir "$work/first-two" \
  --no-dump-schema up >>"$work/dbmate.log" 2>&1
# pg_dump's \restrict line carries a random key: compare without it.
dump() { pg_dump --schema-only "$base/taken_over" | grep -v '^\\'; }
before=$(dump)
code=0
DATABASE_URL="$base/taken_over" "$gate" migrate --migrations "$work/migrations" \
  >"$work/refused.log" 2>&1 || code=$?
check "migrate on dbmate's database refuses to guess (exit 5)" [ "$code" = 5 ]
check "it names dbmate, its version and the adopt command" \
  grep -q "schema_migrations (dbmate) at V20240102000000.*schemagate adopt --from dbmate" "$work/refused.log"
check "and changed nothing" [ "$(dump)" = "$before" ]
code=0
DATABASE_URL="$base/taken_over" "$gate" adopt --migrations "$work/migrations" \
  >"$work/adopt.log" 2>&1 || code=$?
check "adopt takes over dbmate's two migrations" [ "$code" = 0 ]
check "adopt says what it took over" grep -q "took over 2 migrations from dbmate" "$work/adopt.log"
code=0
DATABASE_URL="$base/taken_over" "$gate" migrate --migrations "$work/migrations" --compat dbmate \
  >"$work/rest.log" 2>&1 || code=$?
check "migrate --compat dbmate succeeds" [ "$code" = 0 ]
check "and applies only the third" grep -q "applied 1 migration " "$work/rest.log"
DATABASE_URL="$base/taken_over?sslmode=disable" "$dbmate" --migrations-dir "$work/migrations" \
  --no-dump-schema status >"$work/status.log" 2>&1 || true
check "dbmate's own status sees nothing pending" grep -q "Pending: 0" "$work/status.log"
if [ "$failed" != 0 ]; then
  cat "$work/gate.log" "$work/dbmate.log" "$work/refused.log" "$work/adopt.log" "$work/rest.log" \
    "$work/status.log" >&2
fi
finish
