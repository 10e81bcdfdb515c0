#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The fleet scenario (issue #30, docs/fleet.md): TENANTS tenant schemas x MIGRATIONS migrations
# on a throwaway durable PostgreSQL, each scenario on a fresh database:
#   fleet     SHARDS shard processes x SESSIONS sessions (`schemagate fleet migrate`)
#   grow      the fleet again over NOOP_TENANTS tenants: migrates the ones beyond TENANTS
#   no-op     one process, then SHARDS shards, over the NOOP_TENANTS migrated tenants
#   stealing  SHARDS shards with shard 0 slowed to one session: as built (the others take its
#             tenants once done with theirs), and with --no-steal (each only its own)
#   serial    one process, one session (`fleet migrate --parallel 1`)
#   loop      a shell loop running `schemagate migrate` once per tenant (what teams do today)
#   databases DB_TENANTS tenant databases (--tenant-url), SHARDS x SESSIONS, then one session
# For each: wall time, tenants per second, and the CPU seconds per wall second of the server
# (every PostgreSQL process, from /proc) and of the clients (this script's children).
# Usage: bench/fleet.sh BUILD_DIR
#   (TENANTS=2000 MIGRATIONS=20 SHARDS=4 SESSIONS=4 NOOP_TENANTS=10000 DB_TENANTS=50
#    OUT=bench/results/fleet.txt)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:?build directory}" && pwd)
gate="$build/bin/schemagate"
TENANTS=${TENANTS:-2000} MIGRATIONS=${MIGRATIONS:-20} SHARDS=${SHARDS:-4} SESSIONS=${SESSIONS:-4}
NOOP_TENANTS=${NOOP_TENANTS:-10000} DB_TENANTS=${DB_TENANTS:-50}
OUT=${OUT:-$root/bench/results/fleet.txt}
[ "$NOOP_TENANTS" -ge "$TENANTS" ] || { echo "NOOP_TENANTS must be >= TENANTS" >&2; exit 3; }
PSQL=${PG_BIN:-/usr/lib/postgresql/15/bin}/psql
work=$(mktemp -d)
eval "$("$root/tests/harness/pg-test-server" start --durable --watch-pid $$)"
trap '"$root/tests/harness/pg-test-server" destroy "$PGTEST_DIR"; rm -rf "$work"' EXIT
postmaster=$(head -1 "$PGTEST_DIR/data/postmaster.pid")
tick=$(getconf CLK_TCK)
mkdir "$work/migrations"
echo "CREATE TABLE items (id serial PRIMARY KEY, v int);" >"$work/migrations/V1__items.sql"
for v in $(seq 2 "$MIGRATIONS"); do
  echo "ALTER TABLE items ADD COLUMN c$v int; INSERT INTO items (v) VALUES ($v);" \
    >"$work/migrations/V${v}__step.sql"
done
seq -f 't%05g' 1 "$TENANTS" >"$work/tenants.txt"
seq -f 't%05g' 1 "$NOOP_TENANTS" >"$work/all-tenants.txt"
seq -f 'd%03g' 1 "$DB_TENANTS" >"$work/db-tenants.txt"

# Each scenario on a database of its own: dropping thousands of schemas in one transaction
# would need more locks than the server has.
fresh() {
  PGOPTIONS="-c client_min_messages=warning" "$PSQL" -q "$PGTEST_URL" -c "DROP DATABASE IF EXISTS fleet" -c "CREATE DATABASE fleet"
  export DATABASE_URL="${PGTEST_URL%/*}/fleet"
}
fleet() { "$gate" fleet migrate --migrations "$work/migrations" --tenant-schema 't_{tenant}' \
  --progress-interval 1h "$@" >>"$work/summaries" 2>"$work/log"; }
