// SPDX-License-Identifier: Apache-2.0
// `schemagate check-manifests` against one fixture per real mistake (tests/k8s/mistakes/*: the
// example app plus the one patch a user might write), fed as the YAML `kubectl kustomize`
// prints and as JSON: each names the mistake with the documented exit code. Every render of
// the Helm chart passes as `helm template` prints it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const gate = process.env.SCHEMAGATE_GATE_BIN ?? join(root, "build/bin/schemagate");

function check(input) {
  const run = spawnSync(gate, ["check-manifests"], { input, encoding: "utf8" });
  return { code: run.status, out: run.stdout + run.stderr };
}
const toJson = (yaml) => execFileSync("kubectl", ["patch", "--local", "-f", "-", "--type", "merge", "-p", "{}", "-o", "json"],
  { input: yaml, encoding: "utf8" });

const mistakes = readdirSync(join(here, "mistakes"));

test("there is one fixture per mistake the checks know", () => {
  for (const name of ["probe-removed", "probe-wrong-port", "probe-unknown-port-name", "gate-not-first", "image-versions",
    "sidecar-without-database", "timeout-over-deadline", "podmonitor-port", "good-with-alerts"]) {
    assert.ok(mistakes.includes(name), name);
  }
});

for (const name of mistakes) {
  test(`check-manifests on mistakes/${name}, as YAML and as JSON`, () => {
    const dir = join(here, "mistakes", name);
    const header = readFileSync(join(dir, "kustomization.yaml"), "utf8");
    const exit = Number(header.match(/# expect-exit: (\d+)/)[1]);
    const expected = new RegExp(header.match(/# expect: (.+)/)[1]);
    const yaml = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8" });
    assert.match(yaml, /\n---\n/, "a multi-document render");
    for (const [form, input] of [["yaml", yaml], ["json", toJson(yaml)]]) {
      const result = check(input);
      assert.equal(result.code, exit, `${form}: ${result.out}`);
      assert.match(result.out, expected, form);
    }
  });
}

test("every Helm render passes as helm template prints it", () => {
  const golden = readdirSync(join(here, "golden")).filter((f) => f.startsWith("helm-"));
  assert.ok(golden.length >= 6);
  for (const file of golden) {
    const result = check(readFileSync(join(here, "golden", file), "utf8"));
    assert.equal(result.code, 0, `${file}: ${result.out}`);
    assert.doesNotMatch(result.out, /warning/, file);
  }
});

test("YAML that Kubernetes would refuse is bad input naming the line", () => {
  const duplicate = check("kind: Deployment\nmetadata: {name: a}\nkind: StatefulSet\n");
  assert.equal(duplicate.code, 3);
  assert.match(duplicate.out, /standard input: key 'kind' given twice in one mapping at line 3/);
  const broken = check("kind: [Deployment\n");
  assert.equal(broken.code, 3);
  assert.match(broken.out, /standard input: not valid YAML at line \d+/);
});
