// SPDX-License-Identifier: Apache-2.0
// Renders every kustomization with the real `kubectl kustomize`, compares with the committed
// golden files, validates every object offline with two validators (kubernetes-models' JSON
// schemas for types and enum values; TypeScript's kubernetes-types for unknown fields), proves
// both reject the negative fixtures, and asserts what the manifests promise, on parsed YAML.
// UPDATE_GOLDEN=1 rewrites the golden files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");

// What gets rendered: every kustomization a user or a test uses.
const kustomizations = {
  "example-overlay": "manifests/examples/overlay",
  "job": "manifests/job",
  "pod": "manifests/pod",
  "alerts": "manifests/alerts",
  "networkpolicy": "manifests/examples/networkpolicy",
  "native-sidecar": "tests/k8s/fixtures/native-sidecar",
  "wait": "tests/k8s/fixtures/wait",
  "existing-init": "tests/k8s/fixtures/existing-init",
  "statefulset": "tests/k8s/fixtures/statefulset",
  "migrations-in-image": "tests/k8s/fixtures/migrations-in-image",
  "migrations-from-app-image": "tests/k8s/fixtures/migrations-from-app-image",
  "migrations-from-image-volume": "tests/k8s/fixtures/migrations-from-image-volume",
  "optin-too-late": "tests/k8s/fixtures/optin-too-late",
  "job-argocd": "tests/k8s/fixtures/job-argocd",
  "job-flux": "tests/k8s/fixtures/job-flux",
  "contract-job": "manifests/contract-job",
  "contract-job-argocd": "tests/k8s/fixtures/contract-job-argocd",
  "contract-job-flux": "tests/k8s/fixtures/contract-job-flux",
  "fleet": "manifests/fleet",
  "hazards-patched": "tests/k8s/fixtures/hazards-patched",
};

function render(dir) {
  return execFileSync("kubectl", ["kustomize", join(root, dir)], { encoding: "utf8" });
}

function parse(text) {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length) throw new Error(doc.errors.map(String).join("; "));
    return doc.toJS();
  }).filter(Boolean);
}

