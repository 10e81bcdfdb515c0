// SPDX-License-Identifier: Apache-2.0
// What a Job's podFailurePolicy does with a failed pod (kubernetes.io/docs/concepts/workloads/
// controllers/job/#pod-failure-policy): the first rule that matches decides; onExitCodes
// matches a container (by name when given) that ended with a non-zero exit code In / NotIn the
// values; a pod no rule matches counts against the backoff limit. Pod conditions are not seen
// here (podman sets none), so onPodConditions rules never match.
//   node pod_failure_policy.mjs CONTAINER EXIT_CODE < rendered.yaml   -> FailIndex, Count, ...
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

export function podFailureAction(policy, container, exitCode) {
  if (exitCode === 0) return "Succeeded";
  for (const rule of policy?.rules ?? []) {
    const on = rule.onExitCodes;
    if (!on) continue;
    if (on.containerName && on.containerName !== container) continue;
    const listed = on.values.includes(exitCode);
    if (on.operator === "In" ? listed : !listed) return rule.action;
  }
  return "Count";
}

if (process.argv[1]?.endsWith("pod_failure_policy.mjs")) {
  const job = parseAllDocuments(readFileSync(0, "utf8")).map((d) => d.toJS()).find((o) => o?.kind === "Job");
  console.log(podFailureAction(job.spec.podFailurePolicy, process.argv[2], Number(process.argv[3])));
}
