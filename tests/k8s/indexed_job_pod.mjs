// SPDX-License-Identifier: Apache-2.0
// podman kube play rejects `kind: Job`: make the pod the Job controller would create for one
// index of an Indexed Job (KEP-2214; kubernetes.io/docs/concepts/workloads/controllers/job):
// the annotation and label batch.kubernetes.io/job-completion-index, JOB_COMPLETION_INDEX in
// every container read from that annotation through the downward API (unless the container
// already has one), the hostname JOB-INDEX. Every other object passes through.
//   node indexed_job_pod.mjs INDEX < rendered.yaml > pod.yaml
// With --completions instead of an index, prints the Job's completions.
import { readFileSync } from "node:fs";
import { parseAllDocuments, stringify } from "yaml";

const objects = parseAllDocuments(readFileSync(0, "utf8")).map((d) => d.toJS()).filter(Boolean);
const jobs = objects.filter((o) => o.kind === "Job");
if (jobs.length !== 1 || jobs[0].spec.completionMode !== "Indexed") {
  console.error("expected exactly one Indexed Job in the input");
  process.exit(1);
}
const job = jobs[0];
if (process.argv[2] === "--completions") {
  console.log(job.spec.completions);
  process.exit(0);
}
const index = Number(process.argv[2]);
if (!Number.isInteger(index) || index < 0) {
  console.error(`bad index '${process.argv[2]}'`);
  process.exit(1);
}
const key = "batch.kubernetes.io/job-completion-index";
const spec = structuredClone(job.spec.template.spec);
for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
  c.env ??= [];
  if (!c.env.some((e) => e.name === "JOB_COMPLETION_INDEX")) {
    c.env.push({ name: "JOB_COMPLETION_INDEX", valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${key}']` } } });
  }
}
spec.hostname = `${job.metadata.name}-${index}`;
const template = job.spec.template.metadata ?? {};
const pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: `${job.metadata.name}-${index}`,
    labels: { ...(template.labels ?? {}), [key]: String(index), "batch.kubernetes.io/job-name": job.metadata.name },
    annotations: { ...(template.annotations ?? {}), [key]: String(index) },
  },
  spec,
};
const out = objects.map((o) => (o === job ? pod : o));
process.stdout.write(out.map((o) => stringify(o)).join("---\n"));
