#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The fleet scenario (issue #30, docs/fleet.md): TENANTS tenant schemas x MIGRATIONS migrations
# on a throwaway durable PostgreSQL, migrated three ways, each from scratch:
#   fleet     SHARDS shard processes x SESSIONS sessions (`schemagate fleet migrate`)
#   loop      a shell loop running `schemagate migrate` once per tenant (what teams do today)
#   serial    one process, one session (`fleet migrate --parallel 1`)
# then a no-op pass of the fleet over the migrated tenants. Prints tenants per second and the
# ratios. Usage: bench/fleet.sh BUILD_DIR   (TENANTS=2000 MIGRATIONS=20 SHARDS=4 SESSIONS=4)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:?build directory}" && pwd)
gate="$build/bin/schemagate"
TENANTS=${TENANTS:-2000} MIGRATIONS=${MIGRATIONS:-20} SHARDS=${SHARDS:-4} SESSIONS=${SESSIONS:-4}
PSQL=${PG_BIN:-/usr/lib/postgresql/15/bin}/psql
work=$(mktemp -d)
eval "$("$root/tests/harness/pg-test-server" start --durable --watch-pid $$)"
trap '"$root/tests/harness/pg-test-server" destroy "$PGTEST_DIR"; rm -rf "$work"' EXIT
export DATABASE_URL=$PGTEST_URL
mkdir "$work/migrations"
echo "CREATE TABLE items (id serial PRIMARY KEY, v int);" >"$work/migrations/V1__items.sql"
for v in $(seq 2 "$MIGRATIONS"); do
  echo "ALTER TABLE items ADD COLUMN c$v int; INSERT INTO items (v) VALUES ($v);" \
    >"$work/migrations/V${v}__step.sql"
done
seq -f 't%05g' 1 "$TENANTS" >"$work/tenants.txt"
now() { date +%s.%N; }
fresh() { PGOPTIONS='-c client_min_messages=warning' "$PSQL" -q "$DATABASE_URL" -c "DROP SCHEMA IF EXISTS schemagate CASCADE" \
  -c "DO \$\$DECLARE s text; BEGIN FOR s IN SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%' LOOP EXECUTE 'DROP SCHEMA ' || quote_ident(s) || ' CASCADE'; END LOOP; END\$\$"; }
fleet() { "$gate" fleet migrate --migrations "$work/migrations" --tenants-file "$work/tenants.txt" \
  --tenant-schema 't_{tenant}' --progress-interval 1h "$@" >/dev/null 2>"$work/log"; }
rate() { awk -v n="$TENANTS" -v s="$1" 'BEGIN { printf "%.1f", n / s }'; }

fresh
start=$(now)
pids=()
for i in $(seq 0 $((SHARDS - 1))); do
  JOB_COMPLETION_INDEX=$i fleet --shards "$SHARDS" --parallel "$SESSIONS" --connection-budget 90 &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
t_fleet=$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')
start=$(now)
fleet --parallel "$SESSIONS"
t_noop=$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')

fresh
start=$(now)
fleet --parallel 1
t_serial=$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')

fresh
start=$(now)
while read -r t; do
  "$PSQL" -q "$DATABASE_URL" -c "CREATE SCHEMA IF NOT EXISTS t_$t"
  DATABASE_URL="$PGTEST_URL?options=-csearch_path%3Dt_$t" "$gate" migrate \
    --migrations "$work/migrations" --name "t_$t" >/dev/null 2>"$work/log"
done <"$work/tenants.txt"
t_loop=$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')

echo "tenants $TENANTS x migrations $MIGRATIONS on $(nproc) cores"
echo "fleet  ${SHARDS}x${SESSIONS}: ${t_fleet}s, $(rate "$t_fleet") tenants/s"
echo "serial 1x1: ${t_serial}s, $(rate "$t_serial") tenants/s"
echo "loop   migrate per tenant: ${t_loop}s, $(rate "$t_loop") tenants/s"
echo "no-op  fleet pass: ${t_noop}s, $(rate "$t_noop") tenants/s"
awk -v f="$t_fleet" -v s="$t_serial" -v l="$t_loop" \
  'BEGIN { printf "fleet vs serial %.1fx, fleet vs loop %.1fx\n", s / f, l / f }'
