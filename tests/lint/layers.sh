#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The layering rules CMake cannot see (ARCHITECTURE.md). CMake already refuses an include that
# reaches up a layer (each layer links only the ones below it); what it cannot refuse is a
# system header every target can reach. Checked here, through every header a file includes,
# its own folder's and core's alike:
# - gate/files/ (reading what users bring) and gate/notify/ never reach libpqxx or libpq;
# - core/ never includes from gate/ or sidecar/, and sidecar/ never from gate/.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
fail=0

# The quoted includes of a file, resolved in its own folder, then core/.
local_includes() {
  local dir=$1 file=$2
  sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file" | while read -r h; do
    if [ -f "$dir/$h" ]; then echo "$dir/$h"; elif [ -f "core/$h" ]; then echo "core/$h"; fi
  done
}

# Fails when any file of `dir`, or any header it reaches, includes a database library.
check_no_database() {
  local dir=$1 seen queue f h
  declare -A seen=()
  queue=("$dir"/*.h "$dir"/*.cpp)
  while [ ${#queue[@]} -gt 0 ]; do
    f=${queue[0]}
    queue=("${queue[@]:1}")
    [ -n "${seen[$f]:-}" ] && continue
    seen[$f]=1
    if grep -qE '^#include <(pqxx/|libpq-fe\.h|postgresql/)' "$f"; then
      echo "FAIL: $f includes a database library, but $dir/ must not reach one"
      fail=1
    fi
    for h in $(local_includes "$(dirname "$f")" "$f"); do queue+=("$h"); done
  done
}

check_no_database gate/files
check_no_database gate/notify
if grep -lE '^#include "(\.\./)?(gate|sidecar)/' core/*.h core/*.cpp; then
  echo "FAIL: core/ includes from gate/ or sidecar/ (above)"; fail=1
fi
if grep -lE '^#include "(\.\./)?gate/' sidecar/*.h sidecar/*.cpp; then
  echo "FAIL: sidecar/ includes from gate/ (above)"; fail=1
fi
[ "$fail" = 0 ] && echo "ok: gate/files and gate/notify reach no database library; core and sidecar include nothing above them"
exit "$fail"
