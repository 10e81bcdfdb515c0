#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The harness leaves nothing behind: after the test binary exits normally, and after it is
# killed with SIGKILL mid-test, the server's directory is gone and its port is free.
set -euo pipefail
binary=$1
report=$(mktemp)
trap 'rm -f "$report"' EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

gone_within() {  # dir port seconds
  local deadline=$((SECONDS + $3))
  while [ $SECONDS -lt $deadline ]; do
    if [ ! -e "$1" ] && port_free "$2"; then return 0; fi
    sleep 0.1
  done
  return 1
}

# 1. Normal exit.
HARNESS_REPORT=$report "$binary" --gtest_filter='Harness.ReportsLocationForTheCleanupCheck' >/dev/null
read -r dir port < "$report"
[ -n "$dir" ] || { echo "FAIL: no server reported"; exit 1; }
if [ -e "$dir" ]; then echo "FAIL: $dir still exists after a normal exit"; exit 1; fi
port_free "$port" || { echo "FAIL: port $port still accepts connections"; exit 1; }
echo "ok: normal exit removed $dir and freed port $port"

# 2. SIGKILL mid-test: the --watch-pid watchdog cleans up.
: > "$report"
HARNESS_REPORT=$report HARNESS_HANG=1 "$binary" --gtest_filter='Harness.ReportsLocationForTheCleanupCheck' >/dev/null &
pid=$!
for _ in $(seq 1 600); do [ -s "$report" ] && break; sleep 0.1; done
read -r dir port < "$report"
[ -d "$dir" ] || { echo "FAIL: server dir $dir missing while the test runs"; exit 1; }
kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
gone_within "$dir" "$port" 30 || { echo "FAIL: $dir or port $port left behind after SIGKILL"; exit 1; }
echo "ok: SIGKILL mid-test removed $dir and freed port $port"
echo "2 passed, 0 failed"
