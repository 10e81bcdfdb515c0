#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The benchmark's one entry point: installs what it needs (the project's dependencies, wrk,
# GNU time, sqitch from Debian; dbmate, node-pg-migrate, postgres-migrations from npm), builds,
# and runs bench/run.mjs with the given options (--runs N, --quick, --out DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
extra=()
for package in wrk time sqitch libdbd-pg-perl; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || extra+=("$package")
done
if [ ${#extra[@]} -gt 0 ]; then
  apt-get update -qq
  # A peer that cannot be installed is reported on its row; the bench still runs.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${extra[@]}" >/dev/null ||
    echo "bench: could not install ${extra[*]}" >&2
fi
# Not `npm ci`: the lock file holds dbmate's binary package for this platform only.
npm install --prefix bench/peers --no-save --no-audit --no-fund --loglevel=error ||
  echo "bench: npm peers could not be installed; their rows will say so" >&2
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$(nproc)" --target schemagate schemagate-sidecar bench-floor bench-ideal >/dev/null
exec node bench/run.mjs "$@"