// The Helm library chart, through the example app chart that includes it, over a values
// matrix: its renders join the Kustomize ones (golden files, both validators, every rule below).
const helm = process.env.HELM ?? "helm";
const appChart = join(root, "examples/helm/shop");
const helmValues = {
  "helm-default": [],
  "helm-native": ["--set", "schemagate.sidecar.native=true"],
  "helm-job": ["--set", "migrationJob=true", "--set", "schemagate.mode=wait"],
  "helm-settings": ["--set", "schemagate.port=9444", "--set", "schemagate.database.secretName=shop-db",
    "--set", "schemagate.database.secretKey=uri", "--set", "schemagate.image.repository=registry.example/schemagate"],
  "helm-baked": ["--set", "schemagate.migrations.configMap=", "--set", "schemagate.migrations.files="],
  "helm-options": ["-f", join(here, "fixtures/helm-options/values.yaml")],
  "helm-istio": ["--set", "schemagate.mesh=istio", "--set", "migrationJob=true", "--set", "podMonitor=true",
    "--set", "schemagate.podMonitor.release=kube-prometheus-stack"],
  "helm-linkerd": ["--set", "schemagate.mesh=linkerd", "--set", "migrationJob=true", "--set", "schemagate.database.port=6432"],
  "helm-contract": ["--set", "contractJob=true"],
  "helm-hazards": ["--set", "migrationJob=true", "--set", "contractJob=true",
    "--set", "schemagate.hazards.pods=refuse", "--set", "schemagate.hazards.job=off"],
  "helm-fleet": ["--set", "fleetJob=true", "--set", "schemagate.fleet.shards=7", "--set", "schemagate.fleet.connectionBudget=84"],
  "helm-fleet-databases": ["--set", "fleetJob=true", "--set", "schemagate.fleet.tenantSchema=",
    "--set", "schemagate.fleet.tenantUrl.secretName=shop-tenants-url", "--set", "schemagate.fleet.tenants.configMap=",
    "--set", "schemagate.fleet.tenants.query=SELECT name FROM tenants"],
};
function helmRun(args) {
  return execFileSync(helm, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}
helmRun(["dependency", "build", appChart]);
const helmLint = Object.entries(helmValues).map(([name, args]) => [name, helmRun(["lint", "--strict", appChart, ...args])]);

const rendered = Object.fromEntries([
  ...Object.entries(kustomizations).map(([name, dir]) => [name, render(dir)]),
  ...Object.entries(helmValues).map(([name, args]) => [name, helmRun(["template", "shop", appChart, ...args])]),
]);
const objects = Object.fromEntries(
  Object.entries(rendered).map(([name, text]) => [name, parse(text)]));

function find(name, kind, objectName) {
  const found = objects[name].filter((o) => o.kind === kind && (!objectName || o.metadata.name === objectName));
  assert.ok(found.length > 0, `${name}: no ${kind} ${objectName ?? ""}`);
  return found[0];
}

// ---- validator 1: kubernetes-models (types and enum values) ----
async function modelClass(object) {
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : [null, object.apiVersion];
  const module = group === "monitoring.coreos.com"
    ? `@kubernetes-models/prometheus-operator/${group}/${version}/${object.kind}`
    : `kubernetes-models/${group ? `${group}/` : ""}${version}/${object.kind}`;
  const exported = await import(module);
  return exported[object.kind] ?? exported.default?.[object.kind];
}

async function validateWithModels(object) {
  const Model = await modelClass(object);
  assert.ok(Model, `no model for ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

// ---- validator 2: TypeScript + kubernetes-types (unknown fields) ----
function typeImport(object) {
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["core", object.apiVersion];
  if (group === "monitoring.coreos.com") {
    return { from: `@kubernetes-models/prometheus-operator/${group}/${version}/${object.kind}`, type: `I${object.kind}` };
  }
  const shortGroup = group.replace(/\.k8s\.io$/, "");
  return { from: `kubernetes-types/${shortGroup}/${version}`, type: object.kind };
}

function typecheck(objectsToCheck) {
  const dir = mkdtempSync(join(here, ".tsc-"));
  const lines = [];
  objectsToCheck.forEach((object, i) => {
    const { from, type } = typeImport(object);
    lines.push(`import type { ${type} as T${i} } from ${JSON.stringify(from)};`);
    lines.push(`export const o${i}: T${i} = ${JSON.stringify(object, null, 2)};`);
  });
  const file = join(dir, "objects.ts");
  writeFileSync(file, lines.join("\n") + "\n");
  try {
    execFileSync(join(here, "node_modules/.bin/tsc"),
      ["--noEmit", "--strict", "--skipLibCheck", "--moduleResolution", "node", "--target", "es2020", file],
      { cwd: here, encoding: "utf8", stdio: "pipe" });
    return "";
  } catch (error) {
    return String(error.stdout) + String(error.stderr);
  } finally {
    execFileSync("rm", ["-rf", dir]);
  }
}

test("every kustomization renders exactly as its golden file", () => {
  for (const [name, text] of Object.entries(rendered)) {
    const golden = join(here, "golden", `${name}.yaml`);
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
    assert.ok(existsSync(golden), `missing golden file ${golden} (run with UPDATE_GOLDEN=1)`);
    assert.equal(text, readFileSync(golden, "utf8"), `${name} differs from ${golden}`);
  }
});

test("every rendered object passes the schema validator", async () => {
  for (const [name, list] of Object.entries(objects)) {
    for (const object of list) {
      await assert.doesNotReject(validateWithModels(object), `${name}: ${object.kind} ${object.metadata?.name}`);
    }
  }
});

// kubernetes-types stops at Kubernetes 1.30, before image volumes (1.31): that one field is
// checked by shape in the image-volume test; everything around it is still type-checked.
function withoutImageVolumes(object) {
  const spec = object.spec?.template?.spec;
  if (!spec?.volumes?.some((v) => v.image)) return object;
  const copy = structuredClone(object);
  for (const v of copy.spec.template.spec.volumes) {
    if (v.image) { delete v.image; v.emptyDir = {}; }
  }
  return copy;
}

test("every rendered object type-checks against kubernetes-types (no unknown fields)", () => {
  const all = Object.values(objects).flat().map(withoutImageVolumes);
  assert.equal(typecheck(all), "");
});

test("negative fixtures are rejected by the validator that covers them", async () => {
  const negatives = readdirSync(join(here, "negative")).filter((f) => f.endsWith(".yaml"));
  assert.ok(negatives.length >= 3);
  for (const file of negatives) {
    const [object] = parse(readFileSync(join(here, "negative", file), "utf8"));
    const expect = readFileSync(join(here, "negative", file), "utf8").match(/# rejected-by: (\S+)/)[1];
    if (expect === "schema" || expect === "both") {
      await assert.rejects(validateWithModels(object), `${file} must fail the schema validator`);
    }
    if (expect === "types" || expect === "both") {
      assert.notEqual(typecheck([object]), "", `${file} must fail the type check`);
    }
  }
});

function podSpecOf(name, deployment = undefined) {
  const d = deployment ? find(name, "Deployment", deployment) : find(name, "Deployment");
  return d.spec.template.spec;
}

test("the Component puts `schemagate migrate` first and gives the sidecar a readiness probe of its own", () => {
  const sidecarDefault = readFileSync(join(root, "sidecar/sidecar_config.cpp"), "utf8").match(/listen = "0\.0\.0\.0:(\d+)"/)[1];
  for (const name of ["example-overlay", "existing-init"]) {
    const spec = podSpecOf(name, name === "existing-init" ? "billing" : undefined);
    assert.equal(spec.initContainers[0].name, "schemagate");
    assert.deepEqual(spec.initContainers[0].args, ["migrate"]);
    const sidecar = spec.containers.find((c) => c.name === "schemagate-sidecar");
    assert.ok(sidecar, "sidecar container present");
    assert.notEqual(spec.containers[0].name, "schemagate-sidecar", "the app stays the first (default) container");
    const port = sidecar.ports.find((p) => p.name === "schemagate");
    assert.equal(String(port.containerPort), sidecarDefault, "the sidecar listens where its port says");
    assert.equal(sidecar.readinessProbe.httpGet.path, "/readyz");
    assert.equal(sidecar.readinessProbe.httpGet.port, "schemagate", "probes follow the port's name");
    assert.equal(sidecar.livenessProbe.httpGet.path, "/livez");
    assert.equal(sidecar.livenessProbe.httpGet.port, "schemagate");
    assert.ok(![80, 443, 3000, 5000, 8000, 8080, 8443, 9090].includes(port.containerPort), "a port apps rarely use");
  }
  // What is the app's stays the app's: its probe, its user, its ports.
  assert.deepEqual(podSpecOf("existing-init", "billing").containers[0].readinessProbe, { httpGet: { path: "/health", port: 3000 } });
  assert.deepEqual(podSpecOf("example-overlay").containers[0].readinessProbe, { httpGet: { path: "/livez", port: "http" }, periodSeconds: 5 });
  assert.deepEqual(podSpecOf("existing-init", "billing").securityContext, { runAsUser: 1000, fsGroup: 1000 });
  assert.deepEqual(podSpecOf("existing-init", "legacy").securityContext, { runAsUser: 0 });
  assert.deepEqual(podSpecOf("existing-init", "legacy").containers[0].ports, [{ name: "http", containerPort: 8080 }]);
  assert.equal(podSpecOf("example-overlay").securityContext, undefined, "no pod-level securityContext added");
  // An app's own initContainers stay, after the gate.
  assert.deepEqual(podSpecOf("existing-init", "billing").initContainers.map((c) => c.name), ["schemagate", "fetch-config"]);
});

test("a StatefulSet opts in like a Deployment and keeps its own volumes", () => {
  const set = find("statefulset", "StatefulSet", "ledger");
  const spec = set.spec.template.spec;
  assert.deepEqual(spec.initContainers.map((c) => c.name), ["schemagate"]);
  assert.deepEqual(spec.containers.map((c) => c.name), ["ledger", "schemagate-sidecar"]);
  assert.deepEqual(spec.containers[0].volumeMounts, [{ name: "data", mountPath: "/data" }]);
  assert.equal(set.spec.volumeClaimTemplates[0].metadata.name, "data");
  assert.ok(spec.volumes.some((v) => v.name === "schemagate-migrations"));
});

test("migrations baked into a derived image: no volume, no mounts, the image renamed everywhere", () => {
  const spec = podSpecOf("migrations-in-image");
  assert.ok(!(spec.volumes ?? []).some((v) => v.name === "schemagate-migrations"));
  for (const c of [...spec.initContainers, ...spec.containers]) {
    assert.ok(!(c.volumeMounts ?? []).some((m) => m.mountPath === "/migrations"), c.name);
  }
  const ours = [...spec.initContainers, ...spec.containers].filter((c) => c.name.startsWith("schemagate"));
  for (const c of ours) assert.equal(c.image, "registry.example/shop-migrations:42");
});

test("migrations copied from the app's image: the copy runs before the gate into an emptyDir", () => {
  const spec = podSpecOf("migrations-from-app-image");
  assert.deepEqual(spec.initContainers.map((c) => c.name), ["schemagate-copy-migrations", "schemagate"]);
  const copy = spec.initContainers[0];
  assert.equal(copy.image, "registry.example/shop:1.4.2");
  assert.deepEqual(copy.volumeMounts, [{ name: "schemagate-migrations", mountPath: copy.command.at(-1).replace(/\/$/, "") }]);
  const volume = spec.volumes.find((v) => v.name === "schemagate-migrations");
  assert.ok(volume.emptyDir, "an emptyDir");
  assert.equal(volume.configMap, undefined, "no ConfigMap left");
  for (const name of ["schemagate", "schemagate-sidecar"]) {
    const c = [...spec.initContainers, ...spec.containers].find((x) => x.name === name);
    assert.ok(c.volumeMounts.some((m) => m.name === "schemagate-migrations" && m.mountPath === "/migrations"), name);
  }
});

test("migrations from an image volume: the volume names the image `images:` set, nothing else changes", () => {
  const spec = podSpecOf("migrations-from-image-volume");
  const volume = spec.volumes.find((v) => v.name === "schemagate-migrations");
  assert.deepEqual(volume.image, { reference: "registry.example/shop-migrations:1.4.2", pullPolicy: "IfNotPresent" });
  assert.equal(volume.configMap, undefined);
  assert.deepEqual(spec.initContainers.map((c) => c.name), ["schemagate"]);
  assert.deepEqual(podSpecOf("migrations-from-app-image").containers, spec.containers, "the same containers as the other variants");
});

// `schemagate check-manifests` on real renders, converted to JSON offline by kubectl.
function checkManifests(name) {
  const gate = process.env.SCHEMAGATE_GATE_BIN ?? join(root, "build/bin/schemagate");
  const json = execFileSync("kubectl", ["patch", "--local", "-f", "-", "--type", "merge", "-p", "{}", "-o", "json"],
    { input: rendered[name], encoding: "utf8" });
  try {
    return { code: 0, out: execFileSync(gate, ["check-manifests"], { input: json, encoding: "utf8", stdio: "pipe" }) };
  } catch (e) {
    return { code: e.status, out: `${e.stdout}${e.stderr}` };
  }
}

test("check-manifests names a workload whose opt-in label came too late for the Component", () => {
  const late = checkManifests("optin-too-late");
  assert.equal(late.code, 3, late.out);
  assert.match(late.out, /Deployment\/reports: labelled schemagate.io\/gate=enabled but has no schemagate initContainer/);
  for (const name of ["example-overlay", "statefulset", "native-sidecar", "existing-init", "migrations-from-app-image"]) {
    const good = checkManifests(name);
    assert.equal(good.code, 0, `${name}: ${good.out}`);
    assert.match(good.out, /^ok: \d+ gated: /);
  }
  const none = checkManifests("job");
  assert.equal(none.code, 3, "a render with nothing gated is not silently fine");
  assert.match(none.out, /no Deployment or StatefulSet carries schemagate/);
});

test("the GitOps Job variants: Argo CD PreSync hook with its ConfigMaps a wave earlier; Flux force-replaces", () => {
  const argo = find("job-argocd", "Job", "schemagate-migrate");
  assert.equal(argo.metadata.annotations["argocd.argoproj.io/hook"], "PreSync");
  assert.equal(argo.metadata.annotations["argocd.argoproj.io/hook-delete-policy"], "BeforeHookCreation");
  assert.equal(argo.spec.ttlSecondsAfterFinished, undefined, "Argo CD deletes its hooks itself");
  const migrations = objects["job-argocd"].find((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("schemagate-migrations-"));
  assert.equal(migrations.metadata.annotations["argocd.argoproj.io/hook"], "PreSync");
  assert.ok(Number(migrations.metadata.annotations["argocd.argoproj.io/sync-wave"]) < Number(argo.metadata.annotations["argocd.argoproj.io/sync-wave"] ?? 0));
  assert.equal(argo.spec.template.spec.volumes.find((v) => v.name === "schemagate-migrations").configMap.name,
    migrations.metadata.name, "the hook Job mounts the hook ConfigMap");
  const flux = find("job-flux", "Job", "schemagate-migrate");
  assert.equal(flux.metadata.annotations["kustomize.toolkit.fluxcd.io/force"], "enabled");
  assert.deepEqual(flux.spec, find("job", "Job", "schemagate-migrate").spec, "only the annotation differs");
});

test("the contract Job variants: `schemagate contract` after the rollout, annotated as each tool documents", () => {
  const plain = find("contract-job", "Job", "schemagate-contract");
  const migrate = find("job", "Job", "schemagate-migrate");
  const [container] = plain.spec.template.spec.containers;
  assert.deepEqual(container.args, ["contract"]);
  assert.equal(plain.spec.backoffLimit, 0);
  assert.ok(plain.spec.activeDeadlineSeconds * 1000 > 60 * 60 * 1000, "the gate's --timeout ends first");
  assert.equal(container.env.find((e) => e.name === "SCHEMAGATE_TIMEOUT").value, "60m");
  // The same pod as the migration Job's, but for the command and its deadline.
  const sameAsMigrate = structuredClone(plain.spec.template.spec);
  sameAsMigrate.containers[0].args = ["migrate"];
  sameAsMigrate.containers[0].env.find((e) => e.name === "SCHEMAGATE_TIMEOUT").value = "14m";
  assert.deepEqual(sameAsMigrate, migrate.spec.template.spec);
  // Helm: after install and upgrade (https://helm.sh/docs/topics/charts_hooks/).
  const helmJob = find("helm-contract", "Job", "shop-schemagate-contract");
  assert.equal(helmJob.metadata.annotations["helm.sh/hook"], "post-install,post-upgrade");
  assert.equal(helmJob.metadata.annotations["helm.sh/hook-delete-policy"], "before-hook-creation");
  assert.deepEqual(withoutHashes(helmJob.spec.template.spec), withoutHashes(plain.spec.template.spec));
  assert.equal(helmJob.spec.template.spec.volumes[0].configMap.name,
    objects["helm-contract"].find((o) => o.kind === "ConfigMap").metadata.name, "the release's own migrations");
  assert.equal(objects["helm-default"].find((o) => o.kind === "Job"), undefined, "off unless asked for");
  // Argo CD: a PostSync hook runs once the sync is healthy (Argo CD's resource hooks).
  const argo = find("contract-job-argocd", "Job", "schemagate-contract");
  assert.equal(argo.metadata.annotations["argocd.argoproj.io/hook"], "PostSync");
  assert.equal(argo.metadata.annotations["argocd.argoproj.io/hook-delete-policy"], "BeforeHookCreation");
  assert.equal(argo.spec.ttlSecondsAfterFinished, undefined, "Argo CD deletes its hooks itself");
  const argoConfigMap = objects["contract-job-argocd"].find((o) => o.kind === "ConfigMap");
  assert.equal(argoConfigMap.metadata.annotations, undefined, "the app's own ConfigMap, synced before PostSync");
  // Flux: force-replaced (the pod template is immutable), otherwise the plain Job.
  const flux = find("contract-job-flux", "Job", "schemagate-contract");
  assert.equal(flux.metadata.annotations["kustomize.toolkit.fluxcd.io/force"], "enabled");
  assert.deepEqual(flux.spec, plain.spec, "only the annotation differs");
});

// --hazards: the pods' gates defer a hazardous migration to the one-off Job, which applies it
// with a warning (README, "Hazards"); both overridable, in Kustomize by a patch, in Helm by values.
test("SCHEMAGATE_HAZARDS: defer in every pod's gate, warn in every one-off Job, each overridable", () => {
  const hazardsOf = (container) => container.env?.filter((e) => e.name === "SCHEMAGATE_HAZARDS") ?? [];
  const expect = (name, gate, job) => {
    let gates = 0, jobs = 0;
    for (const o of objects[name]) {
      const spec = o.kind === "Pod" ? o.spec : o.spec?.template?.spec;
      if (!spec) continue;
      const oneOff = o.kind === "Job" || o.kind === "Pod";
      for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
        if (c.name !== "schemagate") continue;
        const found = hazardsOf(c);
        assert.equal(found.length, 1, `${name}: ${o.kind}/${o.metadata.name} sets SCHEMAGATE_HAZARDS once`);
        assert.deepEqual(found[0], { name: "SCHEMAGATE_HAZARDS", value: oneOff ? job : gate }, `${name}: ${o.kind}/${o.metadata.name}`);
        oneOff ? jobs++ : gates++;
      }
    }
    return [gates, jobs];
  };
  for (const name of ["example-overlay", "native-sidecar", "wait", "existing-init", "statefulset", "helm-default", "helm-native"]) {
    assert.ok(expect(name, "defer", "warn")[0] >= 1, `${name}: a gate`);
  }
  for (const name of ["job", "pod", "job-argocd", "job-flux", "contract-job", "contract-job-argocd", "contract-job-flux",
    "helm-job", "helm-contract", "helm-istio"]) {
    assert.ok(expect(name, "defer", "warn")[1] >= 1, `${name}: a one-off Job or Pod`);
  }
  assert.deepEqual(expect("hazards-patched", "refuse", "off"), [1, 1]);
  assert.deepEqual(expect("helm-hazards", "refuse", "off"), [1, 2], "the pod's gate; the hook and contract Jobs");
  assert.throws(() => helmRun(["template", "shop", appChart, "--set", "schemagate.hazards.job=later"]), /hazards/);
});

// Generated ConfigMap names carry a content hash (Kustomize's and the chart's own): compare
// without it.
// The chart's names are the release's (shop-schemagate-...), the Components' are fixed.
function withoutHashes(value) {
  return JSON.parse(JSON.stringify(value).replaceAll('"shop-schemagate-', '"schemagate-')
    .replace(/"(schemagate-(?:migrations|settings))-[a-z0-9]{10}"/g, '"$1"'));
}
function ours(spec, list) {
  return (spec[list] ?? []).filter((c) => c.name.startsWith("schemagate"));
}

test("helm lint passes for every values set", () => {
  for (const [name, out] of helmLint) assert.match(out, /0 chart\(s\) failed/, name);
});

test("the Helm chart renders the same containers and volumes as the Kustomize Components", () => {
  for (const [helmName, kustomizeName] of [["helm-default", "example-overlay"], ["helm-native", "native-sidecar"]]) {
    const h = podSpecOf(helmName);
    const k = podSpecOf(kustomizeName);
    for (const list of ["initContainers", "containers"]) {
      assert.deepEqual(withoutHashes(ours(h, list)), withoutHashes(ours(k, list)), `${helmName} vs ${kustomizeName}: ${list}`);
    }
    const schemagateVolumes = (volumes) => volumes.filter((v) => v.name.startsWith("schemagate"));
    assert.deepEqual(withoutHashes(schemagateVolumes(h.volumes)), withoutHashes(schemagateVolumes(k.volumes)));
  }
  const helmJob = find("helm-job", "Job", "shop-schemagate-migrate");
  const kustomizeJob = find("job", "Job", "schemagate-migrate");
  assert.deepEqual(withoutHashes(helmJob.spec.template.spec), withoutHashes(kustomizeJob.spec.template.spec), "the Job's pod");
  assert.equal(helmJob.spec.activeDeadlineSeconds, kustomizeJob.spec.activeDeadlineSeconds);
  assert.equal(helmJob.spec.backoffLimit, kustomizeJob.spec.backoffLimit);
});

test("the Helm hook Job runs before install and upgrade, after its migrations ConfigMap", () => {
  const job = find("helm-job", "Job", "shop-schemagate-migrate");
  assert.equal(job.metadata.annotations["helm.sh/hook"], "pre-install,pre-upgrade");
  assert.equal(job.metadata.annotations["helm.sh/hook-delete-policy"], "before-hook-creation");
  const configMap = objects["helm-job"].find((o) => o.kind === "ConfigMap");
  assert.equal(configMap.metadata.annotations["helm.sh/hook"], "pre-install,pre-upgrade");
  assert.ok(Number(configMap.metadata.annotations["helm.sh/hook-weight"]) < Number(job.metadata.annotations["helm.sh/hook-weight"]));
  assert.equal(job.spec.template.spec.volumes[0].configMap.name, configMap.metadata.name);
  assert.deepEqual(ours(podSpecOf("helm-job"), "initContainers")[0].args, ["wait"], "the pods only wait");
  assert.equal(objects["helm-default"].find((o) => o.kind === "ConfigMap").metadata.annotations, undefined,
    "without the Job the ConfigMap is an ordinary object");
});

test("Helm settings: one port value moves the port and the probes, the Secret's name and key are settings", () => {
  const sidecar = ours(podSpecOf("helm-settings"), "containers")[0];
  assert.deepEqual(sidecar.ports, [{ name: "schemagate", containerPort: 9444, protocol: "TCP" }]);
  assert.ok(sidecar.env.some((e) => e.name === "SCHEMAGATE_LISTEN" && e.value === "0.0.0.0:9444"));
  assert.equal(sidecar.readinessProbe.httpGet.port, "schemagate");
  for (const c of [...ours(podSpecOf("helm-settings"), "initContainers"), sidecar]) {
    assert.deepEqual(c.env.find((e) => e.name === "DATABASE_URL").valueFrom.secretKeyRef, { name: "shop-db", key: "uri" });
    assert.equal(c.image, "registry.example/schemagate:0.1.0");
  }
  const baked = podSpecOf("helm-baked");
  assert.deepEqual(baked.volumes.map((v) => v.name), ["tmp"], "no migrations volume when they are in the image");
  assert.equal(objects["helm-baked"].find((o) => o.kind === "ConfigMap"), undefined, "no ConfigMap named \"\"");
  assert.ok(ours(baked, "initContainers").every((c) => !c.volumeMounts));
});

test("the chart's values.schema.json refuses malformed values, naming them", () => {
  for (const [args, field] of [[["--set", "schemagate.mode=both"], "mode"], [["--set", "schemagate.port=70000"], "port"],
    [["--set", "schemagate.database.secretName="], "secretName"], [["--set", "schemagate.sidecar.nativ=true"], "nativ"]]) {
    assert.throws(() => helmRun(["template", "shop", appChart, ...args]), (e) => String(e.stderr).includes(field), args.join(" "));
  }
});

test("Deployments that did not opt in are left alone", () => {
  const spec = podSpecOf("existing-init", "untouched");
  assert.equal(spec.initContainers, undefined);
  assert.deepEqual(spec.containers.map((c) => c.name), ["untouched"]);
});

test("the database URL comes from a Secret, never a literal", () => {
  for (const [name, list] of Object.entries(objects)) {
    const templates = list.filter((o) => ["Deployment", "StatefulSet", "Job"].includes(o.kind)).map((o) => o.spec.template.spec);
    for (const spec of templates) {
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        for (const env of c.env ?? []) {
          if (env.name !== "DATABASE_URL") continue;
          assert.equal(env.value, undefined, `${name}/${c.name}: DATABASE_URL must not be a literal`);
          const expected = { "helm-settings": { name: "shop-db", key: "uri" }, "helm-options": { name: "shop-db", key: "uri" } }[name]
            ?? (name.startsWith("helm-") ? { name: "shop-schemagate-database", key: "url" } : { name: "schemagate-database", key: "url" });
          assert.deepEqual(env.valueFrom.secretKeyRef, expected, `${name}/${c.name}`);
        }
      }
    }
    for (const cm of list.filter((o) => o.kind === "ConfigMap")) {
      assert.ok(!JSON.stringify(cm.data ?? {}).includes("postgresql://"), `${name}: URL in ConfigMap ${cm.metadata.name}`);
    }
  }
});

test("schemagate containers are hardened and bounded", () => {
  for (const [name, list] of Object.entries(objects)) {
    for (const o of list.filter((x) => ["Deployment", "StatefulSet", "Job", "Pod"].includes(x.kind))) {
      const spec = o.kind === "Pod" ? o.spec : o.spec.template.spec;
      const ours = [...(spec.initContainers ?? []), ...spec.containers].filter((c) => c.name.startsWith("schemagate"));
      if (ours.length === 0) continue;
      for (const c of ours) {
        const sc = c.securityContext;
        assert.equal(sc.runAsNonRoot, true, `${name}/${c.name}`);
        const user = name === "helm-options" ? 10001 : 65532;  // that render overrides securityContext
        assert.equal(sc.runAsUser, user, `${name}/${c.name}: its own user, whatever the pod's`);
        assert.equal(sc.readOnlyRootFilesystem, true, `${name}/${c.name}`);
        assert.equal(sc.allowPrivilegeEscalation, false, `${name}/${c.name}`);
        assert.deepEqual(sc.capabilities.drop, ["ALL"], `${name}/${c.name}`);
        assert.equal(sc.seccompProfile.type, "RuntimeDefault", `${name}/${c.name}`);
        assert.ok(c.resources.requests.cpu && c.resources.requests.memory, `${name}/${c.name} requests`);
        assert.ok(c.resources.limits.cpu && c.resources.limits.memory, `${name}/${c.name} limits`);
        assert.equal(c.terminationMessagePolicy, "FallbackToLogsOnError", `${name}/${c.name}`);
        const mounted = (spec.volumes ?? []).some((v) => v.name === "schemagate-migrations");
        // The copy container is the one writer of the migrations volume.
        if (mounted && c.name !== "schemagate-copy-migrations") {
          assert.ok(c.volumeMounts.some((m) => m.mountPath === "/migrations" && m.readOnly), `${name}/${c.name} migrations`);
        }
      }
    }
  }
});

