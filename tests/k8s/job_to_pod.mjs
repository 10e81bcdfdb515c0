// SPDX-License-Identifier: Apache-2.0
// podman kube play rejects `kind: Job`: turn each rendered Job into a Pod with the Job's own
// pod template (what the Job controller would create), passing every other object through.
import { readFileSync } from "node:fs";
import { parseAllDocuments, stringify } from "yaml";

const out = [];
for (const doc of parseAllDocuments(readFileSync(0, "utf8"))) {
  const object = doc.toJS();
  if (!object) continue;
  if (object.kind !== "Job") {
    out.push(object);
    continue;
  }
  out.push({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: object.metadata.name, labels: object.spec.template.metadata?.labels ?? {} },
    spec: object.spec.template.spec,
  });
}
process.stdout.write(out.map((o) => stringify(o)).join("---\n"));
