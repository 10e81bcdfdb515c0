# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2034
# What the shell integration tests share, sourced after `set -euo pipefail` and
# `root=$(cd "$(dirname "$0")/../.." && pwd)`: the gate binary of this build, the harness's
# ok/fail/check helpers, and the steps each test would otherwise write again (a test server
# of its own, the real dbmate, a network namespace to cut).
# shellcheck source=../harness/lib.sh
source "$root/tests/harness/lib.sh"
gate="${SCHEMAGATE_GATE_BIN:-$root/build/bin/schemagate}"

require_gate() {
  [ -x "$gate" ] || { echo "FAIL: $gate missing: build first" >&2; exit 1; }
}

# The real dbmate, from the benchmark's peers.
require_dbmate() {
  dbmate="$root/bench/peers/node_modules/.bin/dbmate"
  [ -x "$dbmate" ] || { echo "FAIL: dbmate missing: npm install --prefix bench/peers (scripts/test.sh does)" >&2; exit 1; }
}

# A PostgreSQL of the test's own (PGTEST_URL, PGTEST_DIR, ...), gone when the script's process
# is.
start_test_server() {
  eval "$("$root/tests/harness/pg-test-server" start --watch-pid $$)"
}

destroy_test_server() {
  if [ -n "${PGTEST_DIR:-}" ]; then "$root/tests/harness/pg-test-server" destroy "$PGTEST_DIR"; fi
}

# The test server and an empty `work` directory, both removed at exit. A test with more to undo
# first (processes, a pooler) defines `cleanup_first`.
start_test_server_and_work() {
  start_test_server
  work=$(mktemp -d)
  trap remove_test_server_and_work EXIT
}

remove_test_server_and_work() {
  if declare -F cleanup_first >/dev/null; then cleanup_first; fi
  destroy_test_server
  rm -rf "$work"
}

# PgBouncer's start/stop helpers (tests/harness/pgbouncer.sh).
use_pgbouncer() {
  # shellcheck source=../harness/pgbouncer.sh
  source "$root/tests/harness/pgbouncer.sh"
}

# Root and the tools a network namespace needs.
require_netns() {
  [ "$(id -u)" = 0 ] || { echo "FAIL: network namespaces need root (CI runs as root)" >&2; exit 1; }
  for tool in ip iptables; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool missing: bash scripts/install-deps.sh" >&2; exit 1; }
  done
}

# Names a network namespace `ns` (NAME + pid) and a veth pair (IFACE + pid + a/b) on
# 10.SUBNET.x.0/30, x random: host_ip on the host's end, ns_ip in the namespace.
name_netns() {
  local name=$1 iface=$2 subnet=$3 octet
  ns="$name$$"
  host_if="$iface${$}a"
  ns_if="$iface${$}b"
  octet=$((1 + RANDOM % 250))
  host_ip="10.$subnet.$octet.1"
  ns_ip="10.$subnet.$octet.2"
}

create_netns() {
  ip netns add "$ns"
  ip link add "$host_if" type veth peer name "$ns_if"
  ip link set "$ns_if" netns "$ns"
  ip addr add "$host_ip/30" dev "$host_if"
  ip link set "$host_if" up
  ip netns exec "$ns" ip addr add "$ns_ip/30" dev "$ns_if"
  ip netns exec "$ns" ip link set "$ns_if" up
  ip netns exec "$ns" ip link set lo up
}

remove_netns() {
  ip netns del "$ns" 2>/dev/null || true
  ip link del "$host_if" 2>/dev/null || true
}

# The namespace and a test server that also serves it: `veth_url` reaches the server from inside.
start_netns_server() {
  create_netns
  start_test_server
  serve_netns
  veth_url="postgresql://postgres:$PGTEST_PASSWORD@$host_ip:$PGTEST_PORT/postgres"
}

stop_netns_server() {
  remove_netns
  destroy_test_server
}

# The test server also listens on the veth's host end and admits the namespace's address.
serve_netns() {
  sed -i "s/^listen_addresses = .*/listen_addresses = '127.0.0.1,$host_ip'/" "$PGTEST_DIR/data/postgresql.auto.conf"
  echo "host all all $ns_ip/32 scram-sha-256" >> "$PGTEST_DIR/data/pg_hba.conf"
  "$root/tests/harness/pg-test-server" stop-server "$PGTEST_DIR"
  "$root/tests/harness/pg-test-server" start-server "$PGTEST_DIR"
}
