// SPDX-License-Identifier: Apache-2.0
// Helm conventions of the library chart (charts/schemagate), through the example app chart:
// release-scoped names, `tpl` on values that name objects, the values charts commonly use,
// the recommended labels, helpers that merge into an app's own `volumes:` and `env:`, the
// documented cleanup selector, and the restricted Pod Security Standard for the example apps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { Job } from "kubernetes-models/batch/v1/Job";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const helm = process.env.HELM ?? "helm";
const appChart = join(root, "examples/helm/shop");
const optionsFile = join(here, "fixtures/helm-options/values.yaml");

function helmRun(args) {
  return execFileSync(helm, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}
// Duplicate keys are errors here (the yaml package's uniqueKeys default), as in kubectl.
function parse(text) {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length) throw new Error(doc.errors.map(String).join("; "));
    return doc.toJS();
  }).filter(Boolean);
}
helmRun(["dependency", "build", appChart]);
function render(release, ...args) {
  return parse(helmRun(["template", release, appChart, "--namespace", "shared", ...args]));
}

const isOurs = (o) => o.metadata?.labels?.["app.kubernetes.io/name"] === "schemagate";
function podSpec(o) { return o.kind === "Pod" ? o.spec : o.spec.template.spec; }
function containers(spec) { return [...(spec.initContainers ?? []), ...spec.containers]; }
// Every namespaced name schemagate's parts create or refer to: its own objects, and the
// Secret and ConfigMaps its containers and volumes name.
function namesOf(objects) {
  const names = new Set(objects.filter(isOurs).map((o) => `${o.kind}/${o.metadata.name}`));
  for (const o of objects.filter((x) => ["Deployment", "Job"].includes(x.kind))) {
    const spec = podSpec(o);
    for (const c of containers(spec).filter((x) => x.name.startsWith("schemagate"))) {
      for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) names.add(`Secret/${e.valueFrom.secretKeyRef.name}`);
      for (const f of c.envFrom ?? []) if (f.configMapRef) names.add(`ConfigMap/${f.configMapRef.name}`);
    }
    for (const v of spec.volumes ?? []) if (v.name === "schemagate-migrations") names.add(`ConfigMap/${v.configMap.name}`);
  }
  return names;
}

test("two releases in one namespace share no name of schemagate's", () => {
  const a = namesOf(render("shop", "--set", "migrationJob=true", "--set", "contractJob=true"));
  const b = namesOf(render("shop-canary", "--set", "migrationJob=true", "--set", "contractJob=true"));
  assert.ok(a.size >= 4, [...a].join(" "));
  assert.ok([...a].some((n) => n.startsWith("Job/")), "the hook Job is among them");
  const shared = [...a].filter((n) => b.has(n));
  assert.deepEqual(shared, [], "each release's Job, ConfigMaps and Secret are its own");
  // A hook's before-hook-creation deletes only an object of the same name: the other release's
  // Job survives.
  assert.ok(a.has("Job/shop-schemagate-migrate") && b.has("Job/shop-canary-schemagate-migrate"));
  assert.ok(a.has("Job/shop-schemagate-contract") && b.has("Job/shop-canary-schemagate-contract"));
});

test("values that name other objects go through tpl; fullnameOverride replaces the base name", () => {
  const objects = render("shop", "-f", optionsFile);
  const job = objects.find((o) => o.kind === "Job");
  assert.equal(job.metadata.name, "shop-gate-migrate");
  const spec = podSpec(job);
  const c = spec.containers[0];
  assert.deepEqual(c.env.find((e) => e.name === "DATABASE_URL").valueFrom.secretKeyRef, { name: "shop-db", key: "uri" });
  assert.equal(c.envFrom[0].configMapRef.name, "shop-settings");
  assert.equal(spec.serviceAccountName, "shop-migrator");
  assert.match(spec.volumes[0].configMap.name, /^shop-gate-migrations-[0-9a-f]{10}$/);
});

