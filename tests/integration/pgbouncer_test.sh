#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Behind PgBouncer in transaction pooling mode, where LISTEN/NOTIFY does not reach the waiters
# and session settings do not stick, the gates must still converge -- by polling alone -- and
# apply each migration exactly once.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
gate="${SCHEMAGATE_GATE_BIN:-$root/build/bin/schemagate}"
[ -x "$gate" ] || { echo "FAIL: $gate missing: build first" >&2; exit 1; }

# shellcheck source=../harness/lib.sh
source "$root/tests/harness/lib.sh"
# shellcheck source=../harness/pgbouncer.sh
source "$root/tests/harness/pgbouncer.sh"

eval "$("$root/tests/harness/pg-test-server" start --watch-pid $$)"
work=$(mktemp -d)
chmod 755 "$work"
cleanup() {
  stop_pgbouncer
  "$root/tests/harness/pg-test-server" destroy "$PGTEST_DIR"
  rm -rf "$work"
}
trap cleanup EXIT

start_pgbouncer "$work" 10
port=$bouncer_port

psql "$PGTEST_URL" -qc "CREATE DATABASE pooled"
direct="${PGTEST_URL%/*}/pooled"
pooled="postgresql://postgres:$PGTEST_PASSWORD@127.0.0.1:$port/pooled"
# The counter lives apart from public, where migrations write (see gate_fixture.cpp).
psql "$direct" -qc "CREATE SCHEMA harness; ALTER DATABASE pooled SET search_path = public, harness" \
  -c "CREATE TABLE harness.applied_count (version int PRIMARY KEY, n int NOT NULL)"
mkdir -p "$work/migrations"
for v in $(seq 1 20); do
  printf 'CREATE TABLE t%s (id int);\nINSERT INTO applied_count VALUES (%s, 1) ON CONFLICT (version) DO UPDATE SET n = applied_count.n + 1;\n' \
    "$v" "$v" > "$work/migrations/V${v}__step.sql"
done
printf -- '-- schemagate:no-transaction\nCREATE INDEX CONCURRENTLY t1_id ON t1 (id);\n' > "$work/migrations/V21__index.sql"

# A waiter first: through the pooler it can only learn of the new version by polling.
DATABASE_URL=$pooled "$gate" wait --migrations "$work/migrations" --poll-interval 200ms --timeout 60s \
  >"$work/waiter.log" 2>&1 &
waiter=$!
pids=()
for i in $(seq 1 10); do
  DATABASE_URL=$pooled HOSTNAME=pooled-$i "$gate" migrate --migrations "$work/migrations" \
    --poll-interval 200ms --timeout 120s >"$work/gate-$i.log" 2>&1 &
  pids+=($!)
done
ok=0
for pid in "${pids[@]}"; do wait "$pid" && ok=$((ok + 1)); done
check "10 gates through PgBouncer (transaction pooling) exit 0" [ "$ok" = 10 ]
code=0; wait "$waiter" || code=$?
check "a waiter through PgBouncer is released by polling" [ "$code" = 0 ]
check "every migration applied exactly once" \
  [ "$(psql "$direct" -tAc 'SELECT count(*) FROM applied_count WHERE n = 1')" = 20 ]
check "history complete, concurrent index valid" \
  [ "$(psql "$direct" -tAc "SELECT (SELECT count(*) FROM schemagate.history WHERE success) || ':' || (SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 't1_id' AND i.indisvalid)")" = "21:1" ]
if [ "$failed" != 0 ]; then tail -n 5 "$work"/gate-*.log "$work/waiter.log" "$work/pgbouncer.log" >&2 || true; fi
finish
