#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The benchmark's one entry point: installs what it needs (the project's dependencies, wrk,
# GNU time, sqitch from Debian; dbmate, node-pg-migrate, postgres-migrations from npm), builds,
# and runs bench/run.mjs with the given options (--runs N, --quick, --out DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# Not `npm ci`: the lock file holds dbmate's binary package for this platform only.
npm install --prefix bench/peers --no-save --no-audit --no-fund --loglevel=error ||
  echo "bench: npm peers could not be installed; their rows will say so" >&2
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$(nproc)" --target schemagate schemagate-sidecar bench-floor bench-floor-shared bench-ideal bench-limit bench-delay-proxy >/dev/null
exec node bench/run.mjs "$@"
