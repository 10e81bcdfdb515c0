// SPDX-License-Identifier: Apache-2.0
// Prints "<port> <path> <periodSeconds>" of a readinessProbe in a rendered manifest, so the
// end-to-end test probes exactly what the kubelet would: `schema` (the default) is the probe on
// /readyz (schemagate's sidecar, a container or a native-sidecar initContainer); `app` is the
// first container's own. A named port is resolved to the container's port number.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const which = process.argv[2] ?? "schema";
for (const doc of parseAllDocuments(readFileSync(0, "utf8"))) {
  const object = doc.toJS();
  if (object?.kind !== "Deployment" && object?.kind !== "Pod") continue;
  const spec = object.kind === "Pod" ? object.spec : object.spec.template.spec;
  const all = [...(spec.initContainers ?? []), ...spec.containers];
  const container = which === "app"
    ? spec.containers[0]
    : all.find((c) => c.readinessProbe?.httpGet?.path === "/readyz");
  const probe = container?.readinessProbe;
  if (!probe) process.exit(1);
  let port = probe.httpGet.port;
  if (typeof port === "string") port = container.ports.find((p) => p.name === port).containerPort;
  console.log(`${port} ${probe.httpGet.path} ${probe.periodSeconds ?? 10}`);
  process.exit(0);
}
process.exit(1);
