#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Behind PgBouncer in transaction pooling mode, where LISTEN/NOTIFY does not reach the waiters
# and session settings do not stick, the gates must still converge -- by polling alone -- and
# apply each migration exactly once.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../support/script_setup.sh
source "$root/tests/support/script_setup.sh"
require_gate
use_pgbouncer
cleanup_first() { stop_pgbouncer; }
start_test_server_and_work
chmod 755 "$work"  # PgBouncer runs as another user

# "single": one server connection, so the next client gets the gate's own backend.
start_pgbouncer "$work" 10 "single = host=127.0.0.1 port=$PGTEST_PORT dbname=pooled pool_size=1"
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

# Our sessions ask the server for TCP keepalives in the startup packet's `options`, which
# PgBouncer refuses: the gate connects again without them (never with a SET, which would stay
# on the server connection). Through a pool of one server connection, the plain client after
# it must see the server's defaults.
single="postgresql://postgres:$PGTEST_PASSWORD@127.0.0.1:$port/single"
keepalives="SELECT string_agg(name || '=' || source, ',' ORDER BY name) FROM pg_settings
  WHERE name IN ('tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_keepalives_count', 'tcp_user_timeout')"
before_pid=$(psql "$single" -tAc 'SELECT pg_backend_pid()')
mkdir -p "$work/single"
printf 'CREATE TABLE single_t (id int);\nSELECT pg_sleep(1);\n' > "$work/single/V1__single.sql"
code=0
DATABASE_URL=$single "$gate" migrate --name single --migrations "$work/single" --lease-ttl 3s \
  --timeout 60s >"$work/single.log" 2>&1 || code=$?
check "a gate through a pool of one server connection exits 0 (exit $code)" [ "$code" = 0 ]
check "PgBouncer refused the gate's startup options (and the gate went on without them)" \
  grep -q "unsupported startup parameter: options" "$work/pgbouncer.log"
check "the plain client after the gate has the same server connection" \
  [ "$(psql "$single" -tAc 'SELECT pg_backend_pid()')" = "$before_pid" ]
defaults="tcp_keepalives_count=default,tcp_keepalives_idle=default,tcp_keepalives_interval=default,tcp_user_timeout=default"
seen=$(psql "$single" -tAc "$keepalives")
check "the plain client after the gate sees the server's default keepalives ($seen)" [ "$seen" = "$defaults" ]

if [ "$failed" != 0 ]; then tail -n 5 "$work"/gate-*.log "$work"/single.log "$work/waiter.log" "$work/pgbouncer.log" >&2 || true; fi
finish
