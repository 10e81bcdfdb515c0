#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every C++ file of the product and its tests as .clang-format lays it out: the check fails
# naming each file that differs (fix with `clang-format -i FILE`).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
command -v clang-format >/dev/null || { echo "FAIL: clang-format not found: bash scripts/install-deps.sh" >&2; exit 1; }
files=$(git ls-files -- 'core/*.cpp' 'core/*.h' 'gate/*.cpp' 'gate/*.h' 'sidecar/*.cpp' 'sidecar/*.h' \
  'tests/*.cpp' 'tests/*.h' 'bench/*.cpp' 'bench/*.h')
bad=0
for f in $files; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f"
    bad=$((bad + 1))
  fi
done
if [ "$bad" != 0 ]; then
  echo "FAIL: $bad files differ from .clang-format (clang-format -i on each)"
  exit 1
fi
echo "ok: $(echo "$files" | wc -w) files as .clang-format lays them out"
