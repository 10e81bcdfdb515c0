#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Behind PgBouncer in transaction pooling a server connection passes from client to client:
# a session setting a gate leaves on it reaches the next, unrelated client (one got
# idle_in_transaction_session_timeout=5s and client_connection_check_interval=1s, and its
# transaction was killed). With ONE server connection in the pool, a plain psql after each kind
# of gate run, and during a migration that runs without a transaction, must see the server's
# defaults for every setting schemagate sets anywhere, and for those a migration sets itself.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../support/script_setup.sh
source "$root/tests/support/script_setup.sh"
require_gate
use_pgbouncer
holders=()
cleanup_first() {
  for pid in "${holders[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  stop_pgbouncer
}
start_test_server_and_work
chmod 755 "$work"  # PgBouncer runs as another user

start_pgbouncer "$work" 1
psql "$PGTEST_URL" -qc "CREATE DATABASE pooled"
direct="${PGTEST_URL%/*}/pooled"
pooled="postgresql://postgres:$PGTEST_PASSWORD@127.0.0.1:$bouncer_port/pooled"
admin="postgresql://postgres:$PGTEST_PASSWORD@127.0.0.1:$bouncer_port/pgbouncer"
migrations="$work/migrations"
mkdir -p "$migrations"

# Every setting schemagate sets (gate/, core/: SET, SET LOCAL, set_config), those the test's
# migrations set, the role, and our placeholder (a fresh session has none: '' after a SET
# LOCAL ended is the same "unset" for any reader).
settings="SELECT concat_ws('|', current_setting('lock_timeout'), current_setting('statement_timeout'),
  current_setting('idle_in_transaction_session_timeout'),
  current_setting('client_connection_check_interval'), current_setting('synchronous_commit'),
  current_setting('client_min_messages'), current_setting('search_path'),
  current_setting('work_mem'), current_user = session_user,
  coalesce(current_setting('schemagate.fenced_token', true), ''),
  coalesce(current_setting('schemagate.duration_ms', true), ''))"
defaults=$(psql "$direct" -tAc "$settings")
server_pid() { psql "$pooled" -tAc "SELECT pg_backend_pid()"; }

# After a gate's run, the next client of its server connection sees the server's defaults.
# `same` asks that it be the very connection the gate used (a killed gate's may be closed).
expect_clean() {
  local what=$1 before=$2 same=${3:-same} after
  after=$(psql "$pooled" -tAc "SELECT pg_backend_pid() || '#' || ($settings)")
  if [ "$same" = same ]; then
    check "$what: the next client gets the gate's server connection" [ "${after%%#*}" = "$before" ]
  fi
  if [ "${after#*#}" = "$defaults" ]; then ok "$what: the next client sees the server defaults"
  else fail "$what: the next client sees '${after#*#}', not the defaults '$defaults'"; fi
}

migrate() { DATABASE_URL=$pooled "$gate" migrate --migrations "$migrations" --timeout 60s "$@"; }

run() {
  local what=$1 want=$2 before code=0
  shift 2
  before=$(server_pid)
  migrate "$@" >"$work/gate.log" 2>&1 || code=$?
  check "$what: exit $want" [ "$code" = "$want" ]
  [ "$code" = "$want" ] || tail -n 5 "$work/gate.log"
  expect_clean "$what" "$before"
}

cat > "$migrations/V1__t.sql" <<'SQL'
CREATE TABLE t (id int, note text);
INSERT INTO t SELECT generate_series(1, 500);
SQL
cat > "$migrations/V2__own_settings.sql" <<'SQL'
SET search_path = pg_catalog, public;
SET statement_timeout = '7s';
SET work_mem = '7MB';
CREATE TABLE public.t2 (id int);
SQL
run "chained migrations that set their own settings" 0

printf -- '-- schemagate:no-transaction\nSET work_mem = %s;\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n' "'9MB'" \
  > "$migrations/V3__index.sql"
run "a migration without a transaction" 0
check "a migration without a transaction through the pooler says it runs without the gate's settings" \
  grep -q "V3 index runs through a connection pooler: without schemagate's session settings" "$work/gate.log"

printf -- '-- schemagate:batch size=100 pause=0\nUPDATE t SET note = %s WHERE id IN (SELECT id FROM t WHERE note IS NULL LIMIT $1);\n' \
  "'x'" > "$migrations/V4__backfill.sql"
run "a batched migration" 0

printf 'SET work_mem = %s;\nSELECT 1 / 0;\n' "'11MB'" > "$migrations/V5__fails.sql"
run "a failing migration" 1
# Remembered: the next gate takes the lease, renews it and refuses the file before it runs.
run "a gate that refuses a remembered failure" 1

printf -- '-- schemagate:no-transaction\nSET work_mem = %s;\nSELECT 1 / 0;\n' "'13MB'" \
  > "$migrations/V5__fails.sql"
run "a failing migration without a transaction" 1
DATABASE_URL=$direct "$gate" repair --version 5 --remove >/dev/null
printf 'CREATE TABLE t5 (id int);\n' > "$migrations/V5__fails.sql"

