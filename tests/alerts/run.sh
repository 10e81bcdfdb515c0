#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The alerts as Prometheus itself reads them: the rendered PrometheusRule's groups, checked by
# `promtool check rules` and unit-tested by `promtool test rules` (alerts that fire on the
# series that mean trouble, and stay silent on healthy or briefly unhealthy ones).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
command -v promtool >/dev/null || { echo "FAIL: promtool not found: apt-get install prometheus" >&2; exit 1; }
[ -d "$root/tests/k8s/node_modules" ] || { echo "FAIL: run npm ci --prefix tests/k8s" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
kubectl kustomize "$root/manifests/alerts" | node "$here/extract_rules.mjs" > "$work/schemagate-rules.yaml"
cp "$here/alerts_test.yaml" "$work/"
cd "$work"
promtool check rules schemagate-rules.yaml
promtool test rules alerts_test.yaml
