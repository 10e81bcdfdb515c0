// SPDX-License-Identifier: Apache-2.0
// The Grafana dashboard (manifests/dashboards/schemagate.json): type-checked against Grafana's
// own dashboard schema (the Dashboard type of the npm package @grafana/schema, with tsc
// --strict: unknown or mistyped fields fail), every query parsed by promtool and using only
// metrics the sidecar exports (sidecar/metrics.cpp), and shipped as the ConfigMap Grafana's
// dashboard sidecar loads by its label.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const file = join(root, "manifests/dashboards/schemagate.json");
const text = readFileSync(file, "utf8");
const dashboard = JSON.parse(text);
const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

function typecheck(value) {
  const dir = mkdtempSync(join(here, ".tsc-"));
  const ts = join(dir, "dashboard.ts");
  writeFileSync(ts, `import type { Dashboard } from "@grafana/schema";\nexport const d: Dashboard = ${JSON.stringify(value, null, 2)};\n`);
  try {
    execFileSync(join(here, "node_modules/.bin/tsc"), ["--noEmit", "--strict", "--skipLibCheck", "--moduleResolution", "bundler",
      "--module", "esnext", "--target", "es2020", ts], { cwd: here, encoding: "utf8", stdio: "pipe" });
    return "";
  } catch (error) {
    return String(error.stdout) + String(error.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the dashboard type-checks against @grafana/schema's Dashboard, and a broken one does not", () => {
  assert.equal(typecheck(dashboard), "");
  assert.notEqual(typecheck({ ...dashboard, panles: [] }), "", "an unknown field is refused");
  assert.notEqual(typecheck({ ...dashboard, schemaVersion: "39" }), "", "a mistyped field is refused");
  const { schemaVersion, ...noVersion } = dashboard;
  assert.notEqual(typecheck(noVersion), "", "a required field is missing");
});

test("every query uses only metrics the sidecar exports, and the issue's subjects are covered", () => {
  const exported = new Set(readFileSync(join(root, "sidecar/metrics.cpp"), "utf8").match(/schemagate_[a-z_]+/g));
  const used = new Set();
  for (const { panel, expr } of queries) {
    const metrics = expr.match(/schemagate_[a-z_]+/g) ?? [];
    assert.ok(metrics.length > 0, `${panel}: no schemagate metric`);
    for (const metric of metrics) {
      assert.ok(exported.has(metric), `${panel} queries ${metric}, which the sidecar does not export`);
      used.add(metric);
    }
  }
  for (const metric of ["schemagate_schema_version", "schemagate_expected_version", "schemagate_ready",
    "schemagate_migration_failed", "schemagate_dirty", "schemagate_batch_rows", "schemagate_batch_rows_total",
    "schemagate_database_up", "schemagate_build_info"]) {
    assert.ok(used.has(metric), `no panel shows ${metric}`);
  }
});

test("every query is valid PromQL (promtool check rules)", () => {
  const dir = mkdtempSync(join(here, ".promql-"));
  try {
    const rules = queries.map(({ expr }, i) => `      - record: schemagate:dashboard_query_${i}\n        expr: ${JSON.stringify(
      expr.replaceAll("$__rate_interval", "5m").replaceAll("$namespace", ".*"))}`);
    writeFileSync(join(dir, "rules.yaml"), `groups:\n  - name: dashboard\n    rules:\n${rules.join("\n")}\n`);
    const out = execFileSync("promtool", ["check", "rules", join(dir, "rules.yaml")], { encoding: "utf8" });
    assert.match(out, new RegExp(`SUCCESS: ${queries.length} rules found`));
    writeFileSync(join(dir, "bad.yaml"), "groups:\n  - name: bad\n    rules:\n      - record: x:y\n        expr: 'sum(schemagate_ready'\n");
    assert.throws(() => execFileSync("promtool", ["check", "rules", join(dir, "bad.yaml")], { stdio: "pipe" }), "promtool refuses broken PromQL");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the ConfigMap carries the dashboard and the label Grafana's sidecar loads it by", async () => {
  const objects = parseAllDocuments(execFileSync("kubectl", ["kustomize", join(root, "manifests/dashboards")], { encoding: "utf8" }))
    .map((d) => d.toJS());
  assert.equal(objects.length, 1);
  const [configMap] = objects;
  new ConfigMap(configMap).validate();
  assert.equal(configMap.metadata.name, "schemagate-dashboard");
  assert.equal(configMap.metadata.labels.grafana_dashboard, "1");
  assert.equal(configMap.data["schemagate.json"], text);
});