# Killed mid-run: waiting for a lock held by a session that does not go through the pool.
blocker_fifo="$work/blocker"
mkfifo "$blocker_fifo"
PGAPPNAME=app-blocker psql "$direct" -q <"$blocker_fifo" >/dev/null 2>&1 &
blocker=$!
exec 7>"$blocker_fifo"
echo "BEGIN; LOCK TABLE t IN ACCESS SHARE MODE;" >&7
printf 'ALTER TABLE t ADD COLUMN c int;\n' > "$migrations/V6__alter.sql"
before=$(server_pid)
DATABASE_URL=$pooled "$gate" migrate --migrations "$migrations" --timeout 60s --lock-timeout 1h --lease-ttl 3s \
  >"$work/killed.log" 2>&1 &
holder=$!
holders+=("$holder")
for _ in $(seq 1 600); do
  [ "$(psql "$direct" -tAc "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name LIKE 'schemagate %'")" = 1 ] && break
  sleep 0.05
done
kill -9 "$holder" 2>/dev/null || { echo "the gate was not running:"; cat "$work/killed.log"; }; wait "$holder" 2>/dev/null || true
echo "COMMIT;" >&7
expect_clean "a gate killed while its migration waited for a lock" "$before" any
run "the next gate, which applies what the killed one could not" 0

# During a migration without a transaction: its statements run one by one on the session, and
# between two of them the pool may hand the server connection to another client.
echo "BEGIN; INSERT INTO t VALUES (0);" >&7
printf -- '-- schemagate:no-transaction\nCREATE INDEX CONCURRENTLY t_note ON t (note);\nCREATE INDEX CONCURRENTLY t_c ON t (c);\n' \
  > "$migrations/V7__indexes.sql"
before=$(server_pid)
# (A long ttl: no renewal queues for the pool's one server connection meanwhile.)
migrate --lease-ttl 1h >"$work/during.log" 2>&1 &
during=$!
holders+=("$during")
for _ in $(seq 1 600); do
  [ "$(psql "$direct" -tAc "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%CREATE INDEX CONCURRENTLY t_note%' AND wait_event_type = 'Lock'")" = 1 ] && break
  sleep 0.05
done
# A client queued behind the index build gets the server connection as soon as it is free.
psql "$pooled" -tAc "SELECT pg_backend_pid() || '#' || ($settings)" >"$work/during.out" 2>&1 &
client=$!
for _ in $(seq 1 600); do
  [ "$(psql "$admin" -tAc "SHOW POOLS" | awk -F'|' '$1 == "pooled" { print $4 }')" = 1 ] && break
  sleep 0.05
done
echo "COMMIT;" >&7
code=0; wait "$during" || code=$?
check "a migration without a transaction while another client waits: exit 0" [ "$code" = 0 ]
wait "$client" || true
during_out=$(cat "$work/during.out")
if [ "${during_out#*#}" = "$defaults" ]; then
  ok "a client served between two statements of a migration without a transaction sees the defaults"
else
  fail "a client served between two statements of a migration without a transaction sees '${during_out#*#}', not '$defaults'"
fi

# Blocked by a lock when --timeout comes, through the pooler: the deadline watch finds the
# migration's server session by the application_name its transaction sets, names the holder
# of the lock and cancels the statement; the lease is released. (Two server connections: the
# heartbeat's watch needs one while the migration holds the other.)
stop_pgbouncer
start_pgbouncer "$work" 2
pooled="postgresql://postgres:$PGTEST_PASSWORD@127.0.0.1:$bouncer_port/pooled"
echo "BEGIN; LOCK TABLE t IN ACCESS SHARE MODE;" >&7
printf 'ALTER TABLE t ADD COLUMN d int;\n' > "$migrations/V8__alter.sql"
code=0
DATABASE_URL=$pooled "$gate" migrate --migrations "$migrations" --timeout 4s --lock-timeout 1h \
  >"$work/deadline.log" 2>&1 || code=$?
blocker_pid=$(psql "$direct" -tAc "SELECT pid FROM pg_stat_activity WHERE application_name = 'app-blocker'")
check "blocked at --timeout through the pooler: exit 2" [ "$code" = 2 ]
check "blocked at --timeout through the pooler: the lock's holder is named" \
  grep -q "waited for AccessExclusiveLock on relation t, held by pid $blocker_pid (user postgres, application app-blocker" "$work/deadline.log"
check "blocked at --timeout through the pooler: the lease is released" \
  [ "$(psql "$direct" -tAc "SELECT count(*) FROM schemagate.lease WHERE holder IS NULL AND expires_at <= clock_timestamp()")" = 1 ]
expect_clean "blocked at --timeout through the pooler" "" any
echo "COMMIT;" >&7

echo "\\q" >&7
exec 7>&-
wait "$blocker" 2>/dev/null || true

if [ "$failed" != 0 ]; then tail -n 5 "$work"/*.log >&2 || true; fi
finish
