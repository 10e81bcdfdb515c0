#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# How long a dead old pod keeps holding back a contract migration, measured with the sidecar's
# DEFAULT settings (--poll-interval 5s, --check-timeout 3s): an old release's sidecar is a live
# reader while `schemagate contract` waits, and then it is
#   killed   (SIGKILL: its TCP connection closes),
#   frozen   (SIGSTOP: the socket stays open and the kernel still answers keepalives), or
#   cut off  (it runs in a network namespace of its own; every packet in and out is dropped:
#             no RST, no FIN, as with a lost node or a partition).
# Each trial measures when its session leaves pg_stat_activity (what the gates read) and when
# the contract was applied, and checks them against the README's bounds: killed ~0 s, frozen
# 3 x poll + check timeout = 18 s, cut off min(keepalives 5 + 3 x 2 = 11 s after its last
# poll, 18 s) -- then --reader-settle (1 s here) and one poll. The column is dropped once.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../support/script_setup.sh
source "$root/tests/support/script_setup.sh"
sidecar="${SCHEMAGATE_SIDECAR_BIN:-$root/build/bin/schemagate-sidecar}"
require_netns

name_netns sgrd sgr 232
work=$(mktemp -d)
sidecar_pid=""
contract_pid=""
cleanup() {
  for pid in $sidecar_pid $contract_pid; do kill -CONT "$pid" 2>/dev/null || true; kill -9 "$pid" 2>/dev/null || true; done
  stop_netns_server
  [ "${CONTRACT_KEEP:-0}" = 1 ] && echo "logs kept in $work" || rm -rf "$work"
}
trap cleanup EXIT

start_netns_server
direct="$PGTEST_URL"
via_veth="$veth_url"

mkdir -p "$work/old" "$work/new"
echo "CREATE TABLE accounts (id int PRIMARY KEY, legacy_name text);" > "$work/old/V1__accounts.sql"
for v in $(seq 2 9); do echo "CREATE TABLE step_$v (id int);" > "$work/old/V${v}__step.sql"; done
cp "$work"/old/*.sql "$work/new/"
echo "ALTER TABLE accounts ADD COLUMN display_name text;" > "$work/new/V10__add_display_name.sql"
printf -- "-- schemagate:contract\nALTER TABLE accounts DROP COLUMN legacy_name;\nINSERT INTO harness.contract_runs VALUES (1);\n" \
  > "$work/new/V11__drop_legacy_name.sql"
sql() { psql "$direct" -tAqc "SET client_min_messages = warning; $1" | grep -v "^SET$" || true; }
now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.1f", a - b }'; }
readers() { sql "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'sgr1 % old-$1'"; }

# kind bound(session gone, seconds)
for trial in "kill 2" "stop 20" "cut 20"; do
  set -- $trial
  kind=$1 bound=$2
  sql "DROP SCHEMA IF EXISTS harness CASCADE; DROP SCHEMA IF EXISTS schemagate CASCADE;
       DROP TABLE IF EXISTS accounts; DO \$\$ DECLARE t text; BEGIN FOR t IN SELECT tablename
       FROM pg_tables WHERE tablename LIKE 'step_%' LOOP EXECUTE 'DROP TABLE ' || t; END LOOP; END \$\$;
       CREATE SCHEMA harness; ALTER DATABASE postgres SET search_path = public, harness;
       CREATE TABLE harness.contract_runs (n int NOT NULL)"
  ip netns exec "$ns" iptables -F
  DATABASE_URL="$direct" "$gate" migrate --migrations "$work/old" >"$work/old-gate-$kind.log" 2>&1
  DATABASE_URL="$direct" "$gate" migrate --migrations "$work/new" >"$work/new-gate-$kind.log" 2>&1
  ip netns exec "$ns" env DATABASE_URL="$via_veth" "$sidecar" --migrations "$work/old" \
    --listen 127.0.0.1:0 --pod-name "old-$kind" >"$work/sidecar-$kind.log" 2>&1 &
  sidecar_pid=$!
  for _ in $(seq 1 200); do [ "$(readers "$kind")" = 1 ] && break; sleep 0.05; done
  DATABASE_URL="$direct" "$gate" contract --migrations "$work/new" --reader-settle 1s \
    --poll-interval 200ms --timeout 120s --holder "job-$kind" >"$work/contract-$kind.log" 2>&1 &
  contract_pid=$!
  for _ in $(seq 1 200); do grep -q "1 live pod of a release without it" "$work/contract-$kind.log" && break; sleep 0.05; done
  check "$kind: contract waits while the old sidecar lives" \
    bash -c "grep -q '1 live pod of a release without it' '$work/contract-$kind.log' && [ \"\$(psql '$direct' -tAqc 'SELECT count(*) FROM harness.contract_runs')\" = 0 ]"
  dead_at=$(now)
  case $kind in
    kill) kill -9 "$sidecar_pid" ;;
    stop) kill -STOP "$sidecar_pid" ;;
    cut) ip netns exec "$ns" iptables -A INPUT -j DROP; ip netns exec "$ns" iptables -A OUTPUT -j DROP ;;
  esac
  for _ in $(seq 1 600); do [ "$(readers "$kind")" = 0 ] && break; sleep 0.1; done
  gone=$(since "$dead_at")
  code=0
  wait "$contract_pid" || code=$?
  contract_pid=""
  applied=$(since "$dead_at")
  echo "measured: $kind: the reader's session ended ${gone}s after it, the contract applied ${applied}s after it"
  check "$kind: the dead reader stopped counting within ${bound}s (${gone}s)" \
    awk -v t="$gone" -v b="$bound" 'BEGIN { exit !(t < b) }'
  check "$kind: contract exited 0 and dropped the column exactly once" \
    bash -c "[ $code = 0 ] && [ \"\$(psql '$direct' -tAqc 'SELECT count(*) FROM harness.contract_runs')\" = 1 ] && [ \"\$(psql '$direct' -tAqc \"SELECT count(*) FROM information_schema.columns WHERE column_name = 'legacy_name'\")\" = 0 ]"
  kill -CONT "$sidecar_pid" 2>/dev/null || true
  kill -9 "$sidecar_pid" 2>/dev/null || true
  wait "$sidecar_pid" 2>/dev/null || true
  sidecar_pid=""
done
if [ "$failed" != 0 ]; then tail -n 5 "$work"/contract-*.log "$work"/sidecar-*.log >&2 || true; fi
finish
