#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The demo: a throwaway PostgreSQL, five "pods" racing to migrate the example schema (one
# takes the lease and migrates, the others wait and exit 0 when it is done), and the
# readiness sidecar turning from 503 to 200. Everything it starts is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$(nproc)" >/dev/null

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

eval "$(tests/harness/pg-test-server start --watch-pid $$)"
logs=$(mktemp -d)
sidecar_pid=""
cleanup() {
  if [ -n "$sidecar_pid" ]; then kill "$sidecar_pid" 2>/dev/null; wait "$sidecar_pid" 2>/dev/null || true; fi
  tests/harness/pg-test-server destroy "$PGTEST_DIR"
  rm -rf "$logs"
}
trap cleanup EXIT
export DATABASE_URL=$PGTEST_URL
say "throwaway PostgreSQL 15 on 127.0.0.1:$PGTEST_PORT (data in $PGTEST_DIR)"

# shellcheck source=../tests/harness/lib.sh
source tests/harness/lib.sh
port=$(free_port)
build/bin/schemagate-sidecar --migrations examples/migrations --listen "127.0.0.1:$port" \
  --poll-interval 1s >"$logs/sidecar.log" 2>&1 &
sidecar_pid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/livez" && break; sleep 0.05; done
say "sidecar before any migration: GET /readyz"
curl -s -w '  -> HTTP %{http_code}\n' "http://127.0.0.1:$port/readyz"

say "five pods start at once, each running: schemagate migrate --migrations examples/migrations"
pids=()
for i in 1 2 3 4 5; do
  HOSTNAME=demo-pod-$i build/bin/schemagate migrate --migrations examples/migrations \
    >"$logs/pod-$i.log" 2>&1 &
  pids+=($!)
done
for i in 1 2 3 4 5; do
  code=0; wait "${pids[$((i - 1))]}" || code=$?
  echo "--- demo-pod-$i exited $code"
  sed -e 's/^[^ ]* /  /' "$logs/pod-$i.log"
done

say "sidecar after the gates: GET /readyz"
curl -s -w '  -> HTTP %{http_code}\n' "http://127.0.0.1:$port/readyz"

say "schemagate status"
build/bin/schemagate status --migrations examples/migrations
say "done: everything started here is being removed"
