#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# clang-tidy over every product source file (core/, gate/, sidecar/) with the project's
# .clang-tidy, warnings as errors. Usage: clang_tidy.sh BUILD_DIR (holding compile_commands.json).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?build directory}
command -v clang-tidy >/dev/null || { echo "FAIL: clang-tidy not found: bash scripts/install-deps.sh" >&2; exit 1; }
[ -f "$build/compile_commands.json" ] || { echo "FAIL: $build/compile_commands.json missing" >&2; exit 1; }
cd "$root"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
ls core/*.cpp gate/*.cpp gate/*/*.cpp sidecar/*.cpp |
  xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet >"$out" 2>/dev/null || status=$?
if [ "$status" != 0 ] || grep -q -E '(warning|error):' "$out"; then
  grep -E -A3 '(warning|error):' "$out" | head -80
  echo "FAIL: clang-tidy findings above"
  exit 1
fi
echo "ok: clang-tidy clean on $(ls core/*.cpp gate/*.cpp gate/*/*.cpp sidecar/*.cpp | wc -l) files"