test("the migrations ConfigMap is generated from the example migrations and mounted", () => {
  const cm = objects["example-overlay"].find((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("schemagate-migrations-"));
  assert.deepEqual(Object.keys(cm.data).sort(), readdirSync(join(root, "examples/migrations")).sort());
  const volume = podSpecOf("example-overlay").volumes.find((v) => v.name === "schemagate-migrations");
  assert.equal(volume.configMap.name, cm.metadata.name, "the hashed name is wired into the volume");
});

test("the native-sidecar variant runs the sidecar as a restartable initContainer before the gate", () => {
  const spec = podSpecOf("native-sidecar");
  assert.deepEqual(spec.initContainers.map((c) => c.name), ["schemagate-sidecar", "schemagate"]);
  assert.equal(spec.initContainers[0].restartPolicy, "Always");
  assert.equal(spec.initContainers[1].restartPolicy, undefined);
  assert.deepEqual(spec.initContainers[1].args, ["migrate"]);
  assert.ok(!spec.containers.some((c) => c.name === "schemagate-sidecar"));
  // A native sidecar's readinessProbe counts toward the Pod's readiness (Kubernetes >= 1.29).
  assert.equal(spec.initContainers[0].readinessProbe.httpGet.path, "/readyz");
  assert.equal(spec.initContainers[0].readinessProbe.httpGet.port, "schemagate");
  assert.ok(!spec.containers.some((c) => c.readinessProbe?.httpGet?.path === "/readyz"), "the app's probe is its own");
});

test("the wait variant only waits, and the image tag is set without editing the Component", () => {
  const spec = podSpecOf("wait");
  assert.deepEqual(spec.initContainers[0].args, ["wait"]);
  for (const c of [...spec.initContainers, ...spec.containers]) assert.equal(c.image, "schemagate:9.9.9");
});

test("the Job is a one-shot with a deadline and cleanup", () => {
  const job = find("job", "Job", "schemagate-migrate");
  assert.equal(job.spec.backoffLimit, 0);
  assert.ok(job.spec.activeDeadlineSeconds > 0);
  assert.ok(job.spec.ttlSecondsAfterFinished > 0);
  assert.equal(job.spec.template.spec.restartPolicy, "Never");
  assert.deepEqual(job.spec.template.spec.containers[0].args, ["migrate"]);
});

test("the bare Pod runs once and is the Job's pod template, nothing more or less", () => {
  const pod = find("pod", "Pod", "schemagate-migrate");
  const job = find("job", "Job", "schemagate-migrate");
  assert.equal(pod.spec.restartPolicy, "Never");
  assert.equal(pod.spec.activeDeadlineSeconds, job.spec.activeDeadlineSeconds);
  const { activeDeadlineSeconds, ...podSpec } = pod.spec;
  assert.deepEqual(podSpec, job.spec.template.spec, "the same gate, the same settings");
});

test("the alert rules use only metrics the sidecar exports", () => {
  const rule = find("alerts", "PrometheusRule", "schemagate");
  const exported = ["sidecar/metrics.cpp", "sidecar/hazard_metrics.cpp"]
    .flatMap((file) => readFileSync(join(root, file), "utf8").match(/schemagate_[a-z_]+/g));
  for (const r of rule.spec.groups[0].rules) {
    for (const metric of r.expr.match(/schemagate_[a-z_]+/g) ?? []) {
      assert.ok(exported.includes(metric), `${r.alert} uses ${metric}, which the sidecar does not export`);
    }
  }
});

test("every alert links a runbook that is a section of docs/operations-and-runbooks.md", () => {
  const rule = find("alerts", "PrometheusRule", "schemagate");
  const anchors = readFileSync(join(root, "docs/operations-and-runbooks.md"), "utf8").split("\n")
    .filter((line) => line.startsWith("#"))
    .map((line) => line.replace(/^#+\s*/, "").toLowerCase().replace(/[^a-z0-9 -]/g, "").replaceAll(" ", "-"));
  for (const r of rule.spec.groups[0].rules) {
    const url = r.annotations.runbook_url;
    assert.ok(url, `${r.alert} has no runbook_url`);
    const anchor = url.split("#")[1];
    assert.ok(anchors.includes(anchor), `${r.alert}: docs/operations-and-runbooks.md has no section #${anchor}`);
    assert.equal(anchor, `runbook-${r.alert.toLowerCase()}`);
  }
});

test("the PodMonitor scrapes the sidecar's named port and selects no label of the app's", () => {
  const monitor = find("alerts", "PodMonitor", "schemagate");
  assert.deepEqual(monitor.spec.selector, {});
  const sidecar = podSpecOf("example-overlay").containers.find((c) => c.name === "schemagate-sidecar");
  assert.deepEqual(monitor.spec.podMetricsEndpoints.map((e) => [e.port, e.path]),
    [[sidecar.ports[0].name, "/metrics"]]);
});

test("the NetworkPolicy example admits the scraper on the sidecar's named port and keeps the app's port", () => {
  const policy = find("networkpolicy", "NetworkPolicy");
  const sidecarPorts = find("example-overlay", "Deployment").spec.template.spec.containers
    .flatMap((c) => c.ports ?? []).map((p) => p.name);
  const rules = policy.spec.ingress;
  const scraper = rules.find((r) => r.from);
  assert.ok(sidecarPorts.includes(scraper.ports[0].port), "the policy names a port the sidecar declares");
  assert.ok(rules.some((r) => !r.from && r.ports.some((p) => p.port === 9090)), "the app's own port stays open");
});

test("every schemagate image in every render carries the one version, CMake's project version", () => {
  const version = readFileSync(join(root, "CMakeLists.txt"), "utf8").match(/project\(schemagate VERSION ([0-9.]+)/)[1];
  const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
  assert.match(dockerfile, new RegExp(`ARG VERSION=${version.replaceAll(".", "\\.")}\\b`));
  let seen = 0;
  for (const [name, list] of Object.entries(objects)) {
    if (name === "wait" || name === "helm-options") continue;  // these set an image of their own on purpose
    for (const object of list) {
      const spec = object.spec?.template?.spec ?? object.spec?.jobTemplate?.spec?.template?.spec;
      for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
        if (!c.image?.startsWith("schemagate")) continue;
        assert.equal(c.image, `schemagate:${version}`, `${name}: ${c.name}`);
        seen += 1;
      }
    }
  }
  assert.ok(seen > 5, `only ${seen} schemagate containers seen`);
});

test("the fleet's Indexed Job: one shard per index, its failure policy and its budget", () => {
  const job = find("fleet", "Job", "schemagate-fleet");
  const env = Object.fromEntries(job.spec.template.spec.containers[0].env.map((e) => [e.name, e.value]));
  assert.equal(job.spec.completionMode, "Indexed");
  assert.equal(job.spec.template.spec.restartPolicy, "Never");
  assert.ok(job.spec.backoffLimitPerIndex > 0);
  assert.equal(Number(env.SCHEMAGATE_SHARDS), job.spec.completions, "the shard count is the Job's completions");
  const rule = (action) => job.spec.podFailurePolicy.rules.find((r) => r.action === action && r.onExitCodes);
  assert.deepEqual(rule("FailIndex").onExitCodes.values, [3, 5]);
  assert.deepEqual(rule("Count").onExitCodes.values, [4]);
  // The comment's arithmetic holds: every shard's sessions of 3 connections within the budget.
  assert.ok(job.spec.completions * Number(env.SCHEMAGATE_PARALLEL) * 3 <= Number(env.SCHEMAGATE_CONNECTION_BUDGET));
  assert.deepEqual(job.spec.template.spec.containers[0].args, ["fleet", "migrate"]);
});
