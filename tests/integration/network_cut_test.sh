#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The holder is cut off for real: it runs in a network namespace of its own, reaching
# PostgreSQL over a veth pair, and in the middle of its run every packet in and out of that
# namespace is dropped (iptables DROP: no RST, no FIN, as with a lost node or a partition).
# In every trial a waiter takes over within the ttl plus a few seconds, every migration is
# applied exactly once, the cut-off holder commits nothing after the takeover, and its
# --timeout holds. NETCUT_TRIALS (default 3 in CI; 20 by hand) sets the number of trials.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../support/script_setup.sh
source "$root/tests/support/script_setup.sh"
trials=${NETCUT_TRIALS:-3}
require_netns

name_netns sgcut sgc 231
work=$(mktemp -d)
holder_pid=""
cleanup() {
  [ -n "$holder_pid" ] && kill -9 "$holder_pid" 2>/dev/null || true
  stop_netns_server
  [ "${NETCUT_KEEP:-0}" = 1 ] && echo "logs kept in $work" || rm -rf "$work"
}
trap cleanup EXIT

start_netns_server
direct="$PGTEST_URL"
cut_off="$veth_url"

mkdir -p "$work/migrations"
for v in $(seq 1 40); do
  printf "INSERT INTO applied_count VALUES (%s, 1) ON CONFLICT (version) DO UPDATE SET n = applied_count.n + 1;\nSELECT pg_sleep(0.3) WHERE current_setting('application_name') LIKE '%%pod-a%%';\n" \
    "$v" > "$work/migrations/V${v}__sleep.sql"
done
sql() { psql "$direct" -tAqc "$1"; }
now() { date +%s.%N; }
less_than() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

for trial in $(seq 1 "$trials"); do
  # The counter lives apart from public, where migrations write (see gate_fixture.cpp).
  sql "DROP SCHEMA IF EXISTS harness CASCADE; DROP SCHEMA IF EXISTS schemagate CASCADE;
       CREATE SCHEMA harness; ALTER DATABASE postgres SET search_path = public, harness;
       CREATE TABLE harness.applied_count (version int PRIMARY KEY, n int NOT NULL)"
  ip netns exec "$ns" iptables -F
  holder_start=$(now)
  ip netns exec "$ns" env DATABASE_URL="$cut_off" "$gate" migrate --migrations "$work/migrations" \
    --holder pod-a --lease-ttl 3s --timeout 15s >"$work/holder-$trial.log" 2>&1 &
  holder_pid=$!
  for _ in $(seq 1 200); do
    [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE '%pod-a%' AND wait_event = 'PgSleep' AND state = 'active'")" -gt 0 ] && break
    sleep 0.05
  done
  ip netns exec "$ns" iptables -A INPUT -j DROP
  ip netns exec "$ns" iptables -A OUTPUT -j DROP
  cut_at=$(now)
  cut_token=$(sql "SELECT token FROM schemagate.lease")
  code=0
  DATABASE_URL="$direct" "$gate" migrate --migrations "$work/migrations" --holder pod-b \
    --lease-ttl 3s --poll-interval 200ms --timeout 30s >"$work/taker-$trial.log" 2>&1 || code=$?
  took_over=$(awk -v a="$(now)" -v b="$cut_at" 'BEGIN { printf "%.1f", a - b }')
  check "trial $trial: a waiter took over and finished (exit $code) ${took_over}s after the cut" \
    bash -c "[ $code = 0 ] && awk -v t=$took_over 'BEGIN { exit !(t < 12) }'"
  # The server must notice the dead client too, or its sessions linger: the heartbeat's, idle,
  # for the kernel's two-hour keepalive; one with unacknowledged data for the retransmission
  # timeout (minutes). They must end while the cut lasts (the next trial's iptables -F would
  # let a RST through); the holder's reconnect attempts never reach the server.
  gone=0
  for _ in $(seq 1 600); do
    [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE client_addr = '$ns_ip'")" = 0 ] && { gone=1; break; }
    sleep 0.1
  done
  ended=$(awk -v a="$(now)" -v b="$cut_at" 'BEGIN { printf "%.1f", a - b }')
  check "trial $trial: the server ended the cut-off holder's sessions during the cut (${ended}s after it)" \
    [ "$gone" = 1 ]
  holder_code=0
  wait "$holder_pid" || holder_code=$?
  holder_pid=""
  holder_ran=$(awk -v a="$(now)" -v b="$holder_start" 'BEGIN { printf "%.1f", a - b }')
  check "trial $trial: the cut-off holder exited $holder_code after ${holder_ran}s (--timeout 15s)" \
    bash -c "[ $holder_code != 0 ] && awk -v t=$holder_ran 'BEGIN { exit !(t < 20) }'"
  check "trial $trial: every migration applied exactly once" \
    [ "$(sql "SELECT count(*) FILTER (WHERE n = 1) || '/' || count(*) FROM applied_count")" = "40/40" ]
  check "trial $trial: nothing committed under the cut-off token after the takeover" \
    [ "$(sql "SELECT count(*) FROM schemagate.history WHERE token = $cut_token AND applied_at > (SELECT min(applied_at) FROM schemagate.history WHERE token > $cut_token)")" = 0 ]
done
if [ "$failed" != 0 ]; then tail -n 5 "$work"/holder-*.log "$work"/taker-*.log >&2 || true; fi
finish
