// SPDX-License-Identifier: Apache-2.0
// Prints "<port> <path> <periodSeconds>" of the app container's readinessProbe in a rendered
// manifest, so the end-to-end test probes exactly what the kubelet would.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

for (const doc of parseAllDocuments(readFileSync(0, "utf8"))) {
  const object = doc.toJS();
  if (object?.kind !== "Deployment") continue;
  const app = object.spec.template.spec.containers.find((c) => c.readinessProbe);
  const probe = app.readinessProbe;
  console.log(`${probe.httpGet.port} ${probe.httpGet.path} ${probe.periodSeconds ?? 10}`);
  process.exit(0);
}
process.exit(1);