test("the common values land where chart users expect them", () => {
  const objects = render("shop", "-f", optionsFile);
  const job = objects.find((o) => o.kind === "Job");
  const spec = podSpec(job);
  const gate = spec.containers[0];
  assert.equal(gate.image, "registry.example/schemagate:0.1.0@sha256:" + "0".repeat(61) + "abc", "image.digest pins");
  assert.deepEqual(spec.imagePullSecrets, [{ name: "registry-credentials" }, { name: "plain-name" }]);
  assert.deepEqual(gate.env.at(-1), { name: "PGCONNECT_TIMEOUT", value: "5" }, "extraEnv after schemagate's own");
  assert.deepEqual(gate.envFrom.at(-1), { secretRef: { name: "shop-extra" } }, "extraEnvFrom");
  assert.ok(gate.env.some((e) => e.name === "SCHEMAGATE_NAME" && e.value === "shop"), "setName");
  assert.equal(gate.securityContext.runAsUser, 10001, "securityContext override");
  assert.equal(gate.securityContext.seccompProfile.type, "RuntimeDefault", "the rest stays restricted");
  assert.deepEqual(gate.resources.limits, { cpu: "1", memory: "256Mi" }, "job.resources");
  assert.deepEqual(spec.nodeSelector, { "kubernetes.io/arch": "arm64" });
  assert.equal(spec.tolerations[0].key, "dedicated");
  assert.ok(spec.affinity.nodeAffinity);
  assert.equal(job.spec.template.metadata.annotations["sidecar.istio.io/inject"], "false");
  assert.equal(job.spec.template.metadata.labels.team, "payments");
  const deployment = objects.find((o) => o.kind === "Deployment");
  for (const c of containers(podSpec(deployment)).filter((x) => x.name.startsWith("schemagate"))) {
    assert.equal(c.image, gate.image, c.name);
    assert.ok(c.env.some((e) => e.name === "PGCONNECT_TIMEOUT"), `${c.name}: extraEnv`);
    assert.ok(c.env.some((e) => e.name === "SCHEMAGATE_NAME"), `${c.name}: setName`);
  }
});

test("every value name the issue lists exists in values.yaml and the schema", () => {
  const values = parse(readFileSync(join(root, "charts/schemagate/values.yaml"), "utf8"))[0];
  const schema = JSON.parse(readFileSync(join(root, "charts/schemagate/values.schema.json"), "utf8"));
  for (const path of ["imagePullSecrets", "image.digest", "extraEnv", "extraEnvFrom", "securityContext", "resources",
    "setName", "job.nodeSelector", "job.tolerations", "job.affinity", "job.serviceAccountName", "job.podAnnotations",
    "job.podLabels", "job.resources"]) {
    const keys = path.split(".");
    assert.notEqual(keys.reduce((v, k) => v?.[k], values), undefined, `values.yaml: ${path}`);
    assert.ok(keys.reduce((s, k) => s?.properties?.[k], schema), `values.schema.json: ${path}`);
  }
});

test("schemagate's objects carry the recommended labels", () => {
  for (const o of render("shop", "--set", "migrationJob=true", "--set", "contractJob=true").filter(isOurs)) {
    for (const label of ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component",
      "app.kubernetes.io/version", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by", "helm.sh/chart"]) {
      assert.ok(o.metadata.labels[label], `${o.kind}/${o.metadata.name}: ${label}`);
    }
    assert.equal(o.metadata.labels["app.kubernetes.io/instance"], "shop");
  }
});

test("an app chart with volumes and env of its own includes the helpers without duplicate keys", () => {
  // The parser refuses a duplicate key (the mistake the old `volumes:` snippet made).
  assert.throws(() => parse("volumes: []\nvolumes: []\n"), /unique/);
  const text = helmRun(["template", "shop", appChart]);
  const deployment = parse(text).find((o) => o.kind === "Deployment");
  const spec = podSpec(deployment);
  assert.deepEqual(spec.volumes.map((v) => v.name), ["tmp", "schemagate-migrations"]);
  assert.deepEqual(spec.containers[0].env.map((e) => e.name), ["LOG_LEVEL", "DATABASE_URL"]);
  assert.equal(spec.containers[0].env[1].valueFrom.secretKeyRef.name, "shop-schemagate-database");
  execFileSync("yamllint", ["-d", "{extends: relaxed, rules: {key-duplicates: enable, line-length: disable, trailing-spaces: disable}}", "-"],
    { input: text, encoding: "utf8" });
  // The README's snippets are the ones the example uses.
  const readme = readFileSync(join(root, "charts/schemagate/README.md"), "utf8");
  const example = readFileSync(join(appChart, "templates/deployment.yaml"), "utf8");
  for (const line of ['{{- include "schemagate.volumes" . | nindent 8 }}', '{{- include "schemagate.databaseEnv" . | nindent 12 }}']) {
    assert.ok(readme.includes(line) && example.includes(line), line);
  }
});

