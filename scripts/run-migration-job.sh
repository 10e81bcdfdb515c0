#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the migration Job with plain kubectl and returns when it has either completed or failed
# (`kubectl wait --for=condition=complete` alone waits out its whole timeout on a failed Job),
# prints the gate's termination message, and exits with the gate's exit code.
#   scripts/run-migration-job.sh OVERLAY_DIR [kubectl flags, e.g. -n shop --context prod]
# The Job's pod template is immutable and its name fixed, so the previous run is deleted first.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 OVERLAY_DIR [kubectl flags]" >&2; exit 3; }
overlay=$1; shift
job=schemagate-migrate
k() { kubectl "$@" "${flags[@]}"; }
flags=("$@")

k delete job "$job" --ignore-not-found --wait=true >/dev/null
kubectl apply -k "$overlay" "${flags[@]}"
k wait --for=condition=complete "job/$job" --timeout=20m >/dev/null 2>&1 & complete=$!
k wait --for=condition=failed "job/$job" --timeout=20m >/dev/null 2>&1 & failed=$!
trap 'kill $complete $failed 2>/dev/null || true' EXIT
wait -n "$complete" "$failed" || true

# The terminated container's exit code and message (the gate writes the last error there).
read -r code message < <(k get pods -l "job-name=$job" --sort-by=.metadata.creationTimestamp \
  -o jsonpath='{range .items[-1:]}{.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.message}{end}' || true)
if [ "$(k get job "$job" -o jsonpath='{.status.succeeded}')" = 1 ]; then
  echo "job/$job completed"
  exit 0
fi
echo "job/$job failed (exit ${code:-unknown}): ${message:-no termination message; see kubectl logs job/$job}" >&2
# A Job killed by its deadline has no gate exit code of its own: 2, as for the gate's --timeout.
case "${code:-}" in ''|0) exit 2 ;; *) exit "$code" ;; esac