# SHARDS shard processes at once, SESSIONS sessions each; shard 0 with SHARD0_SESSIONS, or
# (SHARD0_LATE=1) started only once the others have exited, as a pod left pending would be.
shard() {  # INDEX SESSIONS ARGS...
  local i=$1 sessions=$2
  shift 2
  JOB_COMPLETION_INDEX=$i fleet --shards "$SHARDS" --parallel "$sessions" --connection-budget 90 "$@"
}
shards() {
  local pids=() i
  [ -n "${SHARD0_LATE:-}" ] || { shard 0 "${SHARD0_SESSIONS:-$SESSIONS}" "$@" & pids+=($!); }
  for i in $(seq 1 $((SHARDS - 1))); do
    shard "$i" "$SESSIONS" "$@" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  [ -z "${SHARD0_LATE:-}" ] || shard 0 "$SESSIONS" "$@"
}
# Tenants the shards of the last run took from another shard (their summaries' "stolen").
stolen() { grep -h fleet_summary "$work/summaries" | sed -n 's/.*"stolen":\([0-9]*\).*/\1/p' | awk '{ n += $1 } END { print n + 0 }'; }

# CPU ticks of the server: the postmaster's own and its reaped children's (cutime, cstime),
# plus every live child's (backends come and go; an exited one is in the postmaster's c*time).
server_ticks() {
  local total=0 pid f
  for pid in $postmaster $(pgrep -P "$postmaster"); do
    f=$(cut -d' ' -f14-17 "/proc/$pid/stat" 2>/dev/null) || continue
    [ -n "$f" ] || continue
    read -r u s cu cs <<<"$f"
    total=$((total + u + s))
    [ "$pid" = "$postmaster" ] && total=$((total + cu + cs))
  done
  echo "$total"
}
# $clients: CPU seconds of this script's finished children (bash's `times`, second line), run
# in this shell: in a command substitution, `times` would see only the subshell's children.
client_seconds() {
  times >"$work/times"
  clients=$(tail -1 "$work/times" | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }')
}

# The whole machine's busy and iowait ticks (/proc/stat's cpu line): other work on a shared
# machine shows here, not in the server's or the clients' figures.
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $6; exit }' /proc/stat; }
now() { date +%s.%N; }
# measure LABEL TENANT_COUNT COMMAND...: runs it, prints one result line, sets $seconds.
measure() {
  local label=$1 count=$2 start s0 c0
  shift 2
  local m0 m1
  s0=$(server_ticks); client_seconds; c0=$clients; m0=$(machine_ticks); start=$(now)
  "$@"
  seconds=$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')
  client_seconds
  m1=$(machine_ticks)
  awk -v l="$label" -v n="$count" -v t="$seconds" -v s="$(( $(server_ticks) - s0 ))" -v hz="$tick" \
    -v c0="$c0" -v c1="$clients" -v m0="$m0" -v m1="$m1" 'BEGIN {
      split(m0, a, " "); split(m1, b, " ")
      printf "%-50s %6d tenants %7.1fs %7.1f tenants/s | CPU/s: server %4.2f, clients %4.2f, machine %4.2f busy %4.2f iowait\n",
        l, n, t, n / t, s / hz / t, (c1 - c0) / t, (b[1] - a[1]) / hz / t, (b[2] - a[2]) / hz / t }' | tee -a "$work/results"
}

{
  echo "# bench/fleet.sh, TENANTS=$TENANTS MIGRATIONS=$MIGRATIONS SHARDS=$SHARDS SESSIONS=$SESSIONS NOOP_TENANTS=$NOOP_TENANTS, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "# $(nproc) cores; PostgreSQL 15 on the same machine (durable: fsync, synchronous_commit on)."
  echo "# CPU/s: CPU seconds per wall second (at most $(nproc)): the server's (all its processes,"
  echo "# /proc utime+stime), the clients' (schemagate, psql), and the whole machine's busy and"
  echo "# iowait time (other work on a shared machine included)."
} >"$work/results"

fresh
measure "fleet ${SHARDS}x${SESSIONS}" "$TENANTS" shards --tenants-file "$work/tenants.txt"
t_fleet=$seconds
[ "$NOOP_TENANTS" = "$TENANTS" ] ||
  measure "fleet ${SHARDS}x${SESSIONS}, +$((NOOP_TENANTS - TENANTS)) more tenants" $((NOOP_TENANTS - TENANTS)) \
    shards --tenants-file "$work/all-tenants.txt"