// A label selector as kubectl reads it: k=v, k!=v, comma-separated.
function matches(selector, labels) {
  return selector.split(",").every((term) => {
    const [key, value] = term.split(/!?=/);
    return term.includes("!=") ? labels[key] !== value : labels[key] === value;
  });
}

test("the documented cleanup deletes only this release's older migration sets", () => {
  const readme = readFileSync(join(root, "charts/schemagate/README.md"), "utf8");
  const selector = readme.match(/kubectl delete configmap -l '([^']+)'/)[1];
  const cm = (release, files) => render(release, "--set", "migrationJob=true", "--set", `schemagate.migrations.files=${files}`)
    .find((o) => o.kind === "ConfigMap" && isOurs(o));
  const current = cm("shop", "migrations/*.sql");
  const older = cm("shop", "migrations/V1*.sql");
  const other = cm("billing", "migrations/V1*.sql");
  const bound = selector.replace("RELEASE", "shop").replace("CURRENT", current.metadata.labels["schemagate.io/migrations-hash"]);
  assert.notEqual(older.metadata.name, current.metadata.name);
  assert.ok(matches(bound, older.metadata.labels), "the release's older set is deleted");
  assert.ok(!matches(bound, current.metadata.labels), "the set the pods mount stays");
  assert.ok(!matches(bound, other.metadata.labels), "another release's set stays");
  for (const doc of ["README.md", "charts/schemagate/templates/_job.tpl"]) {
    assert.doesNotMatch(readFileSync(join(root, doc), "utf8"), /delete configmap -l app\.kubernetes\.io\/name=schemagate[`']/, doc);
  }
});

// The restricted Pod Security Standard's container rules (kubernetes.io/docs/concepts/security/
// pod-security-standards): every container of the example apps, the app's own included.
test("the example apps meet the restricted Pod Security Standard", () => {
  const kustomized = parse(execFileSync("kubectl", ["kustomize", join(root, "manifests/examples/overlay")], { encoding: "utf8" }));
  for (const [name, objects] of [["kustomize", kustomized], ["helm", render("shop")], ["helm-job", render("shop", "--set", "migrationJob=true")]]) {
    for (const o of objects.filter((x) => ["Deployment", "Job"].includes(x.kind))) {
      const spec = podSpec(o);
      for (const c of containers(spec)) {
        const sc = { ...(spec.securityContext ?? {}), ...(c.securityContext ?? {}) };
        const where = `${name}: ${o.kind}/${o.metadata.name}/${c.name}`;
        assert.equal(sc.runAsNonRoot, true, where);
        assert.equal(c.securityContext?.allowPrivilegeEscalation, false, where);
        assert.ok(c.securityContext?.capabilities?.drop?.includes("ALL"), where);
        assert.ok(["RuntimeDefault", "Localhost"].includes(sc.seccompProfile?.type), `${where}: seccompProfile`);
        assert.notEqual(sc.runAsUser, 0, where);
      }
    }
  }
});

// Service meshes (docs/platforms.md): the gate runs before any proxy, so its database port
// bypasses the interception; the Job opts out of the mesh, whose proxy would never exit.
test("mesh settings: Istio and Linkerd annotations on the app's pod and the Job's", () => {
  const podOf = (objects, kind) => objects.find((o) => o.kind === kind).spec.template.metadata.annotations;
  const istio = render("shop", "--set", "schemagate.mesh=istio", "--set", "migrationJob=true");
  assert.deepEqual(podOf(istio, "Deployment"), {
    "traffic.sidecar.istio.io/excludeOutboundPorts": "5432",
    "proxy.istio.io/config": '{"holdApplicationUntilProxyStarts": true}',
  });
  assert.deepEqual(JSON.parse(podOf(istio, "Deployment")["proxy.istio.io/config"]), { holdApplicationUntilProxyStarts: true });
  assert.deepEqual(podOf(istio, "Job"), { "sidecar.istio.io/inject": "false" });
  const linkerd = render("shop", "--set", "schemagate.mesh=linkerd", "--set", "schemagate.database.port=6432",
    "--set", "migrationJob=true", "--set", "schemagate.job.podAnnotations.linkerd\\.io/inject=enabled");
  assert.deepEqual(podOf(linkerd, "Deployment"), { "config.linkerd.io/skip-outbound-ports": "6432" });
  assert.deepEqual(podOf(linkerd, "Job"), { "linkerd.io/inject": "enabled" }, "job.podAnnotations win, no duplicate key");
  assert.equal(podOf(render("shop"), "Deployment"), undefined, "no mesh: no annotation");
  assert.throws(() => render("shop", "--set", "schemagate.mesh=consul"), /mesh/);
});

test("the PodMonitor carries kube-prometheus-stack's release label as a value and scrapes the sidecar's port", () => {
  const objects = render("shop", "--set", "podMonitor=true", "--set", "schemagate.podMonitor.release=prom",
    "--set", "schemagate.podMonitor.selector.matchLabels.app=shop");
  const monitor = objects.find((o) => o.kind === "PodMonitor");
  assert.equal(monitor.metadata.name, "shop-schemagate");
  assert.equal(monitor.metadata.labels.release, "prom");
  assert.deepEqual(monitor.spec.selector, { matchLabels: { app: "shop" } });
  const sidecar = podSpec(objects.find((o) => o.kind === "Deployment")).containers.find((c) => c.name === "schemagate-sidecar");
  assert.equal(monitor.spec.podMetricsEndpoints[0].port, sidecar.ports[0].name);
  const unlabelled = render("shop", "--set", "podMonitor=true").find((o) => o.kind === "PodMonitor");
  assert.equal(unlabelled.metadata.labels.release, undefined);
});

// The fleet's Indexed Job (docs/fleet.md): the Kustomize Job's properties, rendered by the chart.
const fleetJobOf = (...args) => render("shop", "--set", "fleetJob=true", ...args).find((o) => o.kind === "Job");
const envOf = (job) => Object.fromEntries(job.spec.template.spec.containers[0].env.map((e) => [e.name, e.value ?? e.valueFrom]));

test("the fleet Job has the Kustomize Indexed Job's shape: index per shard, failure policy, security", async () => {
  const kustomized = parse(execFileSync("kubectl", ["kustomize", join(root, "manifests/fleet")], { encoding: "utf8" }))
    .find((o) => o.kind === "Job");
  const job = fleetJobOf();
  await new Job(job).validate();
  assert.match(job.metadata.name, /^shop-schemagate-fleet-[0-9a-f]{8}$/);
  assert.equal(job.metadata.labels["app.kubernetes.io/component"], "fleet-migration");
  for (const key of ["completionMode", "completions", "parallelism", "backoffLimitPerIndex", "podFailurePolicy",
    "activeDeadlineSeconds", "ttlSecondsAfterFinished"]) {
    assert.deepEqual(job.spec[key], kustomized.spec[key], key);
  }
  const [spec, theirs] = [job.spec.template.spec, kustomized.spec.template.spec];
  assert.equal(spec.restartPolicy, "Never");
  assert.deepEqual(spec.securityContext, theirs.securityContext, "the pod's securityContext");
  const [c, k] = [spec.containers[0], theirs.containers[0]];
  assert.equal(c.name, "schemagate", "the container the podFailurePolicy names");
  assert.deepEqual(c.args, k.args);
  assert.deepEqual(c.securityContext, k.securityContext, "the container's securityContext");
  assert.deepEqual(c.resources, k.resources);
  const [env, kenv] = [envOf(job), envOf(kustomized)];
  for (const name of Object.keys(kenv)) {
    assert.ok(name in env, `env ${name}`);
    if (typeof kenv[name] === "string") assert.equal(env[name], kenv[name], `env ${name}`);
  }
  assert.deepEqual(c.volumeMounts.map((m) => m.mountPath), k.volumeMounts.map((m) => m.mountPath));
  assert.equal(spec.volumes.find((v) => v.name === "schemagate-tenants").configMap.name, "shop-schemagate-tenants");
  assert.equal(env.SCHEMAGATE_TENANTS_FILE, "/tenants/tenants.txt");
  // The Job's own settings, as the hook Job takes them.
  const options = fleetJobOf("-f", optionsFile);
  assert.equal(options.spec.template.spec.serviceAccountName, "shop-migrator");
  assert.equal(options.spec.template.spec.containers[0].securityContext.runAsUser, 10001);
});

test("fleet.shards is the Job's completions, its parallelism and SCHEMAGATE_SHARDS at once", async () => {
  const job = fleetJobOf("--set", "schemagate.fleet.shards=7", "--set", "schemagate.fleet.connectionBudget=84");
  await new Job(job).validate();
  assert.equal(job.spec.completions, 7);
  assert.equal(job.spec.parallelism, 7);
  assert.equal(envOf(job).SCHEMAGATE_SHARDS, "7");
  assert.equal(envOf(job).SCHEMAGATE_CONNECTION_BUDGET, "84");
  // Another spec, another name: the running Job of the previous settings is not patched.
  assert.notEqual(job.metadata.name, fleetJobOf().metadata.name);
  assert.equal(fleetJobOf().metadata.name, fleetJobOf().metadata.name, "the same settings, the same Job");
});

test("a connection budget below shards x 3 (x 2 per tenant database) is refused by helm template", () => {
  const refuse = (...args) => assert.throws(() => fleetJobOf(...args), (error) => {
    assert.match(String(error.stderr), /schemagate\.fleet\.connectionBudget: 20 cannot give each of the 7 shards one session of 3 connections \(needs at least 21\)/);
    return true;
  });
  refuse("--set", "schemagate.fleet.shards=7", "--set", "schemagate.fleet.connectionBudget=20");
  assert.equal(fleetJobOf("--set", "schemagate.fleet.shards=7", "--set", "schemagate.fleet.connectionBudget=21").spec.completions, 7);
  const perDatabase = ["--set", "schemagate.fleet.tenantSchema=", "--set", "schemagate.fleet.tenantUrl.value=postgres://app@db/t_{tenant}",
    "--set", "schemagate.fleet.shards=7"];
  assert.equal(envOf(fleetJobOf(...perDatabase, "--set", "schemagate.fleet.connectionBudget=14")).SCHEMAGATE_CONNECTION_BUDGET, "14");
  assert.throws(() => fleetJobOf(...perDatabase, "--set", "schemagate.fleet.connectionBudget=13"), /needs at least 14/);
  // The schema refuses each value alone.
  assert.throws(() => fleetJobOf("--set", "schemagate.fleet.shards=0"), /fleet\.shards/);
  assert.throws(() => fleetJobOf("--set", "schemagate.fleet.tenantSchema=tenants"), /fleet\.tenantSchema/);
});

test("fleet tenants from a query, databases from a Secret; one source of each, or a clear refusal", async () => {
  const job = fleetJobOf("--set", "schemagate.fleet.tenants.configMap=", "--set", "schemagate.fleet.tenants.query=SELECT name FROM tenants",
    "--set", "schemagate.fleet.tenantSchema=", "--set-literal", "schemagate.fleet.tenantUrl.secretName={{ .Release.Name }}-tenants-url");
  await new Job(job).validate();
  const env = envOf(job);
  assert.equal(env.SCHEMAGATE_TENANTS_QUERY, "SELECT name FROM tenants");
  assert.deepEqual(env.SCHEMAGATE_TENANT_URL, { secretKeyRef: { name: "shop-tenants-url", key: "url" } });
  assert.equal(env.SCHEMAGATE_TENANTS_FILE, undefined);
  assert.equal(env.SCHEMAGATE_TENANT_SCHEMA, undefined);
  assert.ok(!job.spec.template.spec.volumes.some((v) => v.name === "schemagate-tenants"), "no tenants volume");
  assert.ok(!job.spec.template.spec.containers[0].volumeMounts.some((m) => m.name === "schemagate-tenants"));
  assert.throws(() => fleetJobOf("--set", "schemagate.fleet.tenants.query=SELECT 1"), /set configMap or query, not both/);
  assert.throws(() => fleetJobOf("--set", "schemagate.fleet.tenants.configMap="), /fleet\.tenants: set configMap/);
  assert.throws(() => fleetJobOf("--set", "schemagate.fleet.tenantUrl.value=postgres://h/t_{tenant}"), /tenantSchema .* or tenantUrl/);
  // A password in the value would be in the Job's spec and the release history: refused, and
  // the refusal does not print it.
  assert.throws(() => fleetJobOf("--set", "schemagate.fleet.tenantSchema=", "--set",
    "schemagate.fleet.tenantUrl.value=postgres://app:Sekret-91@db/t_{tenant}"), (error) => {
    assert.match(String(error.stderr), /tenantUrl\.value holds a password/);
    assert.doesNotMatch(String(error.stderr), /Sekret-91/);
    return true;
  });
});