measure "no-op, one process x${SESSIONS}" "$NOOP_TENANTS" fleet --tenants-file "$work/all-tenants.txt" --parallel "$SESSIONS"
measure "no-op, fleet ${SHARDS}x${SESSIONS}" "$NOOP_TENANTS" shards --tenants-file "$work/all-tenants.txt"

# Stealing, with one slow shard: shard 0 with one session (the others SESSIONS), then shard 0
# started only when the others are done. As built, a shard done with its own tenants takes
# those their home shard has not started; with --no-steal the fleet ends when shard 0 has done
# all of its own.
steal_case() {  # NAME VARIABLE=VALUE: one line each for stealing and --no-steal, then the ratio
  local name=$1 setting=$2 t_with
  fresh; : >"$work/summaries"
  env_run "$setting" measure "$name, stealing" "$TENANTS" shards --tenants-file "$work/tenants.txt"
  t_with=$seconds
  local taken; taken=$(stolen)
  fresh
  env_run "$setting" measure "$name, --no-steal" "$TENANTS" shards --tenants-file "$work/tenants.txt" --no-steal
  awk -v n="$name" -v a="$t_with" -v b="$seconds" -v k="$taken" 'BEGIN {
    printf "  %s: stealing takes %.2fx the time without (%d tenants taken from another shard)\n", n, a / b, k }' |
    tee -a "$work/results"
}
env_run() { local setting=$1; shift; local "${setting%%=*}"="${setting#*=}"; "$@"; }
steal_case "slow shard 0 (1 session)" SHARD0_SESSIONS=1
steal_case "shard 0 starts when the others end" SHARD0_LATE=1

fresh
measure "serial 1x1" "$TENANTS" fleet --tenants-file "$work/tenants.txt" --parallel 1
t_serial=$seconds

fresh
loop() {
  while read -r t; do
    "$PSQL" -q "$DATABASE_URL" -c "CREATE SCHEMA IF NOT EXISTS t_$t"
    DATABASE_URL="$DATABASE_URL?options=-csearch_path%3Dt_$t" "$gate" migrate \
      --migrations "$work/migrations" --name "t_$t" >/dev/null 2>"$work/log"
  done <"$work/tenants.txt"
}
measure "loop: migrate per tenant" "$TENANTS" loop
t_loop=$seconds

# Database per tenant: each tenant a database of its own (fdb_d001, ...), its state in it.
db_fresh() {
  local t
  while read -r t; do
    PGOPTIONS="-c client_min_messages=warning" "$PSQL" -q "$PGTEST_URL" \
      -c "DROP DATABASE IF EXISTS fdb_$t" -c "CREATE DATABASE fdb_$t"
  done <"$work/db-tenants.txt"
}
db_fleet() { "$gate" fleet migrate --migrations "$work/migrations" --tenants-file "$work/db-tenants.txt" \
  --tenant-url "${PGTEST_URL%/*}/fdb_{tenant}" --progress-interval 1h "$@" >>"$work/summaries" 2>"$work/log"; }
db_shards() {
  local pids=() i
  for i in $(seq 0 $((SHARDS - 1))); do
    JOB_COMPLETION_INDEX=$i db_fleet --shards "$SHARDS" --parallel "$SESSIONS" --connection-budget 90 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
}
if [ "$DB_TENANTS" -gt 0 ]; then
  db_fresh
  measure "databases: fleet ${SHARDS}x${SESSIONS}" "$DB_TENANTS" db_shards
  db_fresh
  measure "databases: one session" "$DB_TENANTS" db_fleet --parallel 1
fi

awk -v f="$t_fleet" -v s="$t_serial" -v l="$t_loop" 'BEGIN {
  printf "fleet vs serial %.1fx, fleet vs loop %.1fx\n", s / f, l / f }' | tee -a "$work/results"
mkdir -p "$(dirname "$OUT")"
cp "$work/results" "$OUT"
echo "written to $OUT"
